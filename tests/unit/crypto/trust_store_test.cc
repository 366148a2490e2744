#include "gateway/crypto/trust_store.h"

#include <gtest/gtest.h>

#include "tests/support/test_pki.h"

namespace lienthong::crypto {
namespace {

using testing::certificate;
using testing::trust_store;

PathCheck check_of(const X509* leaf, TimePoint at = std::chrono::system_clock::now()) {
  PathCheck check;
  check.leaf = leaf;
  check.at = at;
  return check;
}

class TrustStoreTest : public ::testing::TestWithParam<std::string> {};

TEST_P(TrustStoreTest, ValidMemberChainsToTheRoot) {
  auto store = trust_store(GetParam());
  auto leaf = certificate(GetParam(), "member-g22");
  auto path = store->validate(check_of(leaf.get()));
  ASSERT_TRUE(path) << path.error().detail;
  ASSERT_EQ(path->chain.size(), 3u);  // leaf, intermediate, root
  EXPECT_NE(subject_dn(path->chain.front().get()).find("000.00.00.G22"), std::string::npos);
  EXPECT_LT(path->valid_from, path->valid_until);
}

TEST_P(TrustStoreTest, ExpiredMemberIsCertExpired) {
  auto leaf = certificate(GetParam(), "member-expired");
  auto path = trust_store(GetParam())->validate(check_of(leaf.get()));
  ASSERT_FALSE(path);
  EXPECT_EQ(path.error().code, ErrorCode::kCertExpired);
  EXPECT_NE(path.error().detail.find("expired at 2025-01-01"), std::string::npos)
      << path.error().detail;
}

TEST_P(TrustStoreTest, ValidationTimeComesFromTheCaller) {
  auto store = trust_store(GetParam());
  auto leaf = certificate(GetParam(), "member-g22");
  const auto tomorrow = std::chrono::system_clock::now() + std::chrono::hours(24);
  EXPECT_TRUE(store->validate(check_of(leaf.get(), tomorrow)));
  // Long after the leaf expires: expiry wins over the stale CRL that is also found.
  auto future = store->validate(check_of(leaf.get(), *parse_utc_time("2099-01-01 00:00:00")));
  ASSERT_FALSE(future);
  EXPECT_EQ(future.error().code, ErrorCode::kCertExpired);
  EXPECT_NE(future.error().detail.find("expired at"), std::string::npos) << future.error().detail;
  // Before the dev PKI existed: nothing on the path is valid yet.
  auto past = store->validate(check_of(leaf.get(), *parse_utc_time("2020-01-01 00:00:00")));
  ASSERT_FALSE(past);
  EXPECT_EQ(past.error().code, ErrorCode::kCertExpired);
  EXPECT_NE(past.error().detail.find("not valid before"), std::string::npos) << past.error().detail;
}

TEST_P(TrustStoreTest, RevokedMemberIsCertRevoked) {
  auto leaf = certificate(GetParam(), "member-revoked");
  auto path = trust_store(GetParam())->validate(check_of(leaf.get()));
  ASSERT_FALSE(path);
  EXPECT_EQ(path.error().code, ErrorCode::kCertRevoked);
}

TEST_P(TrustStoreTest, OtherHierarchyIsUntrusted) {
  const std::string other = GetParam() == "rsa" ? "ec" : "rsa";
  auto leaf = certificate(other, "member-g22");
  auto path = trust_store(GetParam())->validate(check_of(leaf.get()));
  ASSERT_FALSE(path);
  EXPECT_EQ(path.error().code, ErrorCode::kCertUntrusted);
}

TEST_P(TrustStoreTest, IntermediateMayArriveWithTheDocument) {
  TrustMaterial material;
  material.anchors.push_back(certificate(GetParam(), "root-ca"));
  auto store = X509TrustStore::create(std::move(material));
  ASSERT_TRUE(store);
  auto leaf = certificate(GetParam(), "gateway-sign");
  auto intermediate = certificate(GetParam(), "intermediate-ca");
  EXPECT_FALSE((*store)->validate(check_of(leaf.get())));
  auto check = check_of(leaf.get());
  check.untrusted.push_back(intermediate.get());
  auto path = (*store)->validate(check);
  EXPECT_TRUE(path) << path.error().detail;
}

TEST_P(TrustStoreTest, CrlRequiredModeRefusesIssuersWithoutCrl) {
  auto without_crls = [&] {
    TrustMaterial material;
    material.anchors.push_back(certificate(GetParam(), "root-ca"));
    material.intermediates.push_back(certificate(GetParam(), "intermediate-ca"));
    return material;
  };
  auto relaxed = X509TrustStore::create(without_crls(), CrlMode::kIfAvailable);
  auto required = X509TrustStore::create(without_crls(), CrlMode::kRequired);
  ASSERT_TRUE(relaxed && required);
  auto leaf = certificate(GetParam(), "member-g22");
  EXPECT_TRUE((*relaxed)->validate(check_of(leaf.get())));
  auto refused = (*required)->validate(check_of(leaf.get()));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kCertUntrusted);
}

TEST_P(TrustStoreTest, PinnedLeafInAnchorsIsTrustedWithoutItsChain) {
  TrustMaterial material;
  material.anchors.push_back(certificate(GetParam(), "member-h20"));
  auto store = X509TrustStore::create(std::move(material));
  ASSERT_TRUE(store);
  auto leaf = certificate(GetParam(), "member-h20");
  EXPECT_TRUE((*store)->validate(check_of(leaf.get())));
  auto other = certificate(GetParam(), "member-g22");
  EXPECT_FALSE((*store)->validate(check_of(other.get())));
}

INSTANTIATE_TEST_SUITE_P(DevPki, TrustStoreTest, ::testing::Values("rsa", "ec"));

TEST(TrustMaterial, DirectoryNeedsAnchors) {
  auto missing = TrustMaterial::from_directory("/nonexistent");
  ASSERT_FALSE(missing);
  auto merged = TrustMaterial::from_directory(testing::test_pki_dir() / "trust");
  ASSERT_TRUE(merged) << merged.error().detail;
  EXPECT_EQ(merged->anchors.size(), 2u);
  EXPECT_EQ(merged->intermediates.size(), 2u);
  EXPECT_EQ(merged->crls.size(), 4u);
}

TEST(TrustStore, StrictSecurityLevelRefusesWeakChains) {
  // The xmlsec interop chain: 512-bit RSA leaf and intermediate under a 1024-bit root.
  const auto keys = testing::conformance_dir() / "xmldsig/keys";
  auto root = load_certificates(keys / "cacert.pem");
  auto mid = load_certificates(keys / "ca2cert.pem");
  auto leaf = load_certificates(keys / "rsacert.pem");
  ASSERT_TRUE(root && mid && leaf);
  TrustMaterial material;
  material.anchors.push_back(std::move(root->front()));
  material.intermediates.push_back(std::move(mid->front()));
  auto store = X509TrustStore::create(std::move(material));
  ASSERT_TRUE(store);
  auto check = check_of(leaf->front().get());
  check.security_level = 0;
  EXPECT_TRUE((*store)->validate(check));
  check.security_level = 2;
  auto strict = (*store)->validate(check);
  ASSERT_FALSE(strict);
  EXPECT_EQ(strict.error().code, ErrorCode::kCertUntrusted);
}

}  // namespace
}  // namespace lienthong::crypto
