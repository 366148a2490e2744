#include "gateway/policy/policy_json.h"

namespace lienthong::policy {

std::string_view request_signature_name(RequestSignature s) {
  return s == RequestSignature::kRequired ? "required" : "optional";
}

nlohmann::json to_json(const AccessPolicy& policy) {
  nlohmann::json members = nlohmann::json::array();
  for (const auto& m : policy.members()) {
    nlohmann::json grants = nlohmann::json::array();
    for (const auto& g : m.grants) {
      grants.push_back({{"adapter", g.adapter},
                        {"document_types", g.document_types},
                        {"fields", g.fields},
                        {"line", g.line}});
    }
    members.push_back({{"organ", m.organ_code},
                       {"subsystem", m.subsystem},
                       {"name", m.name},
                       {"request_signature", request_signature_name(m.request_signature)},
                       {"line", m.line},
                       {"grants", std::move(grants)}});
  }
  return {{"source", policy.source()}, {"members", std::move(members)}};
}

}  // namespace lienthong::policy
