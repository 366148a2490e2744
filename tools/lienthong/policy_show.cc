// lienthong policy show: the policy as the gateway reads it, member by member.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <iostream>
#include <nlohmann/json.hpp>

#include "tools/lienthong/commands.h"
#include "tools/lienthong/policy_subcommands.h"

namespace lienthong::cli {
namespace {

std::string_view signature_name(policy::RequestSignature s) {
  return s == policy::RequestSignature::kRequired ? "required" : "optional";
}

nlohmann::json to_json(const policy::AccessPolicy& p) {
  nlohmann::json members = nlohmann::json::array();
  for (const auto& m : p.members()) {
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
                       {"request_signature", signature_name(m.request_signature)},
                       {"line", m.line},
                       {"grants", std::move(grants)}});
  }
  return {{"source", p.source()}, {"members", std::move(members)}};
}

void print_text(const policy::AccessPolicy& p) {
  std::cout << fmt::format("{}: {} member(s)\n", p.source(), p.members().size());
  for (const auto& m : p.members()) {
    std::cout << fmt::format("\n{}{}  line {}\n", m.organ_code,
                             m.subsystem.empty() ? "" : " subsystem '" + m.subsystem + "'", m.line);
    if (!m.name.empty()) std::cout << "  name: " << m.name << "\n";
    std::cout << "  request_signature: " << signature_name(m.request_signature) << "\n";
    if (m.grants.empty()) std::cout << "  no grants (every lookup is refused)\n";
    for (const auto& g : m.grants) {
      std::cout << fmt::format("  grant {} {} fields {}  line {}\n", g.adapter,
                               fmt::join(g.document_types, ", "), fmt::join(g.fields, ", "),
                               g.line);
    }
  }
}

}  // namespace

int run_policy_show(const PolicyShowArgs& args) {
  auto loaded = load_policy(args.sources, false);
  if (!loaded) {
    std::cerr << "lienthong policy show: " << loaded.error().detail << "\n";
    return kExitUsage;
  }
  if (args.json) {
    print_json_line(
        to_json(*loaded->policy).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  } else {
    print_text(*loaded->policy);
  }
  return kExitOk;
}

}  // namespace lienthong::cli
