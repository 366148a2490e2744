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

MemberAuthenticator::MemberAuthenticator(crypto::TrustStore::Ptr trust, Clock::Ptr clock,
                                         std::chrono::seconds cache_for)
    : trust_(std::move(trust)), clock_(std::move(clock)), cache_for_(cache_for) {}

Result<void> MemberAuthenticator::authenticate(const Member& member) const {
  if (member.certificate_der.empty() || member.certificate_fingerprint.empty()) {
    return fail(ErrorCode::kCertUntrusted, "no client certificate");
  }
  const TimePoint now = clock_->now();
  {
    std::lock_guard lock(mutex_);
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
  auto path = trust_->validate(check);
  if (!path) return tl::unexpected(path.error());
  const TimePoint until = std::min(path->valid_until, now + cache_for_);
  std::lock_guard lock(mutex_);
  if (valid_until_.size() > 10'000) valid_until_.clear();  // bounded: members are few
  valid_until_[member.certificate_fingerprint] = until;
  return {};
}

}  // namespace lienthong::exchange
