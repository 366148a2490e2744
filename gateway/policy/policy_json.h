// The access policy as JSON, the one shape `lienthong policy show --json` prints and the admin
// API's GET /admin/v1/policy answers: {"source", "members": [{organ, subsystem, name,
// request_signature, line, grants: [{adapter, document_types, fields, line}]}]}.
#pragma once

#include <nlohmann/json.hpp>

#include <string_view>

#include "gateway/policy/access_policy.h"

namespace lienthong::policy {

std::string_view request_signature_name(RequestSignature s);  // "required" | "optional"

nlohmann::json to_json(const AccessPolicy& policy);

}  // namespace lienthong::policy
