#include "gateway/policy/trust_members.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "gateway/crypto/key_material.h"
#include "gateway/crypto/trust_directory.h"
#include "tests/support/test_pki.h"

namespace lienthong::policy {
namespace {

namespace fs = std::filesystem;

TEST(TrustMembers, ReadsThePinsOfTheTrustDirectory) {
  const fs::path dir = fs::path(::testing::TempDir()) / "policy-trust";
  fs::remove_all(dir);
  fs::copy(testing::test_pki_dir() / "ec" / "trust", dir, fs::copy_options::recursive);
  const crypto::TrustDirectory trust(dir);
  const auto now = std::chrono::system_clock::now();
  for (const auto& [name, organ] : {std::pair{"member-g22", "000.00.00.G22"},
                                    std::pair{"member-h20", "000.00.00.H20"}}) {
    auto certs = crypto::load_certificates(testing::pki_file("ec", std::string(name) + ".crt"));
    ASSERT_TRUE(certs);
    auto pinned = trust.pin_member(certs->front().get(), organ, "", now);
    ASSERT_TRUE(pinned) << pinned.error().detail;
  }
  auto members = members_in_trust_directory(dir);
  ASSERT_TRUE(members) << members.error().detail;
  std::vector<std::string> organs;
  for (const auto& m : *members) organs.push_back(m.organ_code);
  std::sort(organs.begin(), organs.end());
  EXPECT_EQ(organs, (std::vector<std::string>{"000.00.00.G22", "000.00.00.H20"}));
  EXPECT_EQ(members->front().subsystem, "một cửa");  // the certificate's OU
  fs::remove_all(dir);
}

TEST(TrustMembers, MissingDirectoryIsAnError) {
  auto members = members_in_trust_directory("/nonexistent/trust");
  ASSERT_FALSE(members);
  EXPECT_NE(members.error().detail.find("/nonexistent/trust"), std::string::npos);
}

}  // namespace
}  // namespace lienthong::policy
