// What a JWS header may say (RFC 7515 sec. 4, RFC 7797), decided before any cryptography.
// Internal to the JWS verifier.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "gateway/core/error.h"
#include "gateway/crypto/jws_algorithms.h"
#include "gateway/crypto/jws_parse.h"
#include "gateway/crypto/openssl_types.h"

namespace lienthong::crypto {

struct CheckedHeader {
  JwsAlg alg = JwsAlg::kES256;
  std::optional<std::string> kid;
  bool b64 = true;
  std::vector<X509Ptr> x5c;  // leaf first; empty when the header has none
};

// SIGNATURE_POLICY for what the rules refuse (alg none/unknown/not allowed, jwk/jku/x5u, crit
// naming anything but a protected "b64", b64 unprotected or without crit, x5c unprotected, a
// parameter in both headers); SIGNATURE_INVALID for a malformed value (alg or kid not a
// string, x5c not base64 DER certificates).
Result<CheckedHeader> check_header(const ParsedSignature& sig, const std::set<JwsAlg>& allowed,
                                   const JwsLimits& limits);

}  // namespace lienthong::crypto
