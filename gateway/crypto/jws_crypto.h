// The signature operations of JWS over OpenSSL 3: one function to verify, one to sign, for
// every JwsAlg. ECDSA signatures are raw R||S of exactly the curve's size on the wire (RFC 7518
// sec. 3.4), DER only inside OpenSSL. The caller has already checked Jwk::refusal().
#pragma once

#include <string>
#include <string_view>

#include "gateway/core/error.h"
#include "gateway/crypto/jwk.h"
#include "gateway/crypto/jws_algorithms.h"

namespace lienthong::crypto {

// SIGNATURE_INVALID when the signature does not verify (or has the wrong length).
Result<void> jws_verify_signature(JwsAlg alg, const Jwk& key, std::string_view signing_input,
                                  std::string_view signature);

// The raw JWS signature (R||S for ECDSA). The key needs its private part (or the secret).
Result<std::string> jws_sign(JwsAlg alg, const Jwk& key, std::string_view signing_input);

}  // namespace lienthong::crypto
