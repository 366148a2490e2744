// /readyz and /metrics on the gateway's own certificates (gateway/app/own_certificates.h):
// a warning 30 days ahead, not ready once the signing certificate has expired or is revoked.
#include "gateway/app/own_certificates.h"

#include <gtest/gtest.h>

#include "gateway/crypto/key_material.h"
#include "gateway/crypto/trust_store.h"
#include "tests/support/test_pki.h"

namespace lienthong::app {
namespace {

crypto::X509Ptr cert(const std::string& name) {
  auto certs = crypto::load_certificates(testing::pki_file("ec", name + ".crt"));
  EXPECT_TRUE(certs && !certs->empty());
  return std::move(certs->front());
}

std::vector<OwnCertificate> own(const std::string& signing, const std::string& tls) {
  std::vector<OwnCertificate> out;
  out.push_back({"signing", cert(signing), {}, true});
  out.push_back({"tls", cert(tls), {}, false});
  return out;
}

TimePoint not_after(const std::string& name) {
  return crypto::to_time_point(X509_get0_notAfter(cert(name).get()));
}

TEST(OwnCertificates, ValidCertificatesLeaveReadinessAlone) {
  auto trust = crypto::TrustSnapshot::load(testing::test_pki_dir() / "ec" / "trust");
  ASSERT_TRUE(trust) << trust.error().detail;
  exchange::Readiness r;
  check_own_certificates(own("gateway-sign", "gateway-tls"), trust->get(),
                         not_after("gateway-sign") - std::chrono::hours(24 * 90), r);
  EXPECT_TRUE(r.ready);
  EXPECT_FALSE(r.degraded);
  EXPECT_TRUE(r.notes.empty());
}

TEST(OwnCertificates, ThirtyDaysAheadIsAWarning) {
  exchange::Readiness r;
  check_own_certificates(own("gateway-sign", "gateway-tls"), nullptr,
                         not_after("gateway-sign") - std::chrono::hours(24 * 10), r);
  EXPECT_TRUE(r.ready);
  EXPECT_TRUE(r.degraded);
  ASSERT_FALSE(r.notes.empty());
  EXPECT_NE(r.notes.front().find("signing certificate"), std::string::npos);
  EXPECT_NE(r.notes.front().find("expires in 10 days"), std::string::npos);
}

TEST(OwnCertificates, AnExpiredSigningCertificateIsNotReadyAnExpiredTlsOneDegrades) {
  const TimePoint after =
      std::max(not_after("gateway-sign"), not_after("gateway-tls")) + std::chrono::hours(24);
  exchange::Readiness r;
  check_own_certificates(own("gateway-sign", "gateway-tls"), nullptr, after, r);
  EXPECT_FALSE(r.ready);
  exchange::Readiness tls_only;
  std::vector<OwnCertificate> just_tls;
  just_tls.push_back({"tls", cert("gateway-tls"), {}, false});
  check_own_certificates(just_tls, nullptr, after, tls_only);
  EXPECT_TRUE(tls_only.ready);
  EXPECT_TRUE(tls_only.degraded);
}

TEST(OwnCertificates, ARevokedSigningCertificateIsNotReady) {
  // member-revoked is listed in the dev intermediate's CRL: standing in for a revoked signer.
  auto trust = crypto::TrustSnapshot::load(testing::test_pki_dir() / "ec" / "trust");
  ASSERT_TRUE(trust);
  exchange::Readiness r;
  check_own_certificates(own("member-revoked", "gateway-tls"), trust->get(),
                         std::chrono::system_clock::now(), r);
  EXPECT_FALSE(r.ready);
  bool said = false;
  for (const auto& n : r.notes) said |= n.find("is revoked") != std::string::npos;
  EXPECT_TRUE(said);
}

TEST(OwnCertificates, MetricsCarrySecondsToExpiryPerRole) {
  std::string out;
  const TimePoint at = not_after("gateway-sign") - std::chrono::seconds(100);
  render_own_certificates(own("gateway-sign", "gateway-tls"), at, out);
  EXPECT_NE(out.find("lienthong_own_certificate_expiry_seconds{role=\"signing\"} 100\n"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("role=\"tls\""), std::string::npos);
}

}  // namespace
}  // namespace lienthong::app
