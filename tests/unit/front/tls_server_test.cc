// configure_server_tls and member_from_peer, driven by in-memory TLS handshakes (a BIO pair)
// between an OpenSSL client and a server context set up by the code under test.
#include "gateway/front/tls/server_tls.h"

#include <gtest/gtest.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <filesystem>
#include <memory>
#include <set>

#include "gateway/crypto/openssl_types.h"
#include "tests/support/test_pki.h"
#include "tests/unit/front/tls_test_certs.h"

namespace lienthong::front {
namespace {

using testing::certificate;
using testing::CertSpec;
using testing::dev_server_tls;
using testing::issue_cert;
using testing::issue_from_dev_intermediate;
using testing::pki_file;

struct CtxFree {
  void operator()(SSL_CTX* c) const { SSL_CTX_free(c); }
};
struct SslFree {
  void operator()(SSL* s) const { SSL_free(s); }
};
using CtxPtr = std::unique_ptr<SSL_CTX, CtxFree>;
using SslPtr = std::unique_ptr<SSL, SslFree>;

CtxPtr server_ctx(const ServerTlsConfig& config = dev_server_tls()) {
  CtxPtr ctx(SSL_CTX_new(TLS_server_method()));
  auto ok = configure_server_tls(ctx.get(), config);
  if (!ok) throw std::runtime_error(ok.error().detail);
  return ctx;
}

// A client that checks the gateway's certificate against the dev roots and presents
// `chain_file`/`key_file` (none when empty).
CtxPtr client_ctx(const std::string& chain_file, const std::string& key_file, int max_version = 0) {
  CtxPtr ctx(SSL_CTX_new(TLS_client_method()));
  SSL_CTX_load_verify_locations(ctx.get(), pki_file("ec", "root-ca.crt").c_str(), nullptr);
  SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER, nullptr);
  if (max_version != 0) SSL_CTX_set_max_proto_version(ctx.get(), max_version);
  if (!chain_file.empty()) {
    EXPECT_EQ(SSL_CTX_use_certificate_chain_file(ctx.get(), chain_file.c_str()), 1);
    EXPECT_EQ(SSL_CTX_use_PrivateKey_file(ctx.get(), key_file.c_str(), SSL_FILETYPE_PEM), 1);
  }
  return ctx;
}

CtxPtr member_client(const std::string& kt, const std::string& name, bool full_chain = true,
                     int max_version = 0) {
  return client_ctx(pki_file(kt, name + (full_chain ? ".fullchain.pem" : ".crt")).string(),
                    pki_file(kt, name + ".key").string(), max_version);
}

struct Handshake {
  bool server_ok = false;
  bool client_ok = false;
  SslPtr server;
  SslPtr client;
};

// Runs both ends of a handshake over a BIO pair until each has finished or failed.
Handshake handshake(SSL_CTX* server, SSL_CTX* client, SSL_SESSION* resume = nullptr) {
  Handshake h;
  h.server.reset(SSL_new(server));
  h.client.reset(SSL_new(client));
  BIO* client_bio = nullptr;
  BIO* server_bio = nullptr;
  BIO_new_bio_pair(&client_bio, 0, &server_bio, 0);
  SSL_set_bio(h.client.get(), client_bio, client_bio);
  SSL_set_bio(h.server.get(), server_bio, server_bio);
  SSL_set_connect_state(h.client.get());
  SSL_set_accept_state(h.server.get());
  if (resume != nullptr) SSL_set_session(h.client.get(), resume);
  bool client_failed = false;
  bool server_failed = false;
  auto step = [](SSL* ssl, bool& ok, bool& failed) {
    if (ok || failed) return;
    const int r = SSL_do_handshake(ssl);
    if (r == 1) {
      ok = true;
      return;
    }
    const int err = SSL_get_error(ssl, r);
    if (err != SSL_ERROR_WANT_READ && err != SSL_ERROR_WANT_WRITE) failed = true;
  };
  for (int i = 0; i < 50; ++i) {
    step(h.client.get(), h.client_ok, client_failed);
    step(h.server.get(), h.server_ok, server_failed);
    if ((h.server_ok || server_failed) && (h.client_ok || client_failed)) break;
  }
  ERR_clear_error();
  return h;
}

class TlsServerHandshakeTest : public ::testing::TestWithParam<std::string> {};

TEST_P(TlsServerHandshakeTest, MemberCertificateNamesOrganAndSubsystem) {
  auto server = server_ctx();
  auto client = member_client(GetParam(), "member-g22");
  auto h = handshake(server.get(), client.get());
  ASSERT_TRUE(h.server_ok);
  ASSERT_TRUE(h.client_ok);
  EXPECT_EQ(SSL_get_verify_result(h.server.get()), X509_V_OK);

  auto member = member_from_peer(h.server.get());
  ASSERT_TRUE(member) << member.error().detail;
  EXPECT_EQ(member->organ_code, "000.00.00.G22");
  EXPECT_EQ(member->subsystem, "một cửa");
  auto leaf = certificate(GetParam(), "member-g22");
  EXPECT_EQ(member->certificate_fingerprint, crypto::sha256_fingerprint(leaf.get()));
  EXPECT_EQ(member->certificate_der, crypto::to_der(leaf.get()));
  ASSERT_EQ(member->chain_der.size(), 1u);  // the intermediate the client sent, not the leaf
  EXPECT_EQ(member->chain_der[0], crypto::to_der(certificate(GetParam(), "intermediate-ca").get()));
}

TEST_P(TlsServerHandshakeTest, LeafWithoutChainIsCompletedFromTrustIntermediates) {
  auto server = server_ctx();
  auto client = member_client(GetParam(), "member-h47", /*full_chain=*/false);
  auto h = handshake(server.get(), client.get());
  ASSERT_TRUE(h.server_ok);
  auto member = member_from_peer(h.server.get());
  ASSERT_TRUE(member) << member.error().detail;
  EXPECT_EQ(member->organ_code, "001.00.10.H47");
  EXPECT_TRUE(member->chain_der.empty());
}

TEST_P(TlsServerHandshakeTest, ExpiredMemberPassesTheHandshakeForATypedRefusalLater) {
  auto server = server_ctx();
  auto client = member_client(GetParam(), "member-expired");
  auto h = handshake(server.get(), client.get());
  ASSERT_TRUE(h.server_ok);
  EXPECT_EQ(SSL_get_verify_result(h.server.get()), X509_V_ERR_CERT_HAS_EXPIRED);
  auto member = member_from_peer(h.server.get());
  ASSERT_TRUE(member) << member.error().detail;
  EXPECT_EQ(member->organ_code, "000.00.00.H30");
}

TEST_P(TlsServerHandshakeTest, RevokedMemberPassesTheHandshakeForATypedRefusalLater) {
  auto server = server_ctx();
  auto client = member_client(GetParam(), "member-revoked");
  auto h = handshake(server.get(), client.get());
  ASSERT_TRUE(h.server_ok);
  auto member = member_from_peer(h.server.get());
  ASSERT_TRUE(member) << member.error().detail;
  EXPECT_EQ(member->organ_code, "000.00.00.H29");
  EXPECT_FALSE(member->certificate_der.empty());
}

TEST_P(TlsServerHandshakeTest, TlsTwelveWorksAndResumesWithTheSameMember) {
  auto server = server_ctx();
  auto client = member_client(GetParam(), "member-h20", true, TLS1_2_VERSION);
  auto first = handshake(server.get(), client.get());
  ASSERT_TRUE(first.server_ok);
  EXPECT_EQ(SSL_version(first.server.get()), TLS1_2_VERSION);
  SSL_SESSION* session = SSL_get1_session(first.client.get());
  ASSERT_NE(session, nullptr);
  auto second = handshake(server.get(), client.get(), session);
  SSL_SESSION_free(session);
  ASSERT_TRUE(second.server_ok);
  EXPECT_EQ(SSL_session_reused(second.server.get()), 1);
  auto member = member_from_peer(second.server.get());
  ASSERT_TRUE(member) << member.error().detail;
  EXPECT_EQ(member->organ_code, "000.00.00.H20");
}

TEST_P(TlsServerHandshakeTest, SelfSignedClientIsRefusedAtTheHandshake) {
  // Names a real organ code in both places: only the missing path to an anchor refuses it.
  auto stranger =
      issue_cert(CertSpec{"000.00.00.G22", "một cửa", {"urn:lienthong:organ:000.00.00.G22"}});
  const testing::ScratchDir dir;
  testing::write_pem(stranger, dir / "stranger.crt", dir / "stranger.key");
  auto server = server_ctx();
  auto client = client_ctx((dir / "stranger.crt").string(), (dir / "stranger.key").string());
  auto h = handshake(server.get(), client.get());
  EXPECT_FALSE(h.server_ok);
  EXPECT_EQ(SSL_get_verify_result(h.server.get()), X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT);
}

TEST_P(TlsServerHandshakeTest, ClientWithoutCertificateIsRefused) {
  auto server = server_ctx();
  auto client = client_ctx("", "");
  auto h = handshake(server.get(), client.get());
  EXPECT_FALSE(h.server_ok);
}

TEST_P(TlsServerHandshakeTest, ServerOnlyCertificateIsRefusedAsClient) {
  // gateway-tls chains to our root but is not for clientAuth: the purpose check is not
  // among the tolerated failures.
  auto server = server_ctx();
  auto client = member_client(GetParam(), "gateway-tls");
  auto h = handshake(server.get(), client.get());
  EXPECT_FALSE(h.server_ok);
  EXPECT_EQ(SSL_get_verify_result(h.server.get()), X509_V_ERR_INVALID_PURPOSE);
}

INSTANTIATE_TEST_SUITE_P(KeyTypes, TlsServerHandshakeTest, ::testing::Values("ec", "rsa"));

// member_from_peer on names the dev PKI does not have, issued by its intermediate.
class TlsMemberNamesTest : public ::testing::Test {
 protected:
  Result<Member> member_of(const CertSpec& spec) {
    auto issued = issue_from_dev_intermediate("ec", spec);
    const testing::ScratchDir dir;
    testing::write_pem(issued, dir / "made.crt", dir / "made.key");
    auto server = server_ctx();
    auto client = client_ctx((dir / "made.crt").string(), (dir / "made.key").string());
    auto h = handshake(server.get(), client.get());
    if (!h.server_ok) throw std::runtime_error("handshake refused");
    return member_from_peer(h.server.get());
  }
};

TEST_F(TlsMemberNamesTest, OrganCodeFromTheCommonNameWhenNoUri) {
  auto member = member_of(CertSpec{"001.00.10.H47", "", {}});
  ASSERT_TRUE(member) << member.error().detail;
  EXPECT_EQ(member->organ_code, "001.00.10.H47");
  EXPECT_EQ(member->subsystem, "");
}

TEST_F(TlsMemberNamesTest, UriWinsOverTheCommonName) {
  auto member = member_of(CertSpec{
      "000.00.00.H20", "hộ tịch", {"https://example.vn", "urn:lienthong:organ:000.00.00.G22"}});
  ASSERT_TRUE(member) << member.error().detail;
  EXPECT_EQ(member->organ_code, "000.00.00.G22");
  EXPECT_EQ(member->subsystem, "hộ tịch");
}

TEST_F(TlsMemberNamesTest, NoOrganCodeAnywhereIsCertUntrusted) {
  auto member = member_of(CertSpec{"lienthong gateway client", "", {"https://example.vn"}});
  ASSERT_FALSE(member);
  EXPECT_EQ(member.error().code, ErrorCode::kCertUntrusted);
  EXPECT_EQ(member.error().detail, "certificate names no organ code");
}

TEST_F(TlsMemberNamesTest, MalformedOrganUriIsCertUntrusted) {
  auto member = member_of(CertSpec{"000.00.00.G22", "", {"urn:lienthong:organ:G22"}});
  ASSERT_FALSE(member);
  EXPECT_EQ(member.error().code, ErrorCode::kCertUntrusted);
}

TEST_F(TlsMemberNamesTest, TwoDifferentOrganUrisAreCertUntrusted) {
  auto member = member_of(
      CertSpec{"", "", {"urn:lienthong:organ:000.00.00.G22", "urn:lienthong:organ:000.00.00.H20"}});
  ASSERT_FALSE(member);
  EXPECT_EQ(member.error().code, ErrorCode::kCertUntrusted);
}

TEST(TlsServerConfigTest, TlsTwelveIsTheFloor) {
  auto ctx = server_ctx();
  EXPECT_EQ(SSL_CTX_get_min_proto_version(ctx.get()), TLS1_2_VERSION);
  EXPECT_NE(SSL_CTX_get_options(ctx.get()) & SSL_OP_NO_RENEGOTIATION, 0u);
  EXPECT_EQ(SSL_CTX_get_verify_mode(ctx.get()), SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT);
  EXPECT_NE(SSL_CTX_get_session_cache_mode(ctx.get()) & SSL_SESS_CACHE_SERVER, 0);
}

TEST(TlsServerConfigTest, KeyThatDoesNotMatchIsRefused) {
  auto config = dev_server_tls("ec");
  config.private_key_file = pki_file("rsa", "gateway-tls.key").string();
  CtxPtr ctx(SSL_CTX_new(TLS_server_method()));
  auto ok = configure_server_tls(ctx.get(), config);
  ASSERT_FALSE(ok);
  EXPECT_NE(ok.error().detail.find("does not match"), std::string::npos) << ok.error().detail;
}

TEST(TlsServerConfigTest, MissingFilesAreRefused) {
  CtxPtr ctx(SSL_CTX_new(TLS_server_method()));
  auto config = dev_server_tls();
  config.certificate_chain_file = "/nonexistent/chain.pem";
  EXPECT_FALSE(configure_server_tls(ctx.get(), config));
  config = dev_server_tls();
  config.client_ca_directory = "/nonexistent";
  EXPECT_FALSE(configure_server_tls(ctx.get(), config));
}

TEST(TlsServerConfigTest, OnlyTheHierarchyInTheTrustDirectoryIsAccepted) {
  // Trusting only the RSA hierarchy refuses an EC member, whose root is not an anchor.
  auto config = dev_server_tls();
  config.client_ca_directory = (testing::test_pki_dir() / "rsa" / "trust").string();
  auto server = server_ctx(config);
  auto refused = handshake(server.get(), member_client("ec", "member-g22").get());
  EXPECT_FALSE(refused.server_ok);
  auto accepted = handshake(server.get(), member_client("rsa", "member-g22").get());
  EXPECT_TRUE(accepted.server_ok);
}

// The subjects the server named in its CertificateRequest, as the client saw them.
std::set<std::string> requested_cas(SSL* client) {
  std::set<std::string> out;
  const STACK_OF(X509_NAME)* names = SSL_get_client_CA_list(client);
  for (int i = 0; names != nullptr && i < sk_X509_NAME_num(names); ++i) {
    char buf[512];
    X509_NAME_oneline(sk_X509_NAME_value(names, i), buf, sizeof buf);
    out.insert(buf);
  }
  return out;
}

std::string subject_of(const std::string& kt, const std::string& name) {
  char buf[512];
  X509_NAME_oneline(X509_get_subject_name(certificate(kt, name).get()), buf, sizeof buf);
  return buf;
}

TEST(TlsServerConfigTest, TheCertificateRequestNamesTheCasOfTheLiveSnapshot) {
  // Started with the EC hierarchy only; the RSA one is added live. Clients that pick a
  // certificate by the CA names of the request must see the new root from then on.
  namespace fs = std::filesystem;
  const fs::path dir = fs::path(::testing::TempDir()) / "tls-live-cas";
  fs::remove_all(dir);
  fs::copy(testing::test_pki_dir() / "ec" / "trust", dir, fs::copy_options::recursive);
  auto ec_only = crypto::TrustSnapshot::load(dir);
  ASSERT_TRUE(ec_only) << ec_only.error().detail;
  auto config = dev_server_tls();
  config.client_ca_directory = dir.string();
  config.live_trust = std::make_shared<SnapshotCell<crypto::TrustSnapshot>>(*ec_only);
  auto server = server_ctx(config);

  auto before = handshake(server.get(), member_client("ec", "member-g22").get());
  ASSERT_TRUE(before.server_ok && before.client_ok);
  EXPECT_EQ(
      requested_cas(before.client.get()),
      (std::set<std::string>{subject_of("ec", "root-ca"), subject_of("ec", "intermediate-ca")}));

  fs::copy_file(pki_file("rsa", "root-ca.crt"), dir / "anchors" / "rsa-root.pem");
  fs::copy_file(pki_file("rsa", "intermediate-ca.crt"), dir / "intermediates" / "rsa-int.pem");
  auto both = crypto::TrustSnapshot::load(dir, 2);
  ASSERT_TRUE(both) << both.error().detail;
  config.live_trust->set(*both);
  auto after = handshake(server.get(), member_client("rsa", "member-g22").get());
  EXPECT_TRUE(after.server_ok);
  const auto named = requested_cas(after.client.get());
  EXPECT_TRUE(named.count(subject_of("rsa", "root-ca"))) << named.size();
  EXPECT_TRUE(named.count(subject_of("ec", "root-ca")));
  fs::remove_all(dir);
}

}  // namespace
}  // namespace lienthong::front
