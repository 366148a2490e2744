#include "gateway/exchange/member_authenticator.h"

#include <openssl/x509v3.h>

#include <algorithm>

#include "gateway/crypto/openssl_types.h"

namespace lienthong::exchange {
namespace {

crypto::X509Ptr from_der(const std::string& der) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  return crypto::X509Ptr(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
}

}  // namespace

MemberAuthenticator::MemberAuthenticator(std::shared_ptr<TrustCell> trust, Clock::Ptr clock,
                                         MemberPinning pinning, crypto::OcspChecker::Ptr ocsp,
                                         std::chrono::seconds cache_for)
    : trust_(std::move(trust)),
      clock_(std::move(clock)),
      pinning_(pinning),
      ocsp_(std::move(ocsp)),
      cache_for_(cache_for) {}

Result<void> MemberAuthenticator::check_ocsp(const crypto::ValidatedPath& path) const {
  if (!ocsp_ || path.chain.size() < 2) return {};
  const X509* leaf = path.chain[0].get();
  const X509* issuer = path.chain[1].get();
  if (!ocsp_->responder_for(leaf, issuer)) return {};  // not subject to OCSP here
  auto status = ocsp_->check(leaf, issuer);
  if (!status) return tl::unexpected(status.error());
  return crypto::ocsp_verdict(*status, leaf);
}

std::vector<Error> MemberAuthenticator::prefetch_ocsp() const {
  std::vector<Error> failures;
  const auto snapshot = this->snapshot();
  if (!ocsp_ || !snapshot) return failures;
  for (const auto& pin : snapshot->contents().pins) {
    auto path = snapshot->check(pin.cert.get(), {}, clock_->now(), X509_PURPOSE_SSL_CLIENT);
    if (!path) continue;  // refused by the trust directory already; OCSP has nothing to add
    if (auto ok = check_ocsp(*path); !ok)
      failures.push_back(Error{ok.error().code, pin.organ_code + ": " + ok.error().detail});
  }
  return failures;
}

MemberAuthenticator::MemberAuthenticator(crypto::TrustStore::Ptr trust, Clock::Ptr clock,
                                         std::chrono::seconds cache_for)
    : bare_store_(std::move(trust)),
      clock_(std::move(clock)),
      pinning_(MemberPinning::kOff),
      cache_for_(cache_for) {}

Result<void> MemberAuthenticator::check_pin(const crypto::TrustSnapshot& snapshot,
                                            const Member& member) const {
  const crypto::MemberPin* pin = snapshot.pin(member.certificate_fingerprint);
  if (pin == nullptr)
    return fail(ErrorCode::kCertUntrusted,
                "this certificate is not pinned for any member (an administrator pins it with "
                "`lienthong trust pin-member`)");
  if (pin->organ_code != member.organ_code)
    return fail(ErrorCode::kCertUntrusted, "this certificate is pinned for organ " +
                                               pin->organ_code + ", not " + member.organ_code);
  if (!pin->subsystem.empty() && pin->subsystem != member.subsystem)
    return fail(ErrorCode::kCertUntrusted,
                "this certificate is pinned for subsystem '" + pin->subsystem + "' only");
  return {};
}

Result<void> MemberAuthenticator::authenticate(const Member& member) const {
  if (member.certificate_der.empty() || member.certificate_fingerprint.empty()) {
    return fail(ErrorCode::kCertUntrusted, "no client certificate");
  }
  const crypto::TrustSnapshot::Ptr snapshot = this->snapshot();
  if (pinning_ == MemberPinning::kRequired && !snapshot)
    return fail(ErrorCode::kInternal, "pinning required but no trust snapshot");
  // The certificate's own verdict first (CERT_REVOKED, CERT_EXPIRED say more than "not
  // pinned"), then whether it is pinned for the organ it claims.
  if (auto ok = validate_path(snapshot, member); !ok) return ok;
  if (pinning_ == MemberPinning::kRequired) return check_pin(*snapshot, member);
  return {};
}

Result<void> MemberAuthenticator::validate_path(const crypto::TrustSnapshot::Ptr& snapshot,
                                                const Member& member) const {
  const crypto::TrustStore::Ptr& store = snapshot ? snapshot->store() : bare_store_;
  const std::uint64_t generation = snapshot ? snapshot->generation() : 0;
  const TimePoint now = clock_->now();
  {
    std::lock_guard lock(mutex_);
    if (cached_generation_ != generation) {
      valid_until_.clear();  // a reload: a CRL added applies from the next request on
      cached_generation_ = generation;
    }
    auto it = valid_until_.find(member.certificate_fingerprint);
    if (it != valid_until_.end()) {
      if (now < it->second) return {};
      valid_until_.erase(it);
    }
  }
  auto leaf = from_der(member.certificate_der);
  if (!leaf) return fail(ErrorCode::kCertUntrusted, "client certificate is not valid DER");
  std::vector<crypto::X509Ptr> chain;
  std::vector<X509*> untrusted;
  for (const auto& der : member.chain_der) {
    if (auto cert = from_der(der)) {
      untrusted.push_back(cert.get());
      chain.push_back(std::move(cert));
    }
  }
  crypto::PathCheck check;
  check.leaf = leaf.get();
  check.untrusted = untrusted;
  check.at = now;
  check.purpose = X509_PURPOSE_SSL_CLIENT;
  auto path = store->validate(check);
  if (!path) return tl::unexpected(path.error());
  if (auto ok = check_ocsp(*path); !ok) return ok;
  const TimePoint until = std::min(path->valid_until, now + cache_for_);
  std::lock_guard lock(mutex_);
  if (cached_generation_ != generation) return {};  // a reload happened meanwhile: cache nothing
  if (valid_until_.size() > 10'000) valid_until_.clear();  // bounded: members are few
  valid_until_[member.certificate_fingerprint] = until;
  return {};
}

}  // namespace lienthong::exchange
