// OcspChecker against a REAL responder: `openssl ocsp -index` over the dev PKI's intermediate
// CA, started per test as a child process on an ephemeral port (ocsp_test_support.h). These
// tests start processes: their suite names say "Live" so they can be picked out
// (ctest -R OcspLive); they stay in the unit label with the dev_pki fixture.
#include "gateway/crypto/ocsp_checker.h"

#include <gtest/gtest.h>

#include <thread>

#include "gateway/crypto/key_material.h"
#include "tests/support/manual_clock.h"
#include "tests/support/test_pki.h"
#include "tests/unit/trust/ocsp_test_support.h"

namespace lienthong::crypto {
namespace {

using namespace std::chrono_literals;
using testing::CannedTransport;
using testing::certificate;
using testing::CountingTransport;
using testing::ManualClock;
using testing::OcspResponder;
using testing::pki_file;
using testing::ResponderOptions;

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

class OcspLiveResponderTest : public ::testing::TestWithParam<std::string> {
 protected:
  const std::string kt_ = GetParam();
  const X509Ptr issuer_ = certificate(kt_, "intermediate-ca");
  const X509Ptr member_ = certificate(kt_, "member-ocsp");
  const X509Ptr revoked_ = certificate(kt_, "member-ocsp-revoked");
  const std::shared_ptr<ManualClock> clock_ =
      std::make_shared<ManualClock>(std::chrono::system_clock::now());
  const std::shared_ptr<CountingTransport> transport_ = std::make_shared<CountingTransport>();

  ResponderOptions options() const {
    ResponderOptions o;
    o.kt = kt_;
    return o;
  }

  // The responder set for the issuing CA (the certificates' AIA names port 1).
  OcspConfig config_for(const std::string& url,
                        OcspUnavailable when_unavailable = OcspUnavailable::kFailClosed,
                        std::chrono::seconds grace = 0s) const {
    OcspConfig config;
    config.clock_skew = 30s;
    config.timeout = 3s;
    OcspIssuerPolicy policy;
    policy.responder_url = url;
    policy.when_unavailable = when_unavailable;
    policy.grace = grace;
    config.issuers[sha256_fingerprint(issuer_.get())] = policy;
    return config;
  }

  OcspChecker::Ptr checker(OcspConfig config,
                           std::shared_ptr<OcspTransport> transport = nullptr) const {
    auto made = OcspChecker::create(std::move(config), transport ? transport : transport_, clock_);
    if (!made) throw std::runtime_error(made.error().detail);
    return *made;
  }

  // member-ocsp again with a serial the CA's index has never seen, signed by the same CA.
  X509Ptr unknown_to_the_responder() const {
    X509Ptr copy(X509_dup(member_.get()));
    ASN1_INTEGER* serial = ASN1_INTEGER_new();
    ASN1_INTEGER_set_uint64(serial, 0x0123456789abcdefULL);
    X509_set_serialNumber(copy.get(), serial);
    ASN1_INTEGER_free(serial);
    auto key = load_private_key(pki_file(kt_, "intermediate-ca.key"));
    if (!key || X509_sign(copy.get(), key->get(), EVP_sha256()) <= 0)
      throw std::runtime_error("cannot re-sign the test certificate");
    return copy;
  }
};

TEST_P(OcspLiveResponderTest, GoodMemberIsGood) {
  OcspResponder responder(options());
  auto ocsp = checker(config_for(responder.url()));
  auto status = ocsp->check(member_.get(), issuer_.get());
  ASSERT_TRUE(status) << status.error().detail;
  EXPECT_EQ(status->status, CertStatus::kGood);
  EXPECT_EQ(status->source, OcspSource::kFetched);
  EXPECT_EQ(status->responder_url, responder.url());
  ASSERT_TRUE(status->next_update.has_value());
  EXPECT_EQ(*status->next_update - status->this_update, 5min);  // -nmin 5
  EXPECT_LE(status->this_update, clock_->now() + 30s);          // within the skew
  EXPECT_GE(status->produced_at, status->this_update - 1s);
  EXPECT_FALSE(status->revoked_at.has_value());
  EXPECT_TRUE(ocsp_verdict(*status, member_.get()));
  EXPECT_EQ(transport_->posts.load(), 1);
  EXPECT_EQ(ocsp->cache_size(), 1u);
}

TEST_P(OcspLiveResponderTest, RevokedMemberIsRevokedWithReasonAndTime) {
  OcspResponder responder(options());
  auto status = checker(config_for(responder.url()))->check(revoked_.get(), issuer_.get());
  ASSERT_TRUE(status) << status.error().detail;
  EXPECT_EQ(status->status, CertStatus::kRevoked);
  EXPECT_EQ(status->revocation_reason, OCSP_REVOKED_STATUS_SUPERSEDED);  // as in dev-pki.sh
  ASSERT_TRUE(status->revoked_at.has_value());
  EXPECT_LE(*status->revoked_at, clock_->now());
  auto verdict = ocsp_verdict(*status, revoked_.get());
  ASSERT_FALSE(verdict);
  EXPECT_EQ(verdict.error().code, ErrorCode::kCertRevoked);
  EXPECT_TRUE(contains(verdict.error().detail, "superseded")) << verdict.error().detail;
  EXPECT_TRUE(contains(verdict.error().detail, "000.00.00.H32")) << verdict.error().detail;
}

TEST_P(OcspLiveResponderTest, CertificateMissingFromTheIndexIsUnknown) {
  OcspResponder responder(options());
  auto stranger = unknown_to_the_responder();
  auto status = checker(config_for(responder.url()))->check(stranger.get(), issuer_.get());
  ASSERT_TRUE(status) << status.error().detail;
  EXPECT_EQ(status->status, CertStatus::kUnknown);
  auto verdict = ocsp_verdict(*status, stranger.get());
  ASSERT_FALSE(verdict);
  EXPECT_EQ(verdict.error().code, ErrorCode::kCertUntrusted);
  EXPECT_TRUE(contains(verdict.error().detail, "status unknown")) << verdict.error().detail;
}

TEST_P(OcspLiveResponderTest, ResponderComesFromTheAiaUnlessConfiguredForTheIssuer) {
  OcspConfig plain;
  EXPECT_EQ(checker(plain)->responder_for(member_.get(), issuer_.get()), "http://127.0.0.1:1/ocsp");
  auto g22 = certificate(kt_, "member-g22");  // no AIA
  EXPECT_FALSE(checker(plain)->responder_for(g22.get(), issuer_.get()).has_value());
  auto no_responder = checker(plain)->check(g22.get(), issuer_.get());
  ASSERT_FALSE(no_responder);
  EXPECT_EQ(no_responder.error().code, ErrorCode::kCertUntrusted);
  EXPECT_TRUE(contains(no_responder.error().detail, "names no OCSP responder"));
  EXPECT_EQ(checker(config_for("http://127.0.0.1:9/x"))->responder_for(g22.get(), issuer_.get()),
            "http://127.0.0.1:9/x");
  // The AIA URL is really used: nothing listens on port 1.
  auto via_aia = checker(plain)->check(member_.get(), issuer_.get());
  ASSERT_FALSE(via_aia);
  EXPECT_TRUE(contains(via_aia.error().detail, "http://127.0.0.1:1/ocsp"))
      << via_aia.error().detail;
}

TEST_P(OcspLiveResponderTest, ResponderDownFailsClosed) {
  const std::string url = "http://127.0.0.1:" + std::to_string(testing::free_port()) + "/";
  auto status = checker(config_for(url))->check(member_.get(), issuer_.get());
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().code, ErrorCode::kCertUntrusted);
  EXPECT_TRUE(contains(status.error().detail, "revocation status of")) << status.error().detail;
  EXPECT_TRUE(contains(status.error().detail, "unavailable")) << status.error().detail;
  EXPECT_TRUE(contains(status.error().detail, "fail_closed")) << status.error().detail;
  EXPECT_TRUE(contains(status.error().detail, url)) << status.error().detail;
}

TEST_P(OcspLiveResponderTest, ResponderDownWithGraceServesTheLastAnswerUntilGraceEnds) {
  OcspResponder responder(options());
  auto ocsp = checker(config_for(responder.url(), OcspUnavailable::kGrace, 10min));
  auto first = ocsp->check(member_.get(), issuer_.get());
  ASSERT_TRUE(first) << first.error().detail;
  responder.stop();

  // Stale (nextUpdate 5 min + 30 s skew), responder gone: the cached answer, marked grace.
  clock_->set(first->this_update + 6min);
  auto in_grace = ocsp->check(member_.get(), issuer_.get());
  ASSERT_TRUE(in_grace) << in_grace.error().detail;
  EXPECT_EQ(in_grace->source, OcspSource::kGrace);
  EXPECT_EQ(in_grace->status, CertStatus::kGood);
  EXPECT_EQ(in_grace->this_update, first->this_update);

  clock_->set(*first->next_update + 30s + 10min + 1s);
  auto after = ocsp->check(member_.get(), issuer_.get());
  ASSERT_FALSE(after);
  EXPECT_EQ(after.error().code, ErrorCode::kCertUntrusted);
  EXPECT_TRUE(contains(after.error().detail, "beyond the grace period of 600 s"))
      << after.error().detail;
  EXPECT_GE(transport_->posts.load(), 3);
}

TEST_P(OcspLiveResponderTest, GraceWithoutAnEarlierAnswerFails) {
  const std::string url = "http://127.0.0.1:" + std::to_string(testing::free_port()) + "/";
  auto status =
      checker(config_for(url, OcspUnavailable::kGrace, 1h))->check(member_.get(), issuer_.get());
  ASSERT_FALSE(status);
  EXPECT_TRUE(contains(status.error().detail, "no earlier verified answer"))
      << status.error().detail;
}

TEST_P(OcspLiveResponderTest, SecondCheckComesFromTheCache) {
  OcspResponder responder(options());
  auto ocsp = checker(config_for(responder.url()));
  auto first = ocsp->check(member_.get(), issuer_.get());
  ASSERT_TRUE(first) << first.error().detail;
  responder.stop();  // a second request would fail
  clock_->set(clock_->now() + 4min);
  auto second = ocsp->check(member_.get(), issuer_.get());
  ASSERT_TRUE(second) << second.error().detail;
  EXPECT_EQ(second->source, OcspSource::kCache);
  EXPECT_EQ(second->this_update, first->this_update);
  EXPECT_EQ(transport_->posts.load(), 1);
  // Another object holding the same certificate hits the same CertID.
  auto same = certificate(kt_, "member-ocsp");
  EXPECT_EQ(ocsp->check(same.get(), issuer_.get())->source, OcspSource::kCache);
  EXPECT_EQ(transport_->posts.load(), 1);
}

TEST_P(OcspLiveResponderTest, AnswerPastNextUpdateIsRefused) {
  OcspResponder responder(options());
  // Our clock 6 min ahead of the responder's: its nextUpdate (+5 min) passed beyond the 30 s
  // skew by the time the answer arrives.
  clock_->set(std::chrono::system_clock::now() + 6min);
  auto status = checker(config_for(responder.url()))->check(member_.get(), issuer_.get());
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().code, ErrorCode::kCertUntrusted);
  EXPECT_TRUE(contains(status.error().detail, "nextUpdate")) << status.error().detail;
  EXPECT_TRUE(contains(status.error().detail, "has passed")) << status.error().detail;
}

TEST_P(OcspLiveResponderTest, AnswerWithoutNextUpdateOlderThanFreshnessIsRefused) {
  auto opts = options();
  opts.next_update_minutes.reset();
  OcspResponder responder(opts);
  auto config = config_for(responder.url());
  config.freshness = 60s;
  clock_->set(std::chrono::system_clock::now() + 2min);
  auto status = checker(config)->check(member_.get(), issuer_.get());
  ASSERT_FALSE(status);
  EXPECT_TRUE(contains(status.error().detail, "older than the freshness window of 60 s"))
      << status.error().detail;
}

TEST_P(OcspLiveResponderTest, AnswerFromTheFutureIsRefused) {
  OcspResponder responder(options());
  clock_->set(std::chrono::system_clock::now() - 2min);
  auto status = checker(config_for(responder.url()))->check(member_.get(), issuer_.get());
  ASSERT_FALSE(status);
  EXPECT_TRUE(contains(status.error().detail, "is in the future")) << status.error().detail;
}

TEST_P(OcspLiveResponderTest, StaleCacheEntryIsFetchedAgain) {
  auto opts = options();
  opts.next_update_minutes.reset();
  OcspResponder responder(opts);
  auto config = config_for(responder.url());
  // Answers without nextUpdate live 1 s (+1 s skew: the responder stamps whole seconds).
  config.freshness = 1s;
  config.clock_skew = 1s;
  auto ocsp = checker(config);
  clock_->set(std::chrono::system_clock::now());
  auto first = ocsp->check(member_.get(), issuer_.get());
  ASSERT_TRUE(first) << first.error().detail;
  EXPECT_FALSE(first->next_update.has_value());
  std::this_thread::sleep_for(3s);  // the responder stamps thisUpdate from the real clock
  clock_->set(std::chrono::system_clock::now());
  auto second = ocsp->check(member_.get(), issuer_.get());
  ASSERT_TRUE(second) << second.error().detail;
  EXPECT_EQ(second->source, OcspSource::kFetched);
  EXPECT_GT(second->this_update, first->this_update);
  EXPECT_EQ(transport_->posts.load(), 2);
}

TEST_P(OcspLiveResponderTest, RefreshRenewsAnswersAheadOfExpiry) {
  OcspResponder responder(options());
  auto config = config_for(responder.url());
  config.refresh_margin = 60s;
  auto ocsp = checker(config);
  auto first = ocsp->check(member_.get(), issuer_.get());
  ASSERT_TRUE(first) << first.error().detail;
  EXPECT_TRUE(ocsp->refresh_due(clock_->now()).empty());
  EXPECT_EQ(ocsp->refresh().refreshed, 0u);
  EXPECT_EQ(transport_->posts.load(), 1);

  // Within the margin of going stale (nextUpdate + 5 min + 30 s skew - 60 s).
  clock_->set(*first->next_update);
  ASSERT_EQ(ocsp->refresh_due(clock_->now()).size(), 1u);
  auto report = ocsp->refresh();
  EXPECT_EQ(report.refreshed, 1u);
  EXPECT_TRUE(report.failures.empty()) << report.failures.front().detail;
  EXPECT_EQ(transport_->posts.load(), 2);

  // The renewed answer is served without another request, even with the responder gone.
  responder.stop();
  auto after = ocsp->check(member_.get(), issuer_.get());
  ASSERT_TRUE(after) << after.error().detail;
  EXPECT_EQ(after->source, OcspSource::kCache);
  EXPECT_EQ(transport_->posts.load(), 2);
}

TEST_P(OcspLiveResponderTest, RefreshKeepsTheOldAnswerWhenTheResponderFails) {
  OcspResponder responder(options());
  auto config = config_for(responder.url(), OcspUnavailable::kGrace, 10min);
  config.refresh_margin = 60s;
  auto ocsp = checker(config);
  auto first = ocsp->check(member_.get(), issuer_.get());
  ASSERT_TRUE(first) << first.error().detail;
  responder.stop();
  clock_->set(*first->next_update);
  auto report = ocsp->refresh();
  EXPECT_EQ(report.refreshed, 0u);
  ASSERT_EQ(report.failures.size(), 1u);
  EXPECT_TRUE(contains(report.failures.front().detail, "failed")) << report.failures.front().detail;
  EXPECT_EQ(ocsp->cache_size(), 1u);
  EXPECT_EQ(ocsp->check(member_.get(), issuer_.get())->source, OcspSource::kCache);
}

TEST_P(OcspLiveResponderTest, IdleEntriesAreEvictedByRefresh) {
  OcspResponder responder(options());
  auto config = config_for(responder.url());
  config.idle_eviction = 1h;
  auto ocsp = checker(config);
  ASSERT_TRUE(ocsp->check(member_.get(), issuer_.get()));
  clock_->set(clock_->now() + 2h);
  EXPECT_EQ(ocsp->refresh().evicted, 1u);
  EXPECT_EQ(ocsp->cache_size(), 0u);
}

TEST_P(OcspLiveResponderTest, AnswerSignedByTheIssuingCaItselfIsAccepted) {
  auto opts = options();
  opts.rsigner_cert = pki_file(kt_, "intermediate-ca.crt");
  opts.rsigner_key = pki_file(kt_, "intermediate-ca.key");
  OcspResponder responder(opts);
  auto status = checker(config_for(responder.url()))->check(revoked_.get(), issuer_.get());
  ASSERT_TRUE(status) << status.error().detail;
  EXPECT_EQ(status->status, CertStatus::kRevoked);
}

TEST_P(OcspLiveResponderTest, CorruptedSignatureIsRefused) {
  auto opts = options();
  opts.bad_signature = true;
  OcspResponder responder(opts);
  auto status = checker(config_for(responder.url()))->check(member_.get(), issuer_.get());
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().code, ErrorCode::kCertUntrusted);
  EXPECT_TRUE(contains(status.error().detail, "signature does not verify"))
      << status.error().detail;
}

TEST_P(OcspLiveResponderTest, SignerWithoutOcspSigningIsNotAuthorized) {
  auto opts = options();
  opts.rsigner_cert = pki_file(kt_, "member-g22.crt");  // issued by the CA, no OCSPSigning
  opts.rsigner_key = pki_file(kt_, "member-g22.key");
  OcspResponder responder(opts);
  auto status = checker(config_for(responder.url()))->check(member_.get(), issuer_.get());
  ASSERT_FALSE(status);
  EXPECT_TRUE(contains(status.error().detail, "responder not authorized")) << status.error().detail;
}

TEST_P(OcspLiveResponderTest, ResponderOfAnotherHierarchyIsRefused) {
  const std::string other = kt_ == "rsa" ? "ec" : "rsa";
  auto opts = options();
  opts.rsigner_cert = pki_file(other, "ocsp-responder.crt");  // valid OCSPSigning, wrong CA
  opts.rsigner_key = pki_file(other, "ocsp-responder.key");
  OcspResponder responder(opts);
  auto status = checker(config_for(responder.url()))->check(member_.get(), issuer_.get());
  ASSERT_FALSE(status);
  EXPECT_TRUE(contains(status.error().detail, "not issued by the issuing CA"))
      << status.error().detail;
}

TEST_P(OcspLiveResponderTest, ResponderServingAnotherCaAnswersUnknown) {
  const std::string other = kt_ == "rsa" ? "ec" : "rsa";
  auto opts = options();
  opts.ca_cert = pki_file(other, "intermediate-ca.crt");  // our CA's index, someone else's CA
  OcspResponder responder(opts);
  auto status = checker(config_for(responder.url()))->check(member_.get(), issuer_.get());
  ASSERT_TRUE(status) << status.error().detail;
  EXPECT_EQ(status->status, CertStatus::kUnknown);
  EXPECT_FALSE(ocsp_verdict(*status, member_.get()));
}

TEST_P(OcspLiveResponderTest, ReplayedAnswerFailsTheNonceCheck) {
  OcspResponder responder(options());
  ASSERT_TRUE(checker(config_for(responder.url()))->check(member_.get(), issuer_.get()));
  auto replay = std::make_shared<CannedTransport>(transport_->last_answer());
  auto status = checker(config_for(responder.url()), replay)->check(member_.get(), issuer_.get());
  ASSERT_FALSE(status);
  EXPECT_TRUE(contains(status.error().detail, "nonce does not match")) << status.error().detail;
  EXPECT_EQ(replay->posts.load(), 1);
}

TEST_P(OcspLiveResponderTest, AnswerWithoutNonceIsAcceptedOnlyWhenConfigured) {
  OcspResponder responder(options());
  auto no_nonce = config_for(responder.url());
  no_nonce.send_nonce = false;
  ASSERT_TRUE(checker(no_nonce)->check(member_.get(), issuer_.get()));
  const std::string presigned = transport_->last_answer();  // an answer without a nonce

  auto strict = checker(config_for(responder.url()), std::make_shared<CannedTransport>(presigned))
                    ->check(member_.get(), issuer_.get());
  ASSERT_FALSE(strict);
  EXPECT_TRUE(contains(strict.error().detail, "carries no nonce")) << strict.error().detail;

  auto lenient_config = config_for(responder.url());
  lenient_config.accept_missing_nonce = true;
  auto lenient = checker(lenient_config, std::make_shared<CannedTransport>(presigned))
                     ->check(member_.get(), issuer_.get());
  ASSERT_TRUE(lenient) << lenient.error().detail;
  EXPECT_EQ(lenient->status, CertStatus::kGood);
}

TEST_P(OcspLiveResponderTest, AnswerAboutAnotherCertificateIsRefused) {
  OcspResponder responder(options());
  auto no_nonce = config_for(responder.url());
  no_nonce.send_nonce = false;
  ASSERT_TRUE(checker(no_nonce)->check(revoked_.get(), issuer_.get()));
  auto other = std::make_shared<CannedTransport>(transport_->last_answer());
  auto status = checker(no_nonce, other)->check(member_.get(), issuer_.get());
  ASSERT_FALSE(status);
  EXPECT_TRUE(contains(status.error().detail, "does not answer for this certificate"))
      << status.error().detail;
}

INSTANTIATE_TEST_SUITE_P(KeyTypes, OcspLiveResponderTest, ::testing::Values("rsa", "ec"));

}  // namespace
}  // namespace lienthong::crypto
