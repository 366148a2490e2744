#include "gateway/crypto/jwk.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/param_build.h>

#include <algorithm>

#include "gateway/core/encoding.h"
#include "gateway/crypto/jws_json.h"
#include "gateway/crypto/key_material.h"

namespace lienthong::crypto {

namespace {

using json = nlohmann::json;
using BnPtr = std::unique_ptr<BIGNUM, OpenSslDeleter<BIGNUM, BN_free>>;
using ParamBldPtr =
    std::unique_ptr<OSSL_PARAM_BLD, OpenSslDeleter<OSSL_PARAM_BLD, OSSL_PARAM_BLD_free>>;
using ParamsPtr = std::unique_ptr<OSSL_PARAM, OpenSslDeleter<OSSL_PARAM, OSSL_PARAM_free>>;

constexpr size_t kMaxJwksBytes = 1 << 20;
constexpr size_t kMaxJwksDepth = 8;
constexpr size_t kMaxKeys = 256;
constexpr int kMinRsaBits = 2048;
constexpr int kMaxRsaBits = 16384;

struct Curve {
  const char* jwk;      // "P-256"
  const char* openssl;  // "prime256v1"
  size_t bytes;         // field element size
};
constexpr Curve kCurves[] = {
    {"P-256", "prime256v1", 32}, {"P-384", "secp384r1", 48}, {"P-521", "secp521r1", 66}};

const Curve* curve_by_jwk(std::string_view name) {
  for (const auto& c : kCurves)
    if (name == c.jwk) return &c;
  return nullptr;
}

const Curve* curve_of(const EVP_PKEY* key) {
  char group[64] = {0};
  size_t len = 0;
  if (EVP_PKEY_get_group_name(key, group, sizeof group, &len) != 1) return nullptr;
  for (const auto& c : kCurves)
    if (std::string_view(group) == c.openssl) return &c;
  return nullptr;
}

Error bad(std::string detail) { return Error{ErrorCode::kBadRequest, std::move(detail)}; }

// A base64url member holding bytes; `required` members must be present and non-empty.
Result<std::string> member_bytes(const json& jwk, const char* name, bool required) {
  auto it = jwk.find(name);
  if (it == jwk.end()) {
    if (required) return tl::unexpected(bad(std::string("JWK member '") + name + "' missing"));
    return std::string();
  }
  if (!it->is_string())
    return tl::unexpected(bad(std::string("JWK member '") + name + "' is not a string"));
  auto bytes = base64url_decode(it->get_ref<const std::string&>());
  if (!bytes) return tl::unexpected(bad(std::string("JWK member '") + name + "' is not base64url"));
  if (required && bytes->empty())
    return tl::unexpected(bad(std::string("JWK member '") + name + "' is empty"));
  return *bytes;
}

Result<std::string> member_string(const json& jwk, const char* name) {
  auto it = jwk.find(name);
  if (it == jwk.end()) return std::string();
  if (!it->is_string())
    return tl::unexpected(bad(std::string("JWK member '") + name + "' is not a string"));
  return it->get<std::string>();
}

BnPtr to_bn(std::string_view bytes) {
  return BnPtr(BN_bin2bn(reinterpret_cast<const unsigned char*>(bytes.data()),
                         static_cast<int>(bytes.size()), nullptr));
}

std::string from_bn(const BIGNUM* bn, size_t pad = 0) {
  const size_t size = std::max(pad, static_cast<size_t>(BN_num_bytes(bn)));
  std::string out(size, '\0');
  BN_bn2binpad(bn, reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(size));
  return out;
}

Result<EvpPkeyPtr> from_params(const char* type, OSSL_PARAM_BLD* bld, bool keypair) {
  ParamsPtr params(OSSL_PARAM_BLD_to_param(bld));
  EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  EVP_PKEY* raw = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &raw, keypair ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY,
                        params.get()) != 1)
    return tl::unexpected(
        bad(std::string("JWK is not a valid ") + type + " key: " + drain_openssl_errors()));
  EvpPkeyPtr key(raw);
  // Points off the curve, even RSA exponents and the like are refused here, once.
  EvpPkeyCtxPtr check(EVP_PKEY_CTX_new_from_pkey(nullptr, key.get(), nullptr));
  const int ok = keypair ? EVP_PKEY_check(check.get()) : EVP_PKEY_public_check(check.get());
  if (ok != 1)
    return tl::unexpected(
        bad(std::string("JWK fails the ") + type + " key check: " + drain_openssl_errors()));
  return key;
}

Result<EvpPkeyPtr> rsa_key(const json& jwk) {
  if (jwk.contains("oth")) return tl::unexpected(bad("multi-prime RSA JWKs are not supported"));
  auto n = member_bytes(jwk, "n", true);
  if (!n) return tl::unexpected(n.error());
  auto e = member_bytes(jwk, "e", true);
  if (!e) return tl::unexpected(e.error());
  const bool priv = jwk.contains("d");
  ParamBldPtr bld(OSSL_PARAM_BLD_new());
  std::vector<BnPtr> bns;
  auto push = [&](const char* param, const std::string& bytes) {
    bns.push_back(to_bn(bytes));
    return bns.back() && OSSL_PARAM_BLD_push_BN(bld.get(), param, bns.back().get()) == 1;
  };
  bool ok = bld && push(OSSL_PKEY_PARAM_RSA_N, *n) && push(OSSL_PKEY_PARAM_RSA_E, *e);
  if (priv) {
    auto d = member_bytes(jwk, "d", true);
    if (!d) return tl::unexpected(d.error());
    ok = ok && push(OSSL_PKEY_PARAM_RSA_D, *d);
    static constexpr std::pair<const char*, const char*> kCrt[] = {
        {"p", OSSL_PKEY_PARAM_RSA_FACTOR1},
        {"q", OSSL_PKEY_PARAM_RSA_FACTOR2},
        {"dp", OSSL_PKEY_PARAM_RSA_EXPONENT1},
        {"dq", OSSL_PKEY_PARAM_RSA_EXPONENT2},
        {"qi", OSSL_PKEY_PARAM_RSA_COEFFICIENT1}};
    const size_t present = static_cast<size_t>(std::count_if(
        std::begin(kCrt), std::end(kCrt), [&](const auto& p) { return jwk.contains(p.first); }));
    if (present != 0 && present != std::size(kCrt))
      return tl::unexpected(bad("RSA JWK has some but not all of p, q, dp, dq, qi"));
    for (const auto& [member, param] : kCrt) {
      if (present == 0) break;
      auto value = member_bytes(jwk, member, true);
      if (!value) return tl::unexpected(value.error());
      ok = ok && push(param, *value);
    }
  }
  if (!ok) return tl::unexpected(bad("RSA JWK: " + drain_openssl_errors()));
  return from_params("RSA", bld.get(), priv);
}

Result<EvpPkeyPtr> ec_key(const json& jwk, const Curve& curve) {
  auto x = member_bytes(jwk, "x", true);
  if (!x) return tl::unexpected(x.error());
  auto y = member_bytes(jwk, "y", true);
  if (!y) return tl::unexpected(y.error());
  // RFC 7518 sec. 6.2.1.2/3: x and y are the full field size, never shortened.
  if (x->size() != curve.bytes || y->size() != curve.bytes)
    return tl::unexpected(bad(std::string("EC JWK coordinates must be ") +
                              std::to_string(curve.bytes) + " bytes for " + curve.jwk));
  const std::string point = "\x04" + *x + *y;
  const bool priv = jwk.contains("d");
  ParamBldPtr bld(OSSL_PARAM_BLD_new());
  BnPtr d;
  bool ok = bld &&
            OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, curve.openssl,
                                            0) == 1 &&
            OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                             point.size()) == 1;
  if (priv) {
    auto bytes = member_bytes(jwk, "d", true);
    if (!bytes) return tl::unexpected(bytes.error());
    if (bytes->size() != curve.bytes)
      return tl::unexpected(bad(std::string("EC JWK 'd' must be ") + std::to_string(curve.bytes) +
                                " bytes for " + curve.jwk));
    d = to_bn(*bytes);
    ok = ok && d && OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_PRIV_KEY, d.get()) == 1;
  }
  if (!ok) return tl::unexpected(bad("EC JWK: " + drain_openssl_errors()));
  return from_params("EC", bld.get(), priv);
}

Result<EvpPkeyPtr> ed25519_key(const json& jwk) {
  auto x_member = member_bytes(jwk, "x", true);
  if (!x_member) return tl::unexpected(x_member.error());
  const std::string& x = *x_member;
  if (x.size() != 32) return tl::unexpected(bad("Ed25519 JWK 'x' must be 32 bytes"));
  if (jwk.contains("d")) {
    auto d_member = member_bytes(jwk, "d", true);
    if (!d_member) return tl::unexpected(d_member.error());
    const std::string& d = *d_member;
    if (d.size() != 32) return tl::unexpected(bad("Ed25519 JWK 'd' must be 32 bytes"));
    EvpPkeyPtr key(EVP_PKEY_new_raw_private_key(
        EVP_PKEY_ED25519, nullptr, reinterpret_cast<const unsigned char*>(d.data()), d.size()));
    unsigned char pub[32];
    size_t len = sizeof pub;
    if (!key || EVP_PKEY_get_raw_public_key(key.get(), pub, &len) != 1 || len != 32 ||
        std::string_view(reinterpret_cast<const char*>(pub), len) != x)
      return tl::unexpected(bad("Ed25519 JWK: 'd' does not belong to 'x'"));
    return key;
  }
  ParamBldPtr bld(OSSL_PARAM_BLD_new());
  if (!bld ||
      OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, x.data(), x.size()) != 1)
    return tl::unexpected(bad("Ed25519 JWK: " + drain_openssl_errors()));
  return from_params("ED25519", bld.get(), false);
}

// nullopt: a kty or curve we do not support (skipped inside a set).
Result<std::optional<Jwk>> parse_one(const json& obj) {
  if (!obj.is_object()) return tl::unexpected(bad("a JWK must be a JSON object"));
  auto kty = member_string(obj, "kty");
  if (!kty) return tl::unexpected(kty.error());
  Jwk jwk;
  for (auto [name, target] :
       {std::pair{"kid", &jwk.kid}, std::pair{"alg", &jwk.alg}, std::pair{"use", &jwk.use}}) {
    auto value = member_string(obj, name);
    if (!value) return tl::unexpected(value.error());
    *target = std::move(*value);
  }
  if (auto ops = obj.find("key_ops"); ops != obj.end()) {
    if (!ops->is_array()) return tl::unexpected(bad("JWK 'key_ops' must be an array"));
    for (const auto& op : *ops) {
      if (!op.is_string()) return tl::unexpected(bad("JWK 'key_ops' must hold strings"));
      jwk.key_ops.push_back(op.get<std::string>());
    }
  }
  if (*kty == "oct") {
    auto k = member_bytes(obj, "k", true);
    if (!k) return tl::unexpected(k.error());
    jwk.family = JwsKeyFamily::kOct;
    jwk.secret = std::move(*k);
    jwk.has_private = true;
    return std::optional<Jwk>(std::move(jwk));
  }
  Result<EvpPkeyPtr> key = tl::unexpected(bad(""));
  if (*kty == "RSA") {
    jwk.family = JwsKeyFamily::kRsa;
    key = rsa_key(obj);
  } else if (*kty == "EC" || *kty == "OKP") {
    auto crv = member_string(obj, "crv");
    if (!crv) return tl::unexpected(crv.error());
    jwk.curve = *crv;
    if (*kty == "EC") {
      const Curve* curve = curve_by_jwk(*crv);
      if (curve == nullptr) return std::optional<Jwk>();
      jwk.family = JwsKeyFamily::kEc;
      key = ec_key(obj, *curve);
    } else {
      if (*crv != "Ed25519") return std::optional<Jwk>();  // X25519, Ed448: not for JWS here
      jwk.family = JwsKeyFamily::kOkp;
      key = ed25519_key(obj);
    }
  } else {
    return std::optional<Jwk>();
  }
  if (!key) {
    if (!jwk.kid.empty()) key.error().detail += " (kid '" + shown(jwk.kid) + "')";
    return tl::unexpected(key.error());
  }
  jwk.key = std::move(*key);
  jwk.has_private = obj.contains("d");
  return std::optional<Jwk>(std::move(jwk));
}

bool has_private_part(EVP_PKEY* key) {
  switch (EVP_PKEY_get_base_id(key)) {
    case EVP_PKEY_RSA:
    case EVP_PKEY_RSA_PSS: {
      BIGNUM* d = nullptr;
      const bool has = EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_D, &d) == 1;
      BN_clear_free(d);
      ERR_clear_error();
      return has;
    }
    case EVP_PKEY_EC: {
      BIGNUM* d = nullptr;
      const bool has = EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_PRIV_KEY, &d) == 1;
      BN_clear_free(d);
      ERR_clear_error();
      return has;
    }
    case EVP_PKEY_ED25519: {
      size_t len = 0;
      const bool has = EVP_PKEY_get_raw_private_key(key, nullptr, &len) == 1 && len > 0;
      ERR_clear_error();
      return has;
    }
    default:
      return false;
  }
}

}  // namespace

Jwk Jwk::clone() const {
  Jwk copy;
  copy.family = family;
  copy.kid = kid;
  copy.alg = alg;
  copy.use = use;
  copy.key_ops = key_ops;
  copy.curve = curve;
  if (key) copy.key = share(key.get());
  copy.secret = secret;
  if (certificate) copy.certificate = share(certificate.get());
  copy.has_private = has_private;
  return copy;
}

std::string Jwk::describe() const {
  std::string out = family == JwsKeyFamily::kOct
                        ? "oct (" + std::to_string(secret.size()) + " bytes)"
                        : describe_key(key.get());
  if (!kid.empty()) out += " kid '" + shown(kid) + "'";
  if (certificate) out += " from certificate '" + subject_dn(certificate.get()) + "'";
  return out;
}

std::string Jwk::fingerprint() const {
  if (certificate) return sha256_fingerprint(certificate.get());
  if (key) return sha256_fingerprint(key.get());
  return {};
}

std::string Jwk::refusal(JwsAlg alg_id, bool verify) const {
  const JwsAlgSpec& spec = jws_alg_spec(alg_id);
  if (spec.family != family)
    return describe() + " cannot serve " + spec.name + " (the key type must match alg)";
  if (!alg.empty() && alg != spec.name)
    return describe() + " is restricted to alg '" + shown(alg) + "', not " + spec.name;
  if (!use.empty() && use != "sig") return describe() + " has use '" + shown(use) + "', not sig";
  const char* op = verify ? "verify" : "sign";
  if (!key_ops.empty() && std::find(key_ops.begin(), key_ops.end(), op) == key_ops.end())
    return describe() + " key_ops does not allow '" + op + "'";
  switch (family) {
    case JwsKeyFamily::kOct:
      if (secret.size() < spec.size)
        return describe() + " is shorter than the " + std::to_string(spec.size) + " bytes that " +
               spec.name + " requires (RFC 7518 sec. 3.2)";
      break;
    case JwsKeyFamily::kRsa: {
      const int bits = EVP_PKEY_get_bits(key.get());
      if (bits < kMinRsaBits || bits > kMaxRsaBits)
        return describe() + " is outside RSA-" + std::to_string(kMinRsaBits) + "..RSA-" +
               std::to_string(kMaxRsaBits);
      if (EVP_PKEY_get_base_id(key.get()) == EVP_PKEY_RSA_PSS && !spec.pss)
        return describe() + " is an RSASSA-PSS key and cannot serve " + spec.name;
      break;
    }
    case JwsKeyFamily::kEc:
    case JwsKeyFamily::kOkp:
      if (curve != spec.curve)
        return describe() + " cannot serve " + spec.name + " (needs " + spec.curve + ")";
      break;
  }
  if (!verify && !has_private) return describe() + " has no private part to sign with";
  return {};
}

Result<Jwk> Jwk::from_key(EvpPkeyPtr key, std::string kid) {
  if (!key) return fail(ErrorCode::kBadRequest, "no key");
  Jwk jwk;
  jwk.kid = std::move(kid);
  switch (EVP_PKEY_get_base_id(key.get())) {
    case EVP_PKEY_RSA:
    case EVP_PKEY_RSA_PSS:
      jwk.family = JwsKeyFamily::kRsa;
      break;
    case EVP_PKEY_EC: {
      const Curve* curve = curve_of(key.get());
      if (curve == nullptr)
        return fail(ErrorCode::kSignaturePolicy,
                    describe_key(key.get()) + ": only P-256, P-384 and P-521 serve JWS");
      jwk.family = JwsKeyFamily::kEc;
      jwk.curve = curve->jwk;
      break;
    }
    case EVP_PKEY_ED25519:
      jwk.family = JwsKeyFamily::kOkp;
      jwk.curve = "Ed25519";
      break;
    default:
      return fail(ErrorCode::kSignaturePolicy,
                  describe_key(key.get()) + " keys do not serve JWS here");
  }
  jwk.has_private = has_private_part(key.get());
  jwk.key = std::move(key);
  return jwk;
}

Result<Jwk> Jwk::from_certificate(X509Ptr certificate, std::string kid) {
  if (!certificate) return fail(ErrorCode::kBadRequest, "no certificate");
  EvpPkeyPtr key(X509_get_pubkey(certificate.get()));
  if (!key)
    return fail(ErrorCode::kBadRequest,
                "certificate '" + subject_dn(certificate.get()) + "' has no usable public key");
  auto jwk = from_key(std::move(key), std::move(kid));
  if (!jwk) return jwk;
  jwk->has_private = false;
  jwk->certificate = std::move(certificate);
  return jwk;
}

Jwk Jwk::from_secret(std::string secret, std::string kid) {
  Jwk jwk;
  jwk.family = JwsKeyFamily::kOct;
  jwk.secret = std::move(secret);
  jwk.kid = std::move(kid);
  jwk.has_private = true;
  return jwk;
}

Result<std::vector<Jwk>> parse_jwks(std::string_view text) {
  if (text.size() > kMaxJwksBytes)
    return fail(ErrorCode::kBadRequest,
                "JWK Set larger than " + std::to_string(kMaxJwksBytes) + " bytes");
  auto doc = parse_strict_json(text, kMaxJwksDepth, "JWK Set", ErrorCode::kBadRequest);
  if (!doc) return tl::unexpected(doc.error());
  if (!doc->is_object()) return fail(ErrorCode::kBadRequest, "a JWK or JWK Set must be an object");
  std::vector<Jwk> keys;
  if (!doc->contains("keys")) {  // one JWK: it must be one we can use
    auto one = parse_one(*doc);
    if (!one) return tl::unexpected(one.error());
    if (!*one)
      return fail(ErrorCode::kBadRequest,
                  "JWK kty/crv not supported for JWS here (RSA, EC "
                  "P-256/384/521, OKP Ed25519, oct)");
    keys.push_back(std::move(**one));
    return keys;
  }
  const json& set = (*doc)["keys"];
  if (!set.is_array()) return fail(ErrorCode::kBadRequest, "JWK Set 'keys' must be an array");
  if (set.size() > kMaxKeys)
    return fail(ErrorCode::kBadRequest,
                "JWK Set holds more than " + std::to_string(kMaxKeys) + " keys");
  for (size_t i = 0; i < set.size(); ++i) {
    auto one = parse_one(set[i]);
    if (!one) {
      one.error().detail = "keys[" + std::to_string(i) + "]: " + one.error().detail;
      return tl::unexpected(one.error());
    }
    if (*one) keys.push_back(std::move(**one));
  }
  if (keys.empty()) return fail(ErrorCode::kBadRequest, "JWK Set has no key usable for JWS");
  return keys;
}

Result<std::string> public_jwk_json(const Jwk& jwk) {
  json out;
  switch (jwk.family) {
    case JwsKeyFamily::kOct:
      return fail(ErrorCode::kBadRequest, "an oct key has no public form");
    case JwsKeyFamily::kRsa: {
      BIGNUM* n = nullptr;
      BIGNUM* e = nullptr;
      if (EVP_PKEY_get_bn_param(jwk.key.get(), OSSL_PKEY_PARAM_RSA_N, &n) != 1 ||
          EVP_PKEY_get_bn_param(jwk.key.get(), OSSL_PKEY_PARAM_RSA_E, &e) != 1) {
        BN_free(n);
        BN_free(e);
        return fail(ErrorCode::kInternal, "RSA parameters: " + drain_openssl_errors());
      }
      out["kty"] = "RSA";
      out["n"] = base64url_encode(from_bn(n));
      out["e"] = base64url_encode(from_bn(e));
      BN_free(n);
      BN_free(e);
      break;
    }
    case JwsKeyFamily::kEc: {
      const Curve* curve = curve_by_jwk(jwk.curve);
      BIGNUM* x = nullptr;
      BIGNUM* y = nullptr;
      if (curve == nullptr ||
          EVP_PKEY_get_bn_param(jwk.key.get(), OSSL_PKEY_PARAM_EC_PUB_X, &x) != 1 ||
          EVP_PKEY_get_bn_param(jwk.key.get(), OSSL_PKEY_PARAM_EC_PUB_Y, &y) != 1) {
        BN_free(x);
        BN_free(y);
        return fail(ErrorCode::kInternal, "EC parameters: " + drain_openssl_errors());
      }
      out["kty"] = "EC";
      out["crv"] = curve->jwk;
      out["x"] = base64url_encode(from_bn(x, curve->bytes));
      out["y"] = base64url_encode(from_bn(y, curve->bytes));
      BN_free(x);
      BN_free(y);
      break;
    }
    case JwsKeyFamily::kOkp: {
      unsigned char pub[32];
      size_t len = sizeof pub;
      if (EVP_PKEY_get_raw_public_key(jwk.key.get(), pub, &len) != 1)
        return fail(ErrorCode::kInternal, "Ed25519 public key: " + drain_openssl_errors());
      out["kty"] = "OKP";
      out["crv"] = "Ed25519";
      out["x"] = base64url_encode(std::string_view(reinterpret_cast<char*>(pub), len));
      break;
    }
  }
  if (!jwk.kid.empty()) out["kid"] = jwk.kid;
  if (!jwk.alg.empty()) out["alg"] = jwk.alg;
  out["use"] = "sig";
  return out.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace lienthong::crypto
