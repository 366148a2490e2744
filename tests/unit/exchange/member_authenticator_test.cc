#include "gateway/exchange/member_authenticator.h"

#include <gtest/gtest.h>

#include "gateway/crypto/openssl_types.h"
#include "tests/support/manual_clock.h"
#include "tests/support/test_pki.h"

namespace lienthong::exchange {
namespace {

using namespace std::chrono_literals;

Member member(const std::string& kt, const std::string& name) {
  auto cert = testing::certificate(kt, name);
  auto inter = testing::certificate(kt, "intermediate-ca");
  Member m;
  m.certificate_der = crypto::to_der(cert.get());
  m.certificate_fingerprint = crypto::sha256_fingerprint(cert.get());
  m.chain_der = {crypto::to_der(inter.get())};
  return m;
}

TEST(MemberAuthenticator, ValidRevokedExpiredAndForeign) {
  auto clock = std::make_shared<testing::ManualClock>(std::chrono::system_clock::now());
  for (const std::string kt : {"ec", "rsa"}) {
    MemberAuthenticator auth(testing::trust_store(kt), clock);
    EXPECT_TRUE(auth.authenticate(member(kt, "member-g22")));
    EXPECT_EQ(auth.authenticate(member(kt, "member-revoked")).error().code,
              ErrorCode::kCertRevoked);
    EXPECT_EQ(auth.authenticate(member(kt, "member-expired")).error().code,
              ErrorCode::kCertExpired);
    // A server certificate is not a client certificate.
    EXPECT_EQ(auth.authenticate(member(kt, "gateway-tls")).error().code,
              ErrorCode::kCertUntrusted);
  }
  // A member of the other hierarchy is unknown here.
  MemberAuthenticator ec_only(testing::trust_store("ec"), clock);
  EXPECT_EQ(ec_only.authenticate(member("rsa", "member-g22")).error().code,
            ErrorCode::kCertUntrusted);
}

TEST(MemberAuthenticator, CachedValidationStillEndsWithTheCertificate) {
  auto clock = std::make_shared<testing::ManualClock>(std::chrono::system_clock::now());
  MemberAuthenticator auth(testing::trust_store("ec"), clock, 3600s);
  auto g22 = member("ec", "member-g22");
  ASSERT_TRUE(auth.authenticate(g22));
  ASSERT_TRUE(auth.authenticate(g22));  // from the cache
  clock->set(clock->now() + std::chrono::hours(24 * 365 * 3));  // past notAfter (730 days)
  EXPECT_FALSE(auth.authenticate(g22));
}

TEST(MemberAuthenticator, GarbageCertificateIsUntrusted) {
  auto clock = std::make_shared<testing::ManualClock>(std::chrono::system_clock::now());
  MemberAuthenticator auth(testing::trust_store("ec"), clock);
  Member m;
  m.certificate_der = "not a certificate";
  m.certificate_fingerprint = "00";
  EXPECT_EQ(auth.authenticate(m).error().code, ErrorCode::kCertUntrusted);
  EXPECT_EQ(auth.authenticate(Member{}).error().code, ErrorCode::kCertUntrusted);
}

}  // namespace
}  // namespace lienthong::exchange
