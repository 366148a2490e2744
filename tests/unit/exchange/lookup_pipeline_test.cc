#include "gateway/exchange/lookup_pipeline.h"

#include <gtest/gtest.h>

#include "gateway/crypto/openssl_types.h"
#include "gateway/crypto/xml_verifier.h"
#include "tests/support/manual_clock.h"
#include "tests/support/test_pki.h"
#include "tests/unit/exchange/fakes.h"

namespace lienthong::exchange {
namespace {

using namespace std::chrono_literals;
using testing::HeldAdapter;
using testing::MemoryCache;
using testing::RecordingAudit;

constexpr std::string_view kPolicy = R"(
[[member]]
organ = "000.00.00.G22"
  [[member.grant]]
  adapter = "population"
  document_types = ["CD01"]
  fields = ["*"]

[[member]]
organ = "000.00.00.G22"
subsystem = "signed"
request_signature = "required"
  [[member.grant]]
  adapter = "population"
  document_types = ["CD01"]
  fields = ["*"]

[[member]]
organ = "000.00.00.H20"
  [[member.grant]]
  adapter = "population"
  document_types = ["CD01"]
  fields = ["ho_va_ten"]

[[member]]
organ = "000.00.00.H29"
  [[member.grant]]
  adapter = "population"
  document_types = ["CD01"]
  fields = ["*"]

[[member]]
organ = "000.00.00.H30"
  [[member.grant]]
  adapter = "population"
  document_types = ["CD01"]
  fields = ["*"]
)";

Member member_from(const std::string& name) {
  auto cert = testing::certificate("ec", name);
  auto inter = testing::certificate("ec", "intermediate-ca");
  Member m;
  m.certificate_der = crypto::to_der(cert.get());
  m.certificate_fingerprint = crypto::sha256_fingerprint(cert.get());
  m.chain_der = {crypto::to_der(inter.get())};
  m.organ_code = name == "member-g22"       ? "000.00.00.G22"
                 : name == "member-h20"     ? "000.00.00.H20"
                 : name == "member-revoked" ? "000.00.00.H29"
                 : name == "member-expired" ? "000.00.00.H30"
                                            : "000.00.00.H47";
  return m;
}

class LookupPipelineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // Real time: the dev PKI and its CRLs were made minutes ago.
    clock = std::make_shared<testing::ManualClock>(std::chrono::system_clock::now());
    adapter = std::make_shared<HeldAdapter>(std::vector<DocumentTypeSpec>{
        {"CD01", "Thông tin công dân", 3600s, {"ho_va_ten", "ngay_sinh", "so_dinh_danh"}}});
    cache = std::make_shared<MemoryCache>();
    audit = std::make_shared<RecordingAudit>();
    metrics = std::make_shared<Metrics>();
    auto signer = crypto::CanonicalXmlSigner::create(testing::identity("ec", "gateway-sign"));
    ASSERT_TRUE(signer) << signer.error().detail;
    auto policy = policy::AccessPolicy::parse(kPolicy, "policy.toml");
    ASSERT_TRUE(policy) << policy.error().detail;
    PipelineParts parts;
    parts.authenticator = std::make_shared<MemberAuthenticator>(testing::trust_store("ec"), clock);
    parts.policy = *policy;
    parts.adapters = {adapter};
    parts.cache = cache;
    parts.audit = audit;
    parts.envelope = std::make_shared<ResponseEnvelope>(*signer);
    parts.metrics = metrics;
    parts.clock = clock;
    auto created = LookupPipeline::create(std::move(parts));
    ASSERT_TRUE(created) << created.error().detail;
    pipeline = *created;
  }

  LookupRequest request(const std::string& who = "member-g22") {
    LookupRequest r;
    r.request_id = "req-" + std::to_string(++counter);
    r.front = "http-json";
    r.client_request_id = "client-" + std::to_string(counter);
    r.member = member_from(who);
    r.subject = "026092008262";
    r.document_type = "CD01";
    r.purpose = {"000.00.00.G22-261122-0001", "1.001234"};
    r.officer = {"001092000001", "canbo.nguyenvana"};
    return r;
  }

  static Result<VerifiedRecord> record_for(const AdapterQuery& q, TimePoint now) {
    VerifiedRecord r;
    r.subject = q.subject;
    r.doc_type = q.document_type;
    r.code = record_code(q.subject, q.document_type);
    r.fields = {
        {"ho_va_ten", "Nguyễn Văn An"}, {"ngay_sinh", "1992-11-22"}, {"so_dinh_danh", q.subject}};
    r.source = "population";
    r.evidence = {"xmldsig", "<signed/>", "CN=sim", "ab"};
    r.verified_at = now;
    r.expires_at = now + 3600s;
    return r;
  }

  // Runs one lookup; completes the upstream call (if any) with a record.
  Result<LookupResponse> run(LookupRequest r) {
    std::optional<Result<LookupResponse>> out;
    pipeline->lookup(std::move(r), [&](Result<LookupResponse> res) { out = std::move(res); });
    adapter->release([&](const AdapterQuery& q) { return record_for(q, clock->now()); });
    EXPECT_TRUE(out.has_value());
    return out ? std::move(*out) : fail(ErrorCode::kInternal, "no answer");
  }

  int counter = 0;
  std::shared_ptr<testing::ManualClock> clock;
  std::shared_ptr<HeldAdapter> adapter;
  std::shared_ptr<MemoryCache> cache;
  std::shared_ptr<RecordingAudit> audit;
  std::shared_ptr<Metrics> metrics;
  std::shared_ptr<LookupPipeline> pipeline;
};

TEST_F(LookupPipelineTest, FirstLookupAsksUpstreamSecondIsACacheHit) {
  auto first = run(request());
  ASSERT_TRUE(first) << first.error().detail;
  EXPECT_FALSE(first->from_cache);
  EXPECT_EQ(adapter->calls(), 1u);
  EXPECT_EQ(cache->records.count("026092008262.CD01"), 1u);
  EXPECT_EQ(cache->last_ttl, 3600s);

  auto second = run(request());
  ASSERT_TRUE(second) << second.error().detail;
  EXPECT_TRUE(second->from_cache);
  EXPECT_EQ(adapter->calls(), 1u);
  EXPECT_EQ(metrics->cache_lookups.value({"hit"}), 1u);
  EXPECT_EQ(metrics->cache_lookups.value({"miss"}), 1u);

  const auto entries = audit->snapshot();
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].outcome, "OK");
  EXPECT_FALSE(entries[0].cache_hit);
  EXPECT_TRUE(entries[1].cache_hit);
  EXPECT_EQ(entries[1].member, "000.00.00.G22");
  EXPECT_EQ(entries[1].officer_account, "canbo.nguyenvana");
  EXPECT_EQ(entries[1].dossier_code, "000.00.00.G22-261122-0001");
  EXPECT_EQ(entries[1].client_request_id, "client-2");
}

TEST_F(LookupPipelineTest, EnvelopeIsSignedByTheGatewayAndVerifies) {
  auto answer = run(request());
  ASSERT_TRUE(answer) << answer.error().detail;
  crypto::XmlVerifierConfig config;
  config.trust = testing::trust_store("ec");
  config.clock = clock;
  auto verifier = crypto::XmlDsigVerifier::create(std::move(config));
  ASSERT_TRUE(verifier);
  auto verified = (*verifier)->verify(answer->envelope);
  ASSERT_TRUE(verified) << verified.error().detail;
  EXPECT_NE(verified->signer.find("lienthong gateway signing"), std::string::npos);
  const std::string signed_xml = verified->signed_xml();
  EXPECT_NE(signed_xml.find("Nguyễn Văn An"), std::string::npos);
  EXPECT_NE(signed_xml.find("Encoding=\"base64\""), std::string::npos);  // full grant: evidence
}

TEST_F(LookupPipelineTest, PartialGrantGetsReducedFieldsAndNoEvidenceBytes) {
  auto answer = run(request("member-h20"));
  ASSERT_TRUE(answer) << answer.error().detail;
  ASSERT_EQ(answer->record.fields.size(), 1u);
  EXPECT_EQ(answer->record.fields[0].first, "ho_va_ten");
  EXPECT_EQ(answer->envelope.find("1992-11-22"), std::string::npos);
  EXPECT_EQ(answer->envelope.find("Encoding=\"base64\""), std::string::npos);
  EXPECT_NE(answer->envelope.find("Sha256=\""), std::string::npos);
}

TEST_F(LookupPipelineTest, TwoSpellingsOfOneRecordShareOneCacheEntry) {
  // As land does with a pre-2025 commune code: the adapter names the one subject its record is
  // keyed by, and the pipeline looks the cache up under that name.
  adapter->spelling = [](std::string_view s) {
    return s == "026092008263" ? std::string("026092008262") : std::string(s);
  };
  auto other_spelling = request();
  other_spelling.subject = "026092008263";
  std::optional<Result<LookupResponse>> first;
  pipeline->lookup(other_spelling, [&](Result<LookupResponse> r) { first = std::move(r); });
  adapter->release([&](const AdapterQuery& q) {
    EXPECT_EQ(q.subject, "026092008263");  // the adapter is asked as the member wrote it
    auto record = record_for(q, clock->now());
    record->subject = adapter->record_subject(q.subject);
    record->code = record_code(record->subject, q.document_type);
    return record;
  });
  ASSERT_TRUE(first && *first) << (first ? first->error().detail : "no answer");
  EXPECT_FALSE((*first)->from_cache);
  EXPECT_EQ(cache->records.count("026092008262.CD01"), 1u);

  auto second = run(request());  // "026092008262"
  ASSERT_TRUE(second) << second.error().detail;
  EXPECT_TRUE(second->from_cache);
  auto third = run(other_spelling);
  ASSERT_TRUE(third) << third.error().detail;
  EXPECT_TRUE(third->from_cache);
  EXPECT_EQ(adapter->calls(), 1u);
}

TEST_F(LookupPipelineTest, ConcurrentMissesForOneCodeMakeOneUpstreamCall) {
  std::vector<Result<LookupResponse>> answers;
  for (int i = 0; i < 5; ++i) {
    pipeline->lookup(request(), [&](Result<LookupResponse> r) { answers.push_back(std::move(r)); });
  }
  EXPECT_EQ(adapter->calls(), 1u);
  EXPECT_EQ(answers.size(), 0u);
  adapter->release([&](const AdapterQuery& q) { return record_for(q, clock->now()); });
  ASSERT_EQ(answers.size(), 5u);
  for (const auto& a : answers) EXPECT_TRUE(a) << a.error().detail;
  EXPECT_EQ(metrics->single_flight_joined.value({"population"}), 4u);
  EXPECT_EQ(audit->snapshot().size(), 5u);
}

TEST_F(LookupPipelineTest, MaxAgeZeroAlwaysAsksUpstream) {
  ASSERT_TRUE(run(request()));
  auto r = request();
  r.max_age = 0s;
  auto fresh = run(std::move(r));
  ASSERT_TRUE(fresh);
  EXPECT_FALSE(fresh->from_cache);
  EXPECT_EQ(adapter->calls(), 2u);
}

TEST_F(LookupPipelineTest, OlderThanMaxAgeIsRefetched) {
  ASSERT_TRUE(run(request()));
  clock->set(clock->now() + 600s);
  auto r = request();
  r.max_age = 300s;
  auto again = run(std::move(r));
  ASSERT_TRUE(again);
  EXPECT_FALSE(again->from_cache);
  EXPECT_EQ(adapter->calls(), 2u);
}

TEST_F(LookupPipelineTest, RefusalsAreTypedAuditedAndAskNoUpstream) {
  struct Case {
    std::function<void(LookupRequest&)> change;
    ErrorCode expect;
  };
  const std::vector<Case> cases = {
      {[](LookupRequest& r) { r.purpose.dossier_code.clear(); }, ErrorCode::kPurposeRequired},
      {[](LookupRequest& r) { r.purpose.procedure_code.clear(); }, ErrorCode::kPurposeRequired},
      {[](LookupRequest& r) { r.officer.personal_id.clear(); }, ErrorCode::kPurposeRequired},
      {[](LookupRequest& r) { r.purpose.dossier_code = "G22-1"; }, ErrorCode::kBadRequest},
      {[](LookupRequest& r) { r.officer.personal_id = "12345"; }, ErrorCode::kBadRequest},
      {[](LookupRequest& r) { r.subject = "12345"; }, ErrorCode::kBadRequest},
      {[](LookupRequest& r) { r.document_type = "XX99"; }, ErrorCode::kBadRequest},
      {[](LookupRequest& r) { r.member = member_from("member-h47"); }, ErrorCode::kAccessDenied},
      {[](LookupRequest& r) { r.member = member_from("member-revoked"); }, ErrorCode::kCertRevoked},
      {[](LookupRequest& r) { r.member = member_from("member-expired"); }, ErrorCode::kCertExpired},
      {[](LookupRequest& r) { r.member.certificate_der.clear(); }, ErrorCode::kCertUntrusted},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    auto r = request();
    cases[i].change(r);
    auto answer = run(std::move(r));
    ASSERT_FALSE(answer) << "case " << i;
    EXPECT_EQ(answer.error().code, cases[i].expect)
        << "case " << i << ": " << answer.error().detail;
  }
  EXPECT_EQ(adapter->calls(), 0u);
  const auto entries = audit->snapshot();
  ASSERT_EQ(entries.size(), cases.size());
  EXPECT_EQ(entries[0].outcome, "PURPOSE_REQUIRED");
  EXPECT_EQ(entries[8].outcome, "CERT_REVOKED");
}

TEST_F(LookupPipelineTest, UpstreamFailureIsPassedOnAndNothingIsCached) {
  std::optional<Result<LookupResponse>> out;
  pipeline->lookup(request(), [&](Result<LookupResponse> r) { out = std::move(r); });
  adapter->release([](const AdapterQuery&) -> Result<VerifiedRecord> {
    return fail(ErrorCode::kUpstreamBadSignature, "digest mismatch");
  });
  ASSERT_TRUE(out && !*out);
  EXPECT_EQ(out->error().code, ErrorCode::kUpstreamBadSignature);
  EXPECT_TRUE(cache->records.empty());
  EXPECT_EQ(metrics->upstream_calls.value({"population", "UPSTREAM_BAD_SIGNATURE"}), 1u);
}

TEST_F(LookupPipelineTest, CacheDownStillAnswersFromUpstreamAndReportsDegraded) {
  cache->down = true;
  auto answer = run(request());
  ASSERT_TRUE(answer) << answer.error().detail;
  EXPECT_FALSE(answer->from_cache);
  EXPECT_EQ(metrics->cache_lookups.value({"error"}), 1u);
  const auto readiness = pipeline->readiness();
  EXPECT_TRUE(readiness.ready);
  EXPECT_TRUE(readiness.degraded);
  cache->down = false;
  EXPECT_FALSE(pipeline->readiness().degraded);
}

TEST_F(LookupPipelineTest, AnAnswerThatCannotBeAuditedIsNotGiven) {
  audit->broken = true;
  auto answer = run(request());
  ASSERT_FALSE(answer);
  EXPECT_EQ(answer.error().code, ErrorCode::kInternal);
  EXPECT_EQ(metrics->audit_entries.value({"failed"}), 1u);
}

// --- signed requests (request_signature, iat window, jti replay) ---------------------------

std::int64_t seconds_now(const testing::ManualClock& clock) {
  return std::chrono::duration_cast<std::chrono::seconds>(clock.now().time_since_epoch()).count();
}

TEST_F(LookupPipelineTest, AMemberThatMustSignIsRefusedUnsignedAndAudited) {
  LookupRequest r = request();
  r.member.subsystem = "signed";
  auto answer = run(std::move(r));
  ASSERT_FALSE(answer);
  EXPECT_EQ(answer.error().code, ErrorCode::kSignatureMissing);
  EXPECT_EQ(adapter->calls(), 0u);
  ASSERT_EQ(audit->snapshot().size(), 1u);
  EXPECT_EQ(audit->snapshot()[0].outcome, "SIGNATURE_MISSING");
}

TEST_F(LookupPipelineTest, ASignedRequestIsAnsweredOnceAndItsReplayRefused) {
  LookupRequest r = request();
  r.member.subsystem = "signed";
  r.signature = SignedRequestClaims{"ES256", "jti-0001", seconds_now(*clock)};
  LookupRequest again = r;
  auto first = run(std::move(r));
  ASSERT_TRUE(first) << first.error().detail;
  auto second = run(std::move(again));
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().code, ErrorCode::kReplayed);
  const auto entries = audit->snapshot();
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].request_jti, "jti-0001");
  EXPECT_EQ(entries[1].outcome, "REPLAYED");

  // The same jti from another member is that member's own id: not a replay.
  LookupRequest other = request("member-h20");
  other.signature = SignedRequestClaims{"ES256", "jti-0001", seconds_now(*clock)};
  auto third = run(std::move(other));
  EXPECT_TRUE(third) << third.error().detail;
}

TEST_F(LookupPipelineTest, ASignedRequestOutsideTheIatWindowIsRefused) {
  const std::int64_t now = seconds_now(*clock);
  LookupRequest old = request();
  old.signature = SignedRequestClaims{"ES256", "jti-old", now - 301};
  auto stale = run(std::move(old));
  ASSERT_FALSE(stale);
  EXPECT_EQ(stale.error().code, ErrorCode::kReplayed);

  LookupRequest future = request();
  future.signature = SignedRequestClaims{"ES256", "jti-future", now + 301};
  auto early = run(std::move(future));
  ASSERT_FALSE(early);
  EXPECT_EQ(early.error().code, ErrorCode::kBadRequest);

  LookupRequest edge = request();
  edge.signature = SignedRequestClaims{"ES256", "jti-edge", now - 300};
  EXPECT_TRUE(run(std::move(edge)));
  EXPECT_EQ(adapter->calls(), 1u);
}

}  // namespace
}  // namespace lienthong::exchange
