// The access policy's names for document calls (docs/documents.md "Access"): grants of adapter
// "documents" with document types "send" (send; the delivery state and status history of sent
// documents; status 13) and "receive" (list, get, status and history of received documents).
// Fields do not apply (a document is exchanged whole): such grants say `fields = ["*"]`, which
// the catalogue's one field, "edxml", satisfies. Header-only, so `lienthong policy` checks
// a policy against them without linking the document exchange.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "gateway/policy/access_policy.h"

namespace lienthong::documents {

inline constexpr std::string_view kPolicyAdapter = "documents";
inline constexpr std::string_view kSendGrant = "send";
inline constexpr std::string_view kReceiveGrant = "receive";

// What the policy is checked against when [documents] is configured.
inline std::vector<policy::AccessPolicy::Catalogue> policy_catalogue() {
  return {{std::string(kPolicyAdapter), std::string(kSendGrant), {"edxml"}},
          {std::string(kPolicyAdapter), std::string(kReceiveGrant), {"edxml"}}};
}

}  // namespace lienthong::documents
