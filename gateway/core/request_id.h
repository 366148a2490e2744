// The gateway's id for one request, on both fronts: ties the log lines, the audit entry and the
// response (X-Request-Id, LookupResponse.requestId) together. Random, not sequential, so it
// reveals nothing about traffic volume.
#pragma once

#include <string>

namespace lienthong {

// 128 random bits as 32 lowercase hex digits. Not a secret, but unguessable so that one
// member cannot name another member's request to an operator.
std::string new_request_id();

}  // namespace lienthong
