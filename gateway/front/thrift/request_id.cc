#include "gateway/front/thrift/request_id.h"

#include <openssl/rand.h>

#include <array>

namespace lienthong::front::thrift_internal {

Result<std::string> new_request_id() {
  std::array<unsigned char, 16> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
    return fail(ErrorCode::kInternal, "random source failed while making a request id");
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id;
  id.reserve(bytes.size() * 2);
  for (unsigned char b : bytes) {
    id.push_back(kHex[b >> 4]);
    id.push_back(kHex[b & 0x0f]);
  }
  return id;
}

}  // namespace lienthong::front::thrift_internal
