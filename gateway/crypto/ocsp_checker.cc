#include "gateway/crypto/ocsp_checker.h"

#include <utility>

namespace lienthong::crypto {

namespace {

std::string seconds(std::chrono::seconds s) { return std::to_string(s.count()) + " s"; }

std::string quoted_subject(const X509* cert) { return "'" + subject_dn(cert) + "'"; }

}  // namespace

Result<OcspChecker::Ptr> OcspChecker::create(OcspConfig config, OcspTransport::Ptr transport,
                                             Clock::Ptr clock) {
  if (auto valid = config.validate(); !valid) return tl::unexpected(valid.error());
  if (!transport || !clock)
    return fail(ErrorCode::kBadRequest, "OCSP checker needs a transport and a clock");
  return Ptr(new OcspChecker(std::move(config), std::move(transport), std::move(clock)));
}

OcspChecker::OcspChecker(OcspConfig config, OcspTransport::Ptr transport, Clock::Ptr clock)
    : config_(std::move(config)), transport_(std::move(transport)), clock_(std::move(clock)) {}

std::optional<std::string> OcspChecker::responder_for(const X509* leaf, const X509* issuer) const {
  const auto& policy = config_.policy_for(issuer);
  if (!policy.responder_url.empty()) return policy.responder_url;
  return ocsp_responder_from_aia(leaf);
}

TimePoint OcspChecker::stale_at(const OcspStatus& status) const {
  return ocsp_usable_until(status, config_.freshness) + config_.clock_skew;
}

std::optional<OcspStatus> OcspChecker::cached_if_fresh(const std::string& key, TimePoint now) {
  std::lock_guard lock(mutex_);
  const auto found = cache_.find(key);
  if (found == cache_.end() || now >= stale_at(found->second.status)) return std::nullopt;
  found->second.last_used = now;
  OcspStatus status = found->second.status;
  status.source = OcspSource::kCache;
  return status;
}

Result<OcspStatus> OcspChecker::check(const X509* leaf, const X509* issuer) {
  const TimePoint now = clock_->now();
  auto exchange = OcspExchange::create(leaf, issuer, config_.send_nonce);
  if (!exchange) return tl::unexpected(exchange.error());
  const std::string& key = exchange->cert_id_key();
  if (auto cached = cached_if_fresh(key, now)) return *cached;

  const auto url = responder_for(leaf, issuer);
  if (!url)
    return fail(ErrorCode::kCertUntrusted,
                quoted_subject(leaf) +
                    " names no OCSP responder (AIA id-ad-ocsp) and none is "
                    "configured for its issuer " +
                    quoted_subject(issuer));
  auto fetched = fetch(leaf, issuer, *exchange, *url, now);
  if (fetched) {
    std::lock_guard lock(mutex_);
    if (auto found = cache_.find(key); found != cache_.end()) found->second.last_used = now;
    return fetched;
  }

  // Another caller (or refresh()) may have stored a fresh answer while we were failing.
  if (auto cached = cached_if_fresh(key, now)) return *cached;
  const auto& policy = config_.policy_for(issuer);
  const std::string unavailable =
      "revocation status of " + quoted_subject(leaf) + " unavailable: " + fetched.error().detail;
  if (policy.when_unavailable == OcspUnavailable::kFailClosed)
    return fail(ErrorCode::kCertUntrusted, unavailable + " (policy: fail_closed)");

  std::lock_guard lock(mutex_);
  const auto found = cache_.find(key);
  if (found == cache_.end())
    return fail(ErrorCode::kCertUntrusted,
                unavailable + " (policy: grace, but no earlier verified answer to fall back on)");
  const TimePoint went_stale = stale_at(found->second.status);
  if (now > went_stale + policy.grace)
    return fail(ErrorCode::kCertUntrusted,
                unavailable + " (policy: grace; the last verified answer went stale at " +
                    format_utc_time(went_stale) + ", beyond the grace period of " +
                    seconds(policy.grace) + ")");
  found->second.last_used = now;
  OcspStatus status = found->second.status;
  status.source = OcspSource::kGrace;
  return status;
}

Result<OcspStatus> OcspChecker::fetch(const X509* leaf, const X509* issuer,
                                      const OcspExchange& exchange, const std::string& url,
                                      TimePoint now) {
  auto body = transport_->post(url, exchange.request_der(), config_.timeout);
  if (!body)
    return fail(ErrorCode::kCertUntrusted,
                "OCSP responder " + url + " failed: " + body.error().detail);
  OcspResponseChecks checks;
  checks.now = clock_->now();  // the answer is judged when it arrived, not when we asked
  checks.clock_skew = config_.clock_skew;
  checks.freshness = config_.freshness;
  checks.accept_missing_nonce = config_.accept_missing_nonce;
  auto status = exchange.verify_response(*body, checks);
  if (!status) return fail(status.error().code, status.error().detail + " (responder " + url + ")");
  status->responder_url = url;
  status->source = OcspSource::kFetched;

  std::lock_guard lock(mutex_);
  auto [it, inserted] = cache_.try_emplace(exchange.cert_id_key());
  Entry& entry = it->second;
  // A responder behind a cache may hand out an older answer than the one we hold: keep ours.
  if (inserted || status->this_update >= entry.status.this_update) {
    entry.leaf = share(const_cast<X509*>(leaf));  // up-ref only
    entry.issuer = share(const_cast<X509*>(issuer));
    entry.status = *status;
  }
  if (inserted) entry.last_used = now;
  return status;
}

std::vector<std::string> OcspChecker::refresh_due(TimePoint now) const {
  std::vector<std::string> due;
  std::lock_guard lock(mutex_);
  for (const auto& [key, entry] : cache_)
    if (now + config_.refresh_margin >= stale_at(entry.status)) due.push_back(key);
  return due;
}

OcspRefreshReport OcspChecker::refresh() {
  const TimePoint now = clock_->now();
  OcspRefreshReport report;
  std::vector<std::pair<X509Ptr, X509Ptr>> work;  // (leaf, issuer), fetched outside the lock
  {
    std::lock_guard lock(mutex_);
    for (auto it = cache_.begin(); it != cache_.end();) {
      if (now - it->second.last_used > config_.idle_eviction) {
        it = cache_.erase(it);
        ++report.evicted;
        continue;
      }
      if (now + config_.refresh_margin >= stale_at(it->second.status))
        work.emplace_back(share(it->second.leaf.get()), share(it->second.issuer.get()));
      ++it;
    }
  }
  for (const auto& [leaf, issuer] : work) {
    auto exchange = OcspExchange::create(leaf.get(), issuer.get(), config_.send_nonce);
    if (!exchange) {
      report.failures.push_back(exchange.error());
      continue;
    }
    const auto url = responder_for(leaf.get(), issuer.get());
    if (!url) continue;  // cannot happen for a cached entry unless the config changed
    if (auto fetched = fetch(leaf.get(), issuer.get(), *exchange, *url, now); fetched)
      ++report.refreshed;
    else
      report.failures.push_back(fetched.error());
  }
  return report;
}

std::size_t OcspChecker::cache_size() const {
  std::lock_guard lock(mutex_);
  return cache_.size();
}

Result<void> ocsp_verdict(const OcspStatus& status, const X509* leaf) {
  switch (status.status) {
    case CertStatus::kGood:
      return {};
    case CertStatus::kRevoked:
      return fail(ErrorCode::kCertRevoked,
                  quoted_subject(leaf) + " is revoked (" +
                      revocation_reason_name(status.revocation_reason) + ")" +
                      (status.revoked_at ? " since " + format_utc_time(*status.revoked_at) : "") +
                      " according to OCSP responder " + status.responder_url);
    case CertStatus::kUnknown:
      break;
  }
  return fail(ErrorCode::kCertUntrusted, "OCSP responder " + status.responder_url +
                                             " does not know " + quoted_subject(leaf) +
                                             " (status unknown)");
}

}  // namespace lienthong::crypto
