// JWS algorithms (RFC 7518 sec. 3, RFC 8037) in one table: the name on the wire, the key type
// it needs, its digest, and which ones the gateway accepts by default. Names are matched
// exactly: "none" and every case variant of a name are unknown here.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <string_view>

namespace lienthong::crypto {

enum class JwsAlg {
  // HMAC: never from peers unless explicitly allowed, oct keys only.
  kHS256,
  kHS384,
  kHS512,
  // RSASSA-PKCS1-v1_5.
  kRS256,
  kRS384,
  kRS512,
  // RSASSA-PSS, MGF1 with the same digest, salt as long as the digest.
  kPS256,
  kPS384,
  kPS512,
  // ECDSA on P-256/384/521, raw R||S.
  kES256,
  kES384,
  kES512,
  // Ed25519 (RFC 8037).
  kEdDSA,
};

enum class JwsKeyFamily { kOct, kRsa, kEc, kOkp };

struct JwsAlgSpec {
  JwsAlg alg;
  const char* name;  // "ES256"
  JwsKeyFamily family;
  const char* digest;  // OpenSSL digest name, nullptr for EdDSA
  const char* curve;   // JWK "crv" for EC and OKP ("P-256", "Ed25519"), else nullptr
  size_t size = 0;     // ES*: bytes of R||S; HS*: minimum key bytes (RFC 7518 sec. 3.2)
  bool pss = false;
};

const JwsAlgSpec& jws_alg_spec(JwsAlg alg);
// Exact, case-sensitive; nullopt for "none", "NONE", unknown names.
std::optional<JwsAlg> jws_alg_from_name(std::string_view name);
inline const char* jws_alg_name(JwsAlg alg) { return jws_alg_spec(alg).name; }
inline bool is_hmac(JwsAlg alg) { return jws_alg_spec(alg).family == JwsKeyFamily::kOct; }

// ES256, ES384, ES512, PS256, RS256, EdDSA (DESIGN.md §3).
const std::set<JwsAlg>& default_jws_algorithms();

// "none" in any letter case: refused everywhere, before anything else is looked at.
bool is_unsecured_alg_name(std::string_view name);

}  // namespace lienthong::crypto
