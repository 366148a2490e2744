#include "gateway/policy/policy_explain.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

namespace lienthong::policy {

std::string describe_grant(const AccessPolicy& policy, const Grant& grant) {
  return fmt::format("{}:{}: grant {} {} fields {}", policy.source(), grant.line, grant.adapter,
                     fmt::join(grant.document_types, ", "), fmt::join(grant.fields, ", "));
}

Explanation explain(const AccessPolicy& policy, const Member& member, std::string_view adapter,
                    std::string_view document_type, const std::vector<std::string>& wanted,
                    const std::vector<std::string>& available) {
  Explanation out{policy.authorize(member, adapter, document_type, wanted, available), {}, 0};
  // The same lookups authorize() made, to name the lines behind its answer.
  const MemberRule* rule = policy.find_member(member);
  if (rule == nullptr) {
    out.rule = member.subsystem.empty()
                   ? fmt::format("no member {} in {}", member.organ_code, policy.source())
                   : fmt::format("no member {} (subsystem '{}', nor organ-wide) in {}",
                                 member.organ_code, member.subsystem, policy.source());
    return out;
  }
  out.line = rule->line;
  const Grant* grant = AccessPolicy::find_grant(*rule, adapter, document_type);
  if (grant == nullptr) {
    const bool any_for_adapter = std::any_of(rule->grants.begin(), rule->grants.end(),
                                             [&](const Grant& g) { return g.adapter == adapter; });
    out.rule =
        any_for_adapter
            ? fmt::format("member at line {} has no grant for {} document type {}", rule->line,
                          adapter, document_type)
            : fmt::format("member at line {} has no grant for adapter {}", rule->line, adapter);
    return out;
  }
  out.line = grant->line;
  out.rule = describe_grant(policy, *grant);
  return out;
}

}  // namespace lienthong::policy
