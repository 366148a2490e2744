// Fuzz target: the HTTPS front's request decoders (POST /v1/lookup bodies from members).
// The first byte picks the decoder (even: JSON, odd: XML); the rest is the body. Any input must
// give a LookupRequest or a typed error: no crash, no hang, no exception escaping.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "gateway/front/http/lookup_decoding.h"

namespace http = lienthong::front::http;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view body(reinterpret_cast<const char*>(data) + 1, size - 1);
  auto decoded = (data[0] % 2 == 0) ? http::decode_json_lookup(body)
                                    : http::decode_xml_lookup(body, 64 << 10);
  if (decoded) {
    // What a decoder accepts is within the documented bounds.
    if (decoded->client_request_id.size() > 64) std::abort();
    if (decoded->request.max_age && decoded->request.max_age->count() < 0) std::abort();
  } else if (decoded.error().detail.empty()) {
    std::abort();  // every refusal says why
  }
  return 0;
}
