// Producing JWS (RFC 7515, RFC 7797): compact, flattened or general JSON, attached or
// detached, base64url or unencoded (b64=false, always with crit ["b64"]), with "kid" and an
// optional "x5c" in the protected header. What it writes, JwsVerifier accepts. The gateway
// signs its responses with it (ES256 by default, from its SigningIdentity); `lienthong
// sign-jws` is the CLI face.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/core/error.h"
#include "gateway/crypto/digest_signer.h"
#include "gateway/crypto/jwk.h"
#include "gateway/crypto/jws_algorithms.h"
#include "gateway/crypto/jws_crypto.h"
#include "gateway/crypto/jws_verifier.h"
#include "gateway/crypto/signing_identity.h"

namespace lienthong::crypto {

struct JwsSignOptions {
  JwsSerialization serialization = JwsSerialization::kCompact;
  bool detached = false;  // leave the payload out (compact "header..signature")
  bool b64 = true;        // false: RFC 7797 unencoded payload
  std::string typ;        // "typ" in the protected header when not empty
};

struct JwsSignerConfig {
  // Default from the key: EC P-256/384/521 -> ES256/384/512, RSA -> PS256, Ed25519 -> EdDSA,
  // oct -> HS256.
  std::optional<JwsAlg> alg;
  std::string kid;           // "kid" in the protected header when not empty
  std::vector<X509Ptr> x5c;  // "x5c" in the protected header, leaf first; must match the key
};

class JwsSigner {
 public:
  // BAD_REQUEST for a key without its private part, a certificate that does not match it;
  // SIGNATURE_POLICY for an algorithm the key cannot serve (Jwk::refusal).
  static Result<std::unique_ptr<const JwsSigner>> create(Jwk key, JwsSignerConfig config = {});
  // The gateway's own key; with include_x5c its certificate and chain go into "x5c".
  static Result<std::unique_ptr<const JwsSigner>> from_identity(const SigningIdentity& identity,
                                                                std::string kid, bool include_x5c,
                                                                std::optional<JwsAlg> alg = {});

  Result<std::string> sign(std::string_view payload, const JwsSignOptions& options = {}) const;

  JwsAlg alg() const { return alg_; }
  const Jwk& key() const { return key_; }

 private:
  JwsSigner(Jwk key, JwsAlg alg) : key_(std::move(key)), alg_(alg) {}
  Result<std::string> signature(std::string_view input) const;
  Result<std::string> protected_header(const JwsSignOptions& options) const;

  Jwk key_;
  JwsAlg alg_;
  std::string kid_;
  std::vector<std::string> x5c_;                     // standard base64 DER
  std::unique_ptr<const JwsKeyOperation> prepared_;
  std::string default_header_;  // base64url protected header for b64 payloads without typ  // all but HS*: pooled OpenSSL contexts
};

// The algorithm a key signs with unless told otherwise.
Result<JwsAlg> default_jws_alg(const Jwk& key);

}  // namespace lienthong::crypto
