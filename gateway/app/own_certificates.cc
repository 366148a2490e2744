#include "gateway/app/own_certificates.h"

#include <fmt/format.h>

#include "gateway/crypto/certificate_checks.h"

namespace lienthong::app {

void check_own_certificates(const std::vector<OwnCertificate>& own,
                            const crypto::TrustSnapshot* trust, TimePoint now,
                            exchange::Readiness& r) {
  for (const auto& c : own) {
    const long long left = crypto::seconds_to_expiry(c.cert.get(), now);
    const std::string what = c.role + " certificate '" + crypto::subject_dn(c.cert.get()) + "'";
    if (left <= 0) {
      r.notes.push_back(what + " has expired");
      if (c.required_for_readiness)
        r.ready = false;
      else
        r.degraded = true;
      continue;
    }
    if (left < std::chrono::duration_cast<std::chrono::seconds>(kExpiryWarning).count()) {
      r.degraded = true;
      r.notes.push_back(fmt::format("{} expires in {} days", what, left / 86'400));
    }
    if (trust == nullptr) continue;
    std::vector<X509*> untrusted;
    for (const auto& i : c.chain) untrusted.push_back(i.get());
    auto path = trust->check(c.cert.get(), untrusted, now, 0);
    if (!path && path.error().code == ErrorCode::kCertRevoked) {
      r.notes.push_back(what + " is revoked");
      if (c.required_for_readiness)
        r.ready = false;
      else
        r.degraded = true;
    }
  }
}

void render_own_certificates(const std::vector<OwnCertificate>& own, TimePoint now,
                             std::string& out) {
  out +=
      "# HELP lienthong_own_certificate_expiry_seconds Seconds until the gateway's own "
      "certificate expires (negative: expired).\n"
      "# TYPE lienthong_own_certificate_expiry_seconds gauge\n";
  for (const auto& c : own)
    out += fmt::format("lienthong_own_certificate_expiry_seconds{{role=\"{}\"}} {}\n", c.role,
                       crypto::seconds_to_expiry(c.cert.get(), now));
}

}  // namespace lienthong::app
