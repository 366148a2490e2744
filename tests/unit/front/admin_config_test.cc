// [admin] in the gateway's configuration: off unless present, required keys when enabled,
// unknown keys refused, relative paths resolved against the file's folder.
#include <gtest/gtest.h>

#include <fstream>

#include "gateway/app/gateway_config.h"
#include "tests/unit/front/tls_test_certs.h"

namespace lienthong::app {
namespace {

constexpr const char* kBase = R"(
[tls]
certificate_chain = "tls.pem"
private_key = "tls.key"
client_trust = "trust"
[http]
port = 0
[signing]
key = "sign.key"
certificate = "sign.crt"
[policy]
file = "policy.toml"
[audit]
directory = "audit"
)";

class AdminConfigTest : public ::testing::Test {
 protected:
  Result<GatewayConfig> load(const std::string& admin_section) {
    const auto file = dir_.path() / "gateway.toml";
    std::ofstream(file) << kBase << admin_section;
    return load_gateway_config(file);
  }
  lienthong::testing::ScratchDir dir_;
};

TEST_F(AdminConfigTest, OffWithoutTheSection) {
  auto c = load("");
  ASSERT_TRUE(c) << c.error().detail;
  EXPECT_FALSE(c->admin.enabled);
}

TEST_F(AdminConfigTest, ReadsEveryKey) {
  auto c = load(R"(
[admin]
address = "127.0.0.2"
port = 9443
threads = 2
client_trust = "admin-trust"
administrators = ["admins/a.crt", "/etc/lienthong/b.pem"]
)");
  ASSERT_TRUE(c) << c.error().detail;
  EXPECT_TRUE(c->admin.enabled);
  EXPECT_EQ(c->admin.address, "127.0.0.2");
  EXPECT_EQ(c->admin.port, 9443);
  EXPECT_EQ(c->admin.threads, 2);
  EXPECT_EQ(c->admin.client_trust, dir_.path() / "admin-trust");
  ASSERT_EQ(c->admin.administrators.size(), 2u);
  EXPECT_EQ(c->admin.administrators[0], dir_.path() / "admins/a.crt");
  EXPECT_EQ(c->admin.administrators[1], "/etc/lienthong/b.pem");
}

TEST_F(AdminConfigTest, RefusesMissingAdministratorsAndUnknownKeys) {
  auto c = load("[admin]\nclient_trust = \"trust\"\n");
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().detail.find("administrators"), std::string::npos) << c.error().detail;
  c = load("[admin]\nclient_trust = \"trust\"\nadministrators = []\n");
  ASSERT_FALSE(c);
  c = load("[admin]\nadministrators = [\"a.crt\"]\n");
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().detail.find("client_trust"), std::string::npos) << c.error().detail;
  c = load("[admin]\nclient_trust = \"trust\"\nadministrators = [\"a.crt\"]\nadmins = 1\n");
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().detail.find("admins"), std::string::npos) << c.error().detail;
  // Disabled: nothing else is required.
  c = load("[admin]\nenabled = false\n");
  ASSERT_TRUE(c) << c.error().detail;
  EXPECT_FALSE(c->admin.enabled);
}

}  // namespace
}  // namespace lienthong::app
