// The trust directory as administrators change it (crypto::TrustDirectory), the snapshot the
// gateway reads from it, and the authenticate stage with pins (exchange::MemberAuthenticator).
#include "gateway/crypto/trust_directory.h"

#include <gtest/gtest.h>
#include <openssl/x509v3.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

#include "gateway/crypto/key_material.h"
#include "gateway/crypto/trust_snapshot.h"
#include "gateway/exchange/member_authenticator.h"
#include "tests/support/manual_clock.h"
#include "tests/support/test_pki.h"

namespace lienthong::crypto {
namespace {

namespace fs = std::filesystem;

X509Ptr cert(const std::string& name, const std::string& kt = "ec") {
  auto certs = load_certificates(testing::pki_file(kt, name + ".crt"));
  EXPECT_TRUE(certs && certs->size() == 1);
  return std::move(certs->front());
}

X509CrlPtr crl(const std::string& name, const std::string& kt = "ec") {
  auto crls = load_crls(testing::pki_file(kt, name));
  EXPECT_TRUE(crls && crls->size() == 1);
  return std::move(crls->front());
}

class TrustDirectoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ =
        fs::path(::testing::TempDir()) /
        ("trust-" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(dir_);
    fs::copy(testing::test_pki_dir() / "ec" / "trust", dir_, fs::copy_options::recursive);
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path dir_;
  TimePoint now_ = std::chrono::system_clock::now();
  TrustDirectory dir() const { return TrustDirectory(dir_); }
};

TEST_F(TrustDirectoryTest, PinBindsACertificateToItsOrganAndTheSnapshotFindsIt) {
  auto h20 = cert("member-h20");
  auto change = dir().pin_member(h20.get(), "000.00.00.H20", "", now_);
  ASSERT_TRUE(change) << change.error().detail;
  ASSERT_EQ(change->written.size(), 1u);
  EXPECT_EQ(change->written.front().filename(), sha256_fingerprint(h20.get()) + ".json");
  auto snapshot = TrustSnapshot::load(dir_, 7);
  ASSERT_TRUE(snapshot) << snapshot.error().detail;
  EXPECT_EQ((*snapshot)->generation(), 7u);
  const MemberPin* pin = (*snapshot)->pin(sha256_fingerprint(h20.get()));
  ASSERT_NE(pin, nullptr);
  EXPECT_EQ(pin->organ_code, "000.00.00.H20");
  // Pinned twice: refused, nothing written.
  EXPECT_FALSE(dir().pin_member(h20.get(), "000.00.00.H20", "", now_));
}

TEST_F(TrustDirectoryTest, PinRefusesAnotherOrganARevokedOrExpiredCertificateAndACa) {
  auto g22 = cert("member-g22");
  auto wrong = dir().pin_member(g22.get(), "000.00.00.H20", "", now_);
  ASSERT_FALSE(wrong);
  EXPECT_NE(wrong.error().detail.find("names organ 000.00.00.G22"), std::string::npos);
  auto revoked = dir().pin_member(cert("member-revoked").get(), "000.00.00.H29", "", now_);
  ASSERT_FALSE(revoked);
  EXPECT_EQ(revoked.error().code, ErrorCode::kCertRevoked);
  auto expired = dir().pin_member(cert("member-expired").get(), "000.00.00.H30", "", now_);
  ASSERT_FALSE(expired);
  EXPECT_EQ(expired.error().code, ErrorCode::kCertExpired);
  auto ca = dir().pin_member(cert("intermediate-ca").get(), "000.00.00.H20", "", now_);
  ASSERT_FALSE(ca);
  EXPECT_FALSE(fs::exists(dir_ / "members") && !fs::is_empty(dir_ / "members"));
}

TEST_F(TrustDirectoryTest, AMemberOfAnotherHierarchyDoesNotChainAndIsRefused) {
  auto rsa_member = cert("member-h20", "rsa");
  auto pinned = dir().pin_member(rsa_member.get(), "000.00.00.H20", "", now_);
  ASSERT_FALSE(pinned);
  EXPECT_EQ(pinned.error().code, ErrorCode::kCertUntrusted);
}

TEST_F(TrustDirectoryTest, AnchorsAndIntermediatesKeepTheirRoles) {
  EXPECT_FALSE(dir().add_anchor(cert("intermediate-ca", "rsa").get(), now_));  // not self-signed
  EXPECT_FALSE(dir().add_anchor(cert("member-g22", "rsa").get(), now_));       // not a CA
  EXPECT_FALSE(dir().add_anchor(cert("root-ca").get(), now_));                 // already there
  auto anchor = dir().add_anchor(cert("root-ca", "rsa").get(), now_);
  ASSERT_TRUE(anchor) << anchor.error().detail;
  EXPECT_FALSE(dir().add_intermediate(cert("root-ca", "rsa").get(), now_));  // self-signed
  auto intermediate = dir().add_intermediate(cert("intermediate-ca", "rsa").get(), now_);
  ASSERT_TRUE(intermediate) << intermediate.error().detail;
  // The RSA members chain now.
  EXPECT_TRUE(dir().pin_member(cert("member-h20", "rsa").get(), "000.00.00.H20", "", now_));
}

TEST_F(TrustDirectoryTest, UnpinByFingerprintPrefixOrOrgan) {
  auto h20 = cert("member-h20");
  auto g22 = cert("member-g22");
  ASSERT_TRUE(dir().pin_member(h20.get(), "000.00.00.H20", "", now_));
  ASSERT_TRUE(dir().pin_member(g22.get(), "000.00.00.G22", "", now_));
  EXPECT_FALSE(dir().unpin("abc"));  // too short to name anything safely
  auto by_prefix = dir().unpin(sha256_fingerprint(h20.get()).substr(0, 12));
  ASSERT_TRUE(by_prefix) << by_prefix.error().detail;
  auto by_organ = dir().unpin("000.00.00.G22");
  ASSERT_TRUE(by_organ) << by_organ.error().detail;
  auto none = dir().unpin("000.00.00.G22");
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code, ErrorCode::kNotFound);
  auto contents = dir().read();
  ASSERT_TRUE(contents);
  EXPECT_TRUE(contents->pins.empty());
}

TEST_F(TrustDirectoryTest, TheLastAnchorCannotBeRemoved) {
  auto removed = dir().remove(sha256_fingerprint(cert("root-ca").get()));
  ASSERT_FALSE(removed);
  EXPECT_NE(removed.error().detail.find("last anchor"), std::string::npos);
  ASSERT_TRUE(dir().add_anchor(cert("root-ca", "rsa").get(), now_));
  EXPECT_TRUE(dir().remove(sha256_fingerprint(cert("root-ca").get())));
}

TEST_F(TrustDirectoryTest, CrlsMustComeFromAKnownIssuerAndBeNewer) {
  // The dev PKI's own CRL is already in place: the same one again is not newer.
  auto same = dir().import_crl(crl("intermediate-ca.crl.pem").get(), now_);
  ASSERT_FALSE(same);
  EXPECT_NE(same.error().detail.find("not newer"), std::string::npos);
  // Another hierarchy's CRL: its issuer is not trusted here.
  auto foreign = dir().import_crl(crl("intermediate-ca.crl.pem", "rsa").get(), now_);
  ASSERT_FALSE(foreign);
  // Stale: judged a year later.
  fs::remove_all(dir_ / "crls");
  auto stale =
      dir().import_crl(crl("intermediate-ca.crl.pem").get(), now_ + std::chrono::hours(24 * 365));
  ASSERT_FALSE(stale);
  EXPECT_NE(stale.error().detail.find("stale"), std::string::npos);
  auto fresh = dir().import_crl(crl("intermediate-ca.crl.pem").get(), now_);
  ASSERT_TRUE(fresh) << fresh.error().detail;
}

TEST_F(TrustDirectoryTest, ABadFileRefusesTheWholeSnapshotNamingIt) {
  std::ofstream(dir_ / "anchors" / "broken.pem") << "not a certificate\n";
  auto snapshot = TrustSnapshot::load(dir_);
  ASSERT_FALSE(snapshot);
  EXPECT_NE(snapshot.error().detail.find("broken.pem"), std::string::npos);
}

TEST_F(TrustDirectoryTest, AHandEditedPinNamingAnotherOrganIsRefused) {
  auto h20 = cert("member-h20");
  auto change = dir().pin_member(h20.get(), "000.00.00.H20", "", now_);
  ASSERT_TRUE(change);
  auto bytes = read_file(change->written.front());
  ASSERT_TRUE(bytes);
  std::string edited = *bytes;
  edited.replace(edited.find("000.00.00.H20"), 13, "000.00.00.G22");
  std::ofstream(change->written.front(), std::ios::trunc) << edited;
  auto snapshot = TrustSnapshot::load(dir_);
  ASSERT_FALSE(snapshot);
  EXPECT_NE(snapshot.error().detail.find("does not name organ 000.00.00.G22"), std::string::npos);
}

TEST_F(TrustDirectoryTest, ConcurrentPinsAreAllWritten) {
  // Four administrators at once: the directory lock serialises them; every pin lands.
  const std::vector<std::pair<std::string, std::string>> members = {
      {"member-g22", "000.00.00.G22"},
      {"member-h20", "000.00.00.H20"},
      {"member-h47", "001.00.10.H47"},
      {"member-ocsp", "000.00.00.H31"}};
  std::vector<std::thread> admins;
  std::atomic<int> ok{0};
  for (const auto& [name, organ] : members)
    admins.emplace_back([&, name, organ] {
      if (dir().pin_member(cert(name).get(), organ, "", now_)) ++ok;
    });
  for (auto& t : admins) t.join();
  EXPECT_EQ(ok.load(), 4);
  auto contents = dir().read();
  ASSERT_TRUE(contents);
  EXPECT_EQ(contents->pins.size(), 4u);
}

TEST_F(TrustDirectoryTest, SnapshotsReadDuringChangesSeeWholeChangesOnly) {
  // The gateway reloads while an administrator pins and unpins: a pin listed and then unlinked
  // before it is read would refuse the reload. Readers wait for the change in progress.
  ASSERT_TRUE(dir().pin_member(cert("member-g22").get(), "000.00.00.G22", "", now_));
  auto h47 = cert("member-h47");
  std::atomic<bool> done{false};
  std::atomic<int> changes{0};
  std::thread admin([&] {
    for (int i = 0; i < 60; ++i) {
      const bool ok = i % 2 == 0
                          ? dir().pin_member(h47.get(), "001.00.10.H47", "", now_).has_value()
                          : dir().unpin("001.00.10.H47").has_value();
      if (ok) ++changes;
    }
    done = true;
  });
  int loads = 0;
  std::vector<std::string> refusals;
  while (!done || loads == 0) {
    auto snapshot = TrustSnapshot::load(dir_);
    ++loads;
    if (!snapshot) {
      refusals.push_back(snapshot.error().detail);
      continue;
    }
    const std::size_t pins = (*snapshot)->contents().pins.size();
    if (pins != 1 && pins != 2) refusals.push_back("pins: " + std::to_string(pins));
  }
  admin.join();
  EXPECT_EQ(changes.load(), 60);
  EXPECT_TRUE(refusals.empty()) << refusals.size() << " of " << loads << " loads refused, first: "
                                << (refusals.empty() ? "" : refusals.front());
}

Member member_of(const std::string& name, const std::string& organ, const std::string& ou) {
  auto c = cert(name);
  Member m;
  m.organ_code = organ;
  m.subsystem = ou;
  m.certificate_fingerprint = sha256_fingerprint(c.get());
  m.certificate_der = to_der(c.get());
  return m;
}

TEST_F(TrustDirectoryTest, PinnedAuthenticationFollowsTheSnapshotInForce) {
  ASSERT_TRUE(dir().pin_member(cert("member-h20").get(), "000.00.00.H20", "một cửa", now_));
  auto first = TrustSnapshot::load(dir_, 1);
  ASSERT_TRUE(first);
  auto cell = std::make_shared<SnapshotCell<TrustSnapshot>>(*first);
  auto clock = std::make_shared<testing::ManualClock>(now_);
  exchange::MemberAuthenticator auth(cell, clock, exchange::MemberPinning::kRequired);
  const Member h20 = member_of("member-h20", "000.00.00.H20", "một cửa");
  EXPECT_TRUE(auth.authenticate(h20));
  // Another subsystem of the same organ: the pin names one subsystem only.
  auto other_subsystem = auth.authenticate(member_of("member-h20", "000.00.00.H20", "khác"));
  ASSERT_FALSE(other_subsystem);
  EXPECT_EQ(other_subsystem.error().code, ErrorCode::kCertUntrusted);
  // Chains to the anchor but is not pinned.
  auto g22 = auth.authenticate(member_of("member-g22", "000.00.00.G22", "một cửa"));
  ASSERT_FALSE(g22);
  EXPECT_NE(g22.error().detail.find("not pinned"), std::string::npos);
  // Revoked: the certificate's own verdict comes before "not pinned".
  auto revoked = auth.authenticate(member_of("member-revoked", "000.00.00.H29", ""));
  ASSERT_FALSE(revoked);
  EXPECT_EQ(revoked.error().code, ErrorCode::kCertRevoked);
  // Unpinned and reloaded: refused from the next request on, despite the cached validation.
  ASSERT_TRUE(dir().unpin("000.00.00.H20"));
  auto second = TrustSnapshot::load(dir_, 2);
  ASSERT_TRUE(second);
  cell->set(*second);
  EXPECT_FALSE(auth.authenticate(h20));
  // With pinning off, the chain alone decides.
  exchange::MemberAuthenticator open(cell, clock, exchange::MemberPinning::kOff);
  EXPECT_TRUE(open.authenticate(h20));
}

}  // namespace
}  // namespace lienthong::crypto
