// Keys for JWS: JWKs (RFC 7517/7518 sec. 6, RFC 8037) turned into OpenSSL keys with
// EVP_PKEY_fromdata, and keys or pinned certificates given by configuration. These are the
// only keys a JwsVerifier uses; a key carried in a JWS header ("jwk", "jku", "x5u") never is.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "gateway/core/clock.h"
#include "gateway/core/error.h"
#include "gateway/crypto/jws_algorithms.h"
#include "gateway/crypto/openssl_types.h"

namespace lienthong::crypto {

struct Jwk {
  JwsKeyFamily family = JwsKeyFamily::kOct;
  std::string kid;                   // "" when the JWK has none: then it matches any header kid
  std::string alg;                   // the JWK's "alg": when set, the only algorithm it serves
  std::string use;                   // "sig" or "" ("enc" keys are never used to verify)
  std::vector<std::string> key_ops;  // empty when absent
  std::string curve;                 // "P-256", "P-384", "P-521", "Ed25519"; "" otherwise
  EvpPkeyPtr key;                    // RSA, EC, OKP (with the private part when it was given)
  std::string secret;                // oct only
  X509Ptr certificate;               // a pinned certificate this key came from, if any
  bool has_private = false;

  Jwk() = default;
  Jwk(Jwk&&) = default;
  Jwk& operator=(Jwk&&) = default;
  Jwk clone() const;

  // For operators: "EC P-256 kid=G22.BNV", "oct (32 bytes)"; never the secret.
  std::string describe() const;
  // SHA-256 of the SubjectPublicKeyInfo, or of the certificate when there is one; "" for oct.
  std::string fingerprint() const;

  // Why this key cannot serve `alg` ("kty EC crv P-256 does not fit RS256"), or "" if it can.
  // `verify` selects the key_ops entry that must be present ("verify" or "sign").
  std::string refusal(JwsAlg alg, bool verify) const;

  // The key of a certificate (RSA, EC P-256/384/521, Ed25519); kid optional.
  static Result<Jwk> from_certificate(X509Ptr certificate, std::string kid = {});
  // A key loaded from PEM/DER (public or private).
  static Result<Jwk> from_key(EvpPkeyPtr key, std::string kid = {});
  static Jwk from_secret(std::string secret, std::string kid = {});
};

// One JWK, or a JWK Set {"keys":[...]}. Members of a set with a kty or curve this code does
// not support are skipped (RFC 7517 sec. 5); a malformed supported key is refused, and so is
// a set with no usable key. Private members are read (for signing) when present.
Result<std::vector<Jwk>> parse_jwks(std::string_view text);

// The public JWK of a key, as JSON text (for publishing the gateway's key set).
Result<std::string> public_jwk_json(const Jwk& jwk);

}  // namespace lienthong::crypto
