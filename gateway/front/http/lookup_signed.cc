// A signed JSON lookup (lookup_decoding.h): verify first, then decode only the verified payload.
#include "gateway/front/http/lookup_decoding.h"

namespace lienthong::front::http {

Result<DecodedLookup> decode_signed_json_lookup(const exchange::SignedJson& signed_json,
                                                const Member& member, std::string_view jws) {
  auto opened = signed_json.open_request(member, jws);
  if (!opened) return tl::unexpected(opened.error());
  auto decoded = decode_json_lookup(opened->payload);
  if (!decoded) return tl::unexpected(decoded.error());
  if (!decoded->iat || !decoded->jti) {
    return fail(ErrorCode::kBadRequest, "a signed request carries both iat and jti");
  }
  decoded->request.signature =
      SignedRequestClaims{std::move(opened->alg), *decoded->jti, *decoded->iat};
  return decoded;
}

}  // namespace lienthong::front::http
