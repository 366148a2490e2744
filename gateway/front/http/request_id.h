// The gateway's id for one HTTP request: ties the log lines, the audit entry and the response
// (X-Request-Id) together.
#pragma once

#include <string>

namespace lienthong::front::http {

// 128 random bits as 32 lowercase hex digits. Not a secret, but unguessable so that one
// member cannot name another member's request to an operator.
std::string new_request_id();

}  // namespace lienthong::front::http
