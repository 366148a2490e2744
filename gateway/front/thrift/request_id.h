// The gateway's id for one request: ties the front's logs, the audit entry and the response
// together. Random rather than sequential so that it reveals nothing about traffic volume.
#pragma once

#include <string>

#include "gateway/core/error.h"

namespace lienthong::front::thrift_internal {

// 128 random bits as 32 lowercase hex digits; INTERNAL only if the CSPRNG fails.
Result<std::string> new_request_id();

}  // namespace lienthong::front::thrift_internal
