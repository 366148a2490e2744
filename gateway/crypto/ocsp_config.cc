#include "gateway/crypto/ocsp_config.h"

namespace lienthong::crypto {

namespace {

Result<void> validate_policy(const OcspIssuerPolicy& policy, const std::string& where) {
  const auto& url = policy.responder_url;
  if (!url.empty() && url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0)
    return fail(ErrorCode::kBadRequest,
                where + ".responder_url: '" + url + "' is not an http:// or https:// URL");
  if (policy.grace.count() < 0)
    return fail(ErrorCode::kBadRequest, where + ".grace: must not be negative");
  if (policy.when_unavailable == OcspUnavailable::kGrace && policy.grace.count() == 0)
    return fail(ErrorCode::kBadRequest,
                where + ".grace: the grace policy needs a grace period above zero");
  return {};
}

}  // namespace

Result<void> OcspConfig::validate() const {
  if (freshness.count() <= 0)
    return fail(ErrorCode::kBadRequest, "ocsp.freshness: must be above zero");
  if (clock_skew.count() < 0)
    return fail(ErrorCode::kBadRequest, "ocsp.clock_skew: must not be negative");
  if (refresh_margin.count() < 0)
    return fail(ErrorCode::kBadRequest, "ocsp.refresh_margin: must not be negative");
  if (idle_eviction.count() <= 0)
    return fail(ErrorCode::kBadRequest, "ocsp.idle_eviction: must be above zero");
  if (timeout.count() <= 0) return fail(ErrorCode::kBadRequest, "ocsp.timeout: must be above zero");
  if (auto r = validate_policy(default_policy, "ocsp.default"); !r) return r;
  for (const auto& [fingerprint, policy] : issuers) {
    if (fingerprint.size() != 64 ||
        fingerprint.find_first_not_of("0123456789abcdef") != std::string::npos)
      return fail(ErrorCode::kBadRequest,
                  "ocsp.issuers: '" + fingerprint + "' is not a lowercase hex SHA-256 fingerprint");
    if (auto r = validate_policy(policy, "ocsp.issuers." + fingerprint); !r) return r;
  }
  return {};
}

const OcspIssuerPolicy& OcspConfig::policy_for(const X509* issuer) const {
  if (issuers.empty() || issuer == nullptr) return default_policy;
  const auto found = issuers.find(sha256_fingerprint(issuer));
  return found != issuers.end() ? found->second : default_policy;
}

}  // namespace lienthong::crypto
