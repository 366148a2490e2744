#include "gateway/crypto/jws_signer.h"

#include <nlohmann/json.hpp>

#include "gateway/core/encoding.h"
#include "gateway/crypto/jws_crypto.h"

namespace lienthong::crypto {

namespace {

using json = nlohmann::json;

// A JSON string can carry only UTF-8; an unencoded payload in a JSON serialization must be.
bool valid_utf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    size_t n = 0;
    unsigned min = 0;
    unsigned cp = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xe0) == 0xc0) {
      n = 1, min = 0x80, cp = c & 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
      n = 2, min = 0x800, cp = c & 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
      n = 3, min = 0x10000, cp = c & 0x07;
    } else {
      return false;
    }
    for (size_t k = 1; k <= n; ++k) {
      if (i + k >= s.size()) return false;
      const auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    i += n + 1;
  }
  return true;
}

std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::strict); }

}  // namespace

Result<JwsAlg> default_jws_alg(const Jwk& key) {
  switch (key.family) {
    case JwsKeyFamily::kOct:
      return JwsAlg::kHS256;
    case JwsKeyFamily::kRsa:
      return JwsAlg::kPS256;
    case JwsKeyFamily::kOkp:
      return JwsAlg::kEdDSA;
    case JwsKeyFamily::kEc:
      if (key.curve == "P-256") return JwsAlg::kES256;
      if (key.curve == "P-384") return JwsAlg::kES384;
      if (key.curve == "P-521") return JwsAlg::kES512;
      break;
  }
  return fail(ErrorCode::kSignaturePolicy, key.describe() + " has no JWS algorithm");
}

Result<std::unique_ptr<const JwsSigner>> JwsSigner::create(Jwk key, JwsSignerConfig config) {
  if (!key.has_private) return fail(ErrorCode::kBadRequest, key.describe() + ": no private key");
  JwsAlg alg;
  if (config.alg) {
    alg = *config.alg;
  } else {
    auto chosen = default_jws_alg(key);
    if (!chosen) return tl::unexpected(chosen.error());
    alg = *chosen;
  }
  if (auto why = key.refusal(alg, /*verify=*/false); !why.empty())
    return fail(ErrorCode::kSignaturePolicy, why);
  if (!config.x5c.empty()) {
    if (key.family == JwsKeyFamily::kOct)
      return fail(ErrorCode::kBadRequest, "x5c cannot name an HMAC key");
    if (X509_check_private_key(config.x5c.front().get(), key.key.get()) != 1) {
      ERR_clear_error();
      return fail(ErrorCode::kBadRequest, "the key does not match certificate '" +
                                              subject_dn(config.x5c.front().get()) + "'");
    }
  }
  std::unique_ptr<JwsSigner> signer(new JwsSigner(std::move(key), alg));
  signer->kid_ = std::move(config.kid);
  for (const auto& cert : config.x5c) signer->x5c_.push_back(base64_encode(to_der(cert.get())));
  if (signer->key_.family != JwsKeyFamily::kOct) {
    auto prepared = JwsKeyOperation::create(alg, signer->key_, /*verify=*/false);
    if (!prepared) return tl::unexpected(prepared.error());
    signer->prepared_ = std::move(*prepared);
  }
  auto usual = signer->protected_header(JwsSignOptions{});
  if (!usual) return tl::unexpected(usual.error());
  signer->default_header_ = std::move(*usual);
  return std::unique_ptr<const JwsSigner>(std::move(signer));
}

Result<std::unique_ptr<const JwsSigner>> JwsSigner::from_identity(const SigningIdentity& identity,
                                                                  std::string kid, bool include_x5c,
                                                                  std::optional<JwsAlg> alg) {
  auto key = Jwk::from_key(share(identity.key.get()), kid);
  if (!key) return tl::unexpected(key.error());
  JwsSignerConfig config;
  config.alg = alg;
  config.kid = std::move(kid);
  if (include_x5c) {
    config.x5c.push_back(share(identity.certificate.get()));
    for (const auto& cert : identity.chain) config.x5c.push_back(share(cert.get()));
  }
  return create(std::move(*key), std::move(config));
}

Result<std::string> JwsSigner::signature(std::string_view input) const {
  if (prepared_) return prepared_->sign(input);
  return jws_sign(alg_, key_, input);
}

Result<std::string> JwsSigner::protected_header(const JwsSignOptions& options) const {
  // The usual header (b64, no typ) is the same for every call: encoded once, at create.
  if (options.b64 && options.typ.empty() && !default_header_.empty()) return default_header_;
  json header = {{"alg", jws_alg_name(alg_)}};
  if (!kid_.empty()) header["kid"] = kid_;
  if (!options.typ.empty()) header["typ"] = options.typ;
  if (!x5c_.empty()) header["x5c"] = x5c_;
  if (!options.b64) {
    header["b64"] = false;
    header["crit"] = {"b64"};
  }
  try {
    return base64url_encode(dump(header));
  } catch (const json::exception&) {
    return fail(ErrorCode::kBadRequest, "kid and typ must be UTF-8");
  }
}

Result<std::string> JwsSigner::sign(std::string_view payload, const JwsSignOptions& options) const {
  const bool compact = options.serialization == JwsSerialization::kCompact;
  if (!options.b64) {
    if (compact && !options.detached && payload.find('.') != std::string_view::npos)
      return fail(ErrorCode::kBadRequest,
                  "an unencoded compact payload cannot contain '.': sign it detached "
                  "(RFC 7797 sec. 5.2)");
    if (!compact && !options.detached && !valid_utf8(payload))
      return fail(ErrorCode::kBadRequest,
                  "an unencoded payload in a JSON serialization must be UTF-8");
  }
  auto encoded_header = protected_header(options);
  if (!encoded_header) return tl::unexpected(encoded_header.error());
  const std::string& prot = *encoded_header;
  const std::string payload_part = options.b64 ? base64url_encode(payload) : std::string(payload);
  auto sig = signature(prot + "." + payload_part);
  if (!sig) return tl::unexpected(sig.error());
  const std::string sig_b64 = base64url_encode(*sig);

  if (compact) return prot + "." + (options.detached ? "" : payload_part) + "." + sig_b64;
  json entry = {{"protected", prot}, {"signature", sig_b64}};
  json out;
  if (options.serialization == JwsSerialization::kGeneral)
    out["signatures"] = json::array({entry});
  else
    out = entry;
  if (!options.detached) out["payload"] = payload_part;
  return out.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace lienthong::crypto
