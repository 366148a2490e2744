#include "gateway/exchange/signed_json.h"

#include <openssl/x509.h>

#include "gateway/crypto/jws_json.h"
#include "gateway/crypto/openssl_types.h"

namespace lienthong::exchange {

Result<SignedJson::Ptr> SignedJson::create(SignedJsonConfig config) {
  if (config.request_algorithms.empty()) {
    return fail(ErrorCode::kBadRequest, "signed JSON: no request algorithm is allowed");
  }
  for (crypto::JwsAlg alg : config.request_algorithms) {
    if (crypto::is_hmac(alg)) {
      return fail(ErrorCode::kBadRequest,
                  "signed JSON: members sign with their certificate's key; HMAC is not allowed");
    }
  }
  if (!config.clock) config.clock = SystemClock::instance();
  return Ptr(new SignedJson(std::move(config)));
}

Result<crypto::JwsVerifier::Ptr> SignedJson::verifier_for(const Member& member) const {
  {
    std::lock_guard lock(mutex_);
    auto it = verifiers_.find(member.certificate_fingerprint);
    if (it != verifiers_.end()) return it->second;
  }
  const auto* der = reinterpret_cast<const unsigned char*>(member.certificate_der.data());
  crypto::X509Ptr certificate(
      d2i_X509(nullptr, &der, static_cast<long>(member.certificate_der.size())));
  if (!certificate) {
    return fail(ErrorCode::kCertUntrusted, "the connection's client certificate does not parse");
  }
  auto key = crypto::Jwk::from_certificate(std::move(certificate));
  if (!key) return tl::unexpected(key.error());
  crypto::JwsVerifierConfig vc;
  vc.algorithms = config_.request_algorithms;
  vc.keys.push_back(std::move(*key));
  vc.clock = config_.clock;
  vc.limits.max_bytes = config_.max_request_bytes;
  vc.limits.max_signatures = 1;
  auto verifier = crypto::OpenSslJwsVerifier::create(std::move(vc));
  if (!verifier) return tl::unexpected(verifier.error());
  crypto::JwsVerifier::Ptr shared = *verifier;
  std::lock_guard lock(mutex_);
  if (verifiers_.size() >= kMaxVerifiers) verifiers_.clear();
  verifiers_.emplace(member.certificate_fingerprint, shared);
  return shared;
}

Result<OpenedRequest> SignedJson::open_request(const Member& member, std::string_view jws) const {
  if (member.certificate_der.empty() || member.certificate_fingerprint.empty()) {
    return fail(ErrorCode::kCertUntrusted, "a signed request needs a client certificate");
  }
  if (jws.size() > config_.max_request_bytes) {
    return fail(ErrorCode::kBadRequest,
                "signed request larger than " + std::to_string(config_.max_request_bytes) +
                    " bytes");
  }
  auto verifier = verifier_for(member);
  if (!verifier) return tl::unexpected(verifier.error());
  auto verified = (*verifier)->verify(jws);
  if (!verified) return tl::unexpected(verified.error());
  if (verified->detached) {
    return fail(ErrorCode::kSignaturePolicy, "a signed request carries its payload");
  }
  // The JSON serializations allow "alg" in the unprotected header (RFC 7515 sec. 7.2.1); a
  // member's request must have its algorithm covered by its signature (RFC 8725 sec. 3.1).
  auto header = crypto::parse_strict_json(verified->first().protected_header, 4,
                                          "protected header", ErrorCode::kSignaturePolicy);
  if (!header || !header->is_object() || !header->contains("alg")) {
    return fail(ErrorCode::kSignaturePolicy,
                "a signed request names its alg in the protected header");
  }
  OpenedRequest out;
  out.payload = std::move(verified->payload);
  out.alg = verified->first().alg;
  out.kid = verified->first().kid.value_or("");
  return out;
}

Result<std::string> SignedJson::sign_detached(std::string_view body) const {
  if (!config_.answer_signer) return std::string();
  crypto::JwsSignOptions options;
  options.detached = true;
  return config_.answer_signer->sign(body, options);
}

Result<std::string> SignedJson::sign_attached(std::string_view body) const {
  if (!config_.answer_signer) return std::string();
  return config_.answer_signer->sign(body);
}

Result<void> check_jti(std::string_view jti) {
  if (jti.empty() || jti.size() > 128) {
    return fail(ErrorCode::kBadRequest, "jti must be 1 to 128 characters");
  }
  for (char c : jti) {
    if (c < 0x21 || c > 0x7e) {
      return fail(ErrorCode::kBadRequest, "jti must be printable ASCII without spaces");
    }
  }
  return {};
}

}  // namespace lienthong::exchange
