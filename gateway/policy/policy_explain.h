// Why the access policy answers what it answers, for `lienthong policy check`: the decision
// of AccessPolicy::authorize (the very code the gateway runs) and the rule that made it, in
// words an administrator can find in the file ("policy.toml:12: grant population CD01 ...").
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "gateway/core/error.h"
#include "gateway/core/lookup.h"
#include "gateway/policy/access_policy.h"

namespace lienthong::policy {

struct Explanation {
  Result<Decision> decision;  // authorize()'s answer, unchanged
  std::string rule;           // the deciding rule, or why there is none
  int line = 0;               // the deciding line; 0 when no member matched
};

// `available` as for authorize(): every field of the document type. Pass it empty with
// `wanted` empty when the catalogue is unknown: the decision then says whether a grant
// exists, and its fields stay empty.
Explanation explain(const AccessPolicy& policy, const Member& member, std::string_view adapter,
                    std::string_view document_type, const std::vector<std::string>& wanted,
                    const std::vector<std::string>& available);

// "policy.toml:12: grant population CD01 fields ho_va_ten, ngay_sinh"
std::string describe_grant(const AccessPolicy& policy, const Grant& grant);

}  // namespace lienthong::policy
