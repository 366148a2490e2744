// Checks both lookup decoders share (lookup_decoding.h).
#include <string>

#include "gateway/front/http/lookup_decoding.h"

namespace lienthong::front::http::detail {

Result<void> check_client_request_id(std::string_view id) {
  if (id.size() > kClientRequestIdMax)
    return fail(ErrorCode::kBadRequest, "clientRequestId is longer than " +
                                            std::to_string(kClientRequestIdMax) + " characters");
  for (char c : id)
    if (c < 0x21 || c > 0x7e)
      return fail(ErrorCode::kBadRequest, "clientRequestId must be printable ASCII without spaces");
  return {};
}

Result<std::chrono::seconds> check_max_age(long long seconds) {
  if (seconds < 0) return fail(ErrorCode::kBadRequest, "maxAgeSeconds must not be negative");
  if (seconds > kMaxAgeSecondsLimit)
    return fail(ErrorCode::kBadRequest,
                "maxAgeSeconds must be at most " + std::to_string(kMaxAgeSecondsLimit));
  return std::chrono::seconds(seconds);
}

Result<void> check_field_name(std::string_view name) {
  if (name.empty()) return fail(ErrorCode::kBadRequest, "a field name is empty");
  if (name.size() > 128) return fail(ErrorCode::kBadRequest, "a field name is too long");
  return {};
}

}  // namespace lienthong::front::http::detail
