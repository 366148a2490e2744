#include "gateway/policy/policy_lint.h"

#include <fmt/format.h>

#include <algorithm>

namespace lienthong::policy {
namespace {

bool certified(const MemberRule& rule, const std::vector<CertifiedMember>& certs) {
  // A subsystem rule applies only to certificates whose OU names that subsystem.
  return std::any_of(certs.begin(), certs.end(), [&](const CertifiedMember& c) {
    return c.organ_code == rule.organ_code &&
           (rule.subsystem.empty() || c.subsystem == rule.subsystem);
  });
}

}  // namespace

std::vector<Finding> lint(std::string_view toml, std::string_view source,
                          const LintInputs& inputs) {
  auto report = AccessPolicy::parse_all(toml, source);
  std::vector<Finding> findings;
  for (auto& p : report.problems) findings.push_back({std::move(p), false});
  if (report.policy) {
    if (inputs.catalogue) {
      for (auto& p : report.policy->check_all(*inputs.catalogue))
        findings.push_back({std::move(p), false});
    }
    if (inputs.certified) {
      for (const auto& rule : report.policy->members()) {
        if (rule.organ_code.empty() || certified(rule, *inputs.certified)) continue;
        const auto who = rule.subsystem.empty()
                             ? rule.organ_code
                             : fmt::format("{} (subsystem '{}')", rule.organ_code, rule.subsystem);
        findings.push_back(
            {{std::string(source), rule.line,
              fmt::format("warning: no certificate in {} names member {}", inputs.trust_name, who)},
             true});
      }
    }
  }
  std::stable_sort(findings.begin(), findings.end(), [](const Finding& a, const Finding& b) {
    if (a.problem.line != b.problem.line) return a.problem.line < b.problem.line;
    return !a.warning && b.warning;
  });
  return findings;
}

}  // namespace lienthong::policy
