#include "gateway/crypto/jws_verifier.h"

#include <array>

#include "gateway/core/encoding.h"
#include "gateway/crypto/jws_crypto.h"
#include "gateway/crypto/jws_header.h"
#include "gateway/crypto/jws_json.h"
#include "gateway/crypto/jws_parse.h"

namespace lienthong::crypto {

// What a configured key needs per request, worked out once: describe() and fingerprint()
// (the SPKI fingerprint goes through OpenSSL's encoders, slower than an ECDSA verification)
// and a prepared JwsKeyOperation for each allowed algorithm the key can serve (null when the
// key refuses the algorithm or could not be prepared: jws_verify_signature then does the work).
struct JwsVerifierKeys {
  struct Key {
    std::string described;
    std::string fingerprint;
    std::array<std::unique_ptr<const JwsKeyOperation>, static_cast<size_t>(JwsAlg::kEdDSA) + 1>
        operations;
  };
  std::vector<Key> keys;  // parallel to JwsVerifierConfig::keys
};

namespace {

// The payload as it enters the signing input, and as the consumer gets it.
struct Payload {
  // The signing input's payload part when it is not the JWS's own payload segment (a detached
  // payload), which is used in place otherwise.
  std::optional<std::string> encoded;
  std::string bytes;
  bool detached = false;

  const std::string& in_signing_input(const ParsedJws& jws) const {
    return encoded ? *encoded : *jws.payload;
  }
};

Result<Payload> resolve_payload(const ParsedJws& jws, bool b64,
                                std::optional<std::string_view> detached) {
  const bool has_segment = jws.payload && !jws.payload->empty();
  Payload out;
  if (detached) {
    if (has_segment)
      return fail(ErrorCode::kBadRequest,
                  "the JWS carries a payload and a detached payload was given as well");
    out.bytes = std::string(*detached);
    out.encoded = b64 ? base64url_encode(*detached) : out.bytes;
    out.detached = true;
    return out;
  }
  if (!jws.payload)
    return fail(ErrorCode::kSignatureInvalid,
                "the JWS has no payload (detached) and none was given");
  if (!b64) {
    out.bytes = *jws.payload;
    return out;
  }
  auto decoded = base64url_decode(*jws.payload);
  if (!decoded) return fail(ErrorCode::kSignatureInvalid, "payload is not base64url");
  out.bytes = std::move(*decoded);
  return out;
}

std::string kid_text(const std::optional<std::string>& kid) {
  return kid ? " kid '" + shown(*kid) + "'" : std::string();
}

}  // namespace

const char* jws_serialization_name(JwsSerialization s) {
  switch (s) {
    case JwsSerialization::kCompact:
      return "compact";
    case JwsSerialization::kFlattened:
      return "flattened";
    case JwsSerialization::kGeneral:
      return "general";
  }
  return "unknown";
}

Result<std::shared_ptr<const OpenSslJwsVerifier>> OpenSslJwsVerifier::create(
    JwsVerifierConfig config) {
  if (config.algorithms.empty()) return fail(ErrorCode::kBadRequest, "no JWS algorithm is allowed");
  if (!config.clock) config.clock = SystemClock::instance();
  auto prepared = std::make_shared<JwsVerifierKeys>();
  for (const Jwk& key : config.keys) {
    JwsVerifierKeys::Key& k = prepared->keys.emplace_back();
    k.described = key.describe();
    k.fingerprint = key.fingerprint();
    if (key.family == JwsKeyFamily::kOct || !key.key) continue;
    for (JwsAlg alg : config.algorithms) {
      if (!key.refusal(alg, /*verify=*/true).empty()) continue;
      auto op = JwsKeyOperation::create(alg, key, /*verify=*/true);
      if (op)
        k.operations[static_cast<size_t>(alg)] = std::move(*op);
      else
        ERR_clear_error();
    }
  }
  return std::shared_ptr<const OpenSslJwsVerifier>(
      new OpenSslJwsVerifier(std::move(config), std::move(prepared)));
}

namespace {

struct SignatureCheck {
  const ParsedSignature& sig;
  const CheckedHeader& header;
  std::string_view input;
  TimePoint at;
};

Result<JwsSignatureInfo> verify_with_x5c(const JwsVerifierConfig& config, const SignatureCheck& c) {
  PathCheck check;
  check.leaf = c.header.x5c.front().get();
  for (size_t i = 1; i < c.header.x5c.size(); ++i) check.untrusted.push_back(c.header.x5c[i].get());
  check.at = c.at;
  check.security_level = config.x509_security_level;
  auto path = config.trust->validate(check);
  if (!path) return tl::unexpected(path.error());
  auto jwk = Jwk::from_certificate(share(c.header.x5c.front().get()));
  if (!jwk) return fail(ErrorCode::kSignaturePolicy, "x5c leaf: " + jwk.error().detail);
  if (auto why = jwk->refusal(c.header.alg, /*verify=*/true); !why.empty())
    return fail(ErrorCode::kSignaturePolicy, "x5c leaf: " + why);
  if (auto ok = jws_verify_signature(c.header.alg, *jwk, c.input, c.sig.signature); !ok)
    return tl::unexpected(ok.error());
  JwsSignatureInfo info;
  info.signer = subject_dn(c.header.x5c.front().get());
  info.signer_fingerprint = sha256_fingerprint(c.header.x5c.front().get());
  info.chain = std::move(path->chain);
  return info;
}

Result<JwsSignatureInfo> verify_with_keys(const JwsVerifierConfig& config,
                                          const JwsVerifierKeys& prepared,
                                          const SignatureCheck& c) {
  const char* alg = jws_alg_name(c.header.alg);
  if (config.keys.empty())
    return fail(ErrorCode::kCertUntrusted,
                c.header.x5c.empty()
                    ? "nothing is trusted: no keys and no trust anchors are configured"
                    : "x5c given but no trust anchors are configured, and no keys");
  std::vector<size_t> usable;  // indexes into config.keys and prepared.keys
  std::string first_refusal;
  size_t by_kid = 0;
  for (size_t i = 0; i < config.keys.size(); ++i) {
    const Jwk& key = config.keys[i];
    if (c.header.kid && !key.kid.empty() && key.kid != *c.header.kid) continue;
    ++by_kid;
    if (auto why = key.refusal(c.header.alg, /*verify=*/true); !why.empty()) {
      if (first_refusal.empty()) first_refusal = std::move(why);
      continue;
    }
    usable.push_back(i);
  }
  if (by_kid == 0)
    return fail(ErrorCode::kCertUntrusted, "no configured key has" + kid_text(c.header.kid));
  if (usable.empty())
    return fail(ErrorCode::kSignaturePolicy,
                std::string("no configured key can verify ") + alg + ": " + first_refusal);
  const Jwk* matched = nullptr;
  const JwsVerifierKeys::Key* matched_prepared = nullptr;
  Error last{ErrorCode::kSignatureInvalid, ""};
  for (size_t i : usable) {
    const JwsVerifierKeys::Key& ready = prepared.keys[i];
    const auto& op = ready.operations[static_cast<size_t>(c.header.alg)];
    auto ok = op ? op->verify(c.input, c.sig.signature)
                 : jws_verify_signature(c.header.alg, config.keys[i], c.input, c.sig.signature);
    if (ok) {
      matched = &config.keys[i];
      matched_prepared = &ready;
      break;
    }
    last = ok.error();
  }
  if (matched == nullptr) {
    if (usable.size() > 1 && last.code == ErrorCode::kSignatureInvalid)
      last.detail = std::string(alg) + " signature does not verify with any of the " +
                    std::to_string(usable.size()) + " configured keys" + kid_text(c.header.kid);
    return tl::unexpected(last);
  }
  JwsSignatureInfo info;
  info.signer = matched_prepared->described;
  info.signer_fingerprint = matched_prepared->fingerprint;
  if (X509* cert = matched->certificate.get()) {
    const TimePoint from = to_time_point(X509_get0_notBefore(cert));
    const TimePoint until = to_time_point(X509_get0_notAfter(cert));
    if (c.at < from || c.at > until)
      return fail(ErrorCode::kCertExpired, "pinned certificate '" + subject_dn(cert) +
                                               "' is valid only from " + format_utc_time(from) +
                                               " to " + format_utc_time(until) + " (checked at " +
                                               format_utc_time(c.at) + ")");
    info.chain.push_back(share(cert));
  }
  return info;
}

}  // namespace

Result<VerifiedJws> OpenSslJwsVerifier::verify(std::string_view jws,
                                               std::optional<std::string_view> detached) const {
  const TimePoint at = config_.clock->now();
  auto parsed = parse_jws(jws, config_.limits);
  if (!parsed) return tl::unexpected(parsed.error());
  const bool general = parsed->serialization == JwsSerialization::kGeneral;
  auto where = [general](size_t i) {
    return general ? "signatures[" + std::to_string(i) + "]: " : std::string();
  };

  // Every header is judged before any cryptography.
  std::vector<CheckedHeader> headers;
  for (size_t i = 0; i < parsed->signatures.size(); ++i) {
    auto header = check_header(parsed->signatures[i], config_.algorithms, config_.limits);
    if (!header) {
      header.error().detail = where(i) + header.error().detail;
      return tl::unexpected(header.error());
    }
    if (!headers.empty() && header->b64 != headers.front().b64)
      return fail(ErrorCode::kSignaturePolicy,
                  "'b64' differs between signatures (RFC 7797 sec. 3)");
    headers.push_back(std::move(*header));
  }
  const bool b64 = headers.front().b64;
  auto payload = resolve_payload(*parsed, b64, detached);
  if (!payload) return tl::unexpected(payload.error());

  VerifiedJws out;
  out.serialization = parsed->serialization;
  out.b64 = b64;
  out.detached = payload->detached;
  for (size_t i = 0; i < parsed->signatures.size(); ++i) {
    const ParsedSignature& sig = parsed->signatures[i];
    const CheckedHeader& header = headers[i];
    if (sig.signature.empty())
      return fail(ErrorCode::kSignatureInvalid, where(i) + "the signature is empty");
    const std::string& payload_part = payload->in_signing_input(*parsed);
    std::string input;
    input.reserve(sig.protected_b64.size() + 1 + payload_part.size());
    input.append(sig.protected_b64).append(1, '.').append(payload_part);
    const SignatureCheck check{sig, header, input, at};
    auto info = !header.x5c.empty() && config_.trust ? verify_with_x5c(config_, check)
                                                     : verify_with_keys(config_, *prepared_, check);
    if (!info) {
      info.error().detail = where(i) + info.error().detail;
      return tl::unexpected(info.error());
    }
    info->alg = jws_alg_name(header.alg);
    info->kid = header.kid;
    info->protected_header = sig.protected_json;
    out.signatures.push_back(std::move(*info));
  }
  out.payload = std::move(payload->bytes);
  return out;
}

}  // namespace lienthong::crypto
