// `lienthong policy lint`: every problem of a policy file, not just the first that stops the
// gateway. Syntax, unknown keys, malformed organ codes and duplicates always (the same reading
// as the gateway, AccessPolicy::parse_all); grants against the adapters' catalogue when one is
// given (AccessPolicy::check_all); members no certificate names, as warnings, when the
// certificates of a trust directory are given.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "gateway/policy/access_policy.h"
#include "gateway/policy/trust_members.h"

namespace lienthong::policy {

struct Finding {
  Problem problem;
  bool warning = false;  // reported, but the policy is still usable as it is
};

struct LintInputs {
  std::optional<std::vector<AccessPolicy::Catalogue>> catalogue;
  std::optional<std::vector<CertifiedMember>> certified;
  std::string trust_name;  // the trust directory, for messages
};

// Sorted by line; problems before warnings on the same line.
std::vector<Finding> lint(std::string_view toml, std::string_view source, const LintInputs& inputs);

}  // namespace lienthong::policy
