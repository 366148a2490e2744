// The enterprise-registry adapter against the simulator's own service in process (its token
// endpoint, bearer checks and answers in both shapes), signed with real dev-PKI keys: the
// request, the token refresh after a 401, the detached JWS and its signer, not found, an
// answer about another enterprise, no call for a wrong check digit, and the config keys.
#include "adapters/business/adapter.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "adapters/business/config.h"
#include "adapters/business/sim_service.h"
#include "tests/support/rest_sim_testing.h"
#include "tests/support/test_pki.h"

namespace lienthong::adapters::business {
namespace {

namespace bsim = lienthong::business::sim;
namespace http = boost::beast::http;
using rest::SimHttpClient;

constexpr const char* kSigner = "lienthong-sim business (SIMULATOR)";

std::shared_ptr<const bsim::EnterpriseDataset> enterprises() {
  static const auto data = std::make_shared<const bsim::EnterpriseDataset>(
      std::make_shared<const population::sim::CitizenDataset>());
  return data;
}

// The first enterprise with one representative (exactly == true) or with more.
bsim::Enterprise enterprise_with(bool one_representative) {
  for (uint64_t i = 0;; ++i) {
    auto e = enterprises()->find(enterprises()->code_at(i));
    if (e && (e->representatives.size() == 1) == one_representative) return *e;
  }
}

// A valid enterprise code the data set does not hold ("05…": no simulated tax province).
std::string code_outside_the_set() {
  static constexpr int kWeights[9] = {31, 29, 23, 19, 17, 13, 7, 5, 3};
  for (uint64_t n = 0;; ++n) {
    const std::string nine = "05" + std::to_string(1'000'000 + n).substr(0, 7);
    int sum = 0;
    for (int i = 0; i < 9; ++i) sum += (nine[i] - '0') * kWeights[i];
    if (sum % 11 != 0) return nine + static_cast<char>('0' + (10 - sum % 11) % 10);
  }
}

class CountingExecutor final : public Executor {
 public:
  void post(std::function<void()> task) override {
    ++posted;
    task();
  }
  int posted = 0;
};

class BusinessAdapterTest : public ::testing::Test {
 protected:
  void make(bsim::AnswerShape shape = bsim::AnswerShape::kNested,
            const std::string& signer_name = "sim-business") {
    bsim::BusinessSimConfig c;
    c.dataset = enterprises();
    c.sign_detached = rest::detached_jws_signer(*testing::identity("ec", signer_name));
    c.shape = shape;
    service = std::make_shared<bsim::BusinessService>(std::move(c));
    http = std::make_shared<SimHttpClient>(service);
    rest::TestUpstream u;
    u.name = "business";
    u.url = "https://127.0.0.1:1" + std::string(bsim::kLookupPath);
    u.mapping = std::string(LIENTHONG_SOURCE_DIR) + "/mappings/business.toml";
    u.trusted_signers = {kSigner};
    u.trust = testing::trust_store("ec");
    u.executor = executor;
    auto created = BusinessAdapter::create(rest::test_parts(u, http, &tokens));
    ASSERT_TRUE(created) << created.error().detail;
    adapter = *created;
  }

  static exchange::AdapterQuery query(std::string subject) {
    return {
        "0123456789abcdef0123456789abcdef",        std::move(subject),          "DN01",
        {"000.00.00.G22-261122-0001", "1.001234"}, {"001092000001", "canbo.a"}, "000.00.00.G22"};
  }

  Result<VerifiedRecord> fetch(const std::string& subject) {
    std::optional<Result<VerifiedRecord>> out;
    adapter->fetch(query(subject), [&](Result<VerifiedRecord> r) { out = std::move(r); });
    EXPECT_TRUE(out.has_value()) << "the callback did not run";
    return out ? std::move(*out) : fail(ErrorCode::kInternal, "no answer");
  }

  size_t lookups() const { return http->count(bsim::kLookupPath); }

  std::shared_ptr<CountingExecutor> executor = std::make_shared<CountingExecutor>();
  std::shared_ptr<bsim::BusinessService> service;
  std::shared_ptr<SimHttpClient> http;
  std::shared_ptr<upstream::BearerTokenSource> tokens;
  std::shared_ptr<BusinessAdapter> adapter;
};

std::string field(const VerifiedRecord& r, std::string_view name) {
  const std::string* v = find_field(r.fields, name);
  return v ? *v : "<absent>";
}

TEST_F(BusinessAdapterTest, ShapeOneWithOneRepresentativeIsVerifiedAndMapped) {
  make();
  const bsim::Enterprise e = enterprise_with(true);
  auto record = fetch(e.code);
  ASSERT_TRUE(record) << record.error().detail;
  EXPECT_EQ(record->code, e.code + ".DN01");
  EXPECT_EQ(record->subject, e.code);
  EXPECT_EQ(record->doc_type, "DN01");
  EXPECT_EQ(record->source, "business");
  EXPECT_EQ(field(*record, "ma_so_doanh_nghiep"), e.code);
  EXPECT_EQ(field(*record, "ten"), e.name);
  EXPECT_EQ(field(*record, "nguoi_dai_dien"), e.representatives[0].full_name);
  EXPECT_EQ(field(*record, "dai_dien.1.ho_ten"), e.representatives[0].full_name);
  EXPECT_EQ(field(*record, "dai_dien.1.so_dinh_danh"), e.representatives[0].personal_id);
  EXPECT_EQ(find_field(record->fields, "dai_dien.2.ho_ten"), nullptr);
  EXPECT_EQ(record->expires_at - record->verified_at, std::chrono::hours(24));
  EXPECT_EQ(adapter->document_types().at(0).code, "DN01");
  EXPECT_EQ(executor->posted, 1);  // verify, parse and map ran on the executor

  // The wire: one token, then GET <url>?msdn=<code> with it.
  ASSERT_EQ(http->requests.size(), 2u);
  const upstream::HttpRequest& get = http->requests[1];
  EXPECT_EQ(get.method, "GET");
  EXPECT_EQ(get.url, "https://127.0.0.1:1/apiCSDLDKDN/1.0/chiTietDoanhNghiep?msdn=" + e.code);
  const std::string* auth = rest::find_header(get.headers, "authorization");
  ASSERT_NE(auth, nullptr);
  EXPECT_EQ(auth->rfind("Bearer ", 0), 0u);
}

TEST_F(BusinessAdapterTest, EvidenceIsTheJwsWithTheBodyReattachedAndVerifiesAlone) {
  make();
  const bsim::Enterprise e = enterprise_with(true);
  auto record = fetch(e.code);
  ASSERT_TRUE(record) << record.error().detail;
  EXPECT_EQ(record->evidence.kind, "jws");
  EXPECT_NE(record->evidence.signer.find(kSigner), std::string::npos) << record->evidence.signer;
  EXPECT_EQ(record->evidence.signer_fingerprint.size(), 64u);
  crypto::JwsVerifierConfig vc;
  vc.trust = testing::trust_store("ec");
  auto verifier = crypto::OpenSslJwsVerifier::create(std::move(vc));
  ASSERT_TRUE(verifier);
  auto again = (*verifier)->verify(record->evidence.signed_bytes);  // no detached payload
  ASSERT_TRUE(again) << again.error().detail;
  EXPECT_FALSE(again->detached);
  EXPECT_EQ(nlohmann::json::parse(again->payload)["Data"]["MainInformation"]["ENTERPRISE_GDT_CODE"],
            e.code);
}

TEST_F(BusinessAdapterTest, ShapeOneWithSeveralRepresentativesGivesNumberedFields) {
  make();
  const bsim::Enterprise e = enterprise_with(false);
  auto record = fetch(e.code);
  ASSERT_TRUE(record) << record.error().detail;
  EXPECT_EQ(field(*record, "dai_dien.1.ho_ten"), e.representatives[0].full_name);
  EXPECT_EQ(field(*record, "dai_dien.2.ho_ten"), e.representatives[1].full_name);
  EXPECT_EQ(field(*record, "nguoi_dai_dien"),
            e.representatives[0].full_name + ", " + e.representatives[1].full_name +
                (e.representatives.size() > 2 ? ", " + e.representatives[2].full_name : ""));
}

TEST_F(BusinessAdapterTest, TheFlatShapeIsReadToo) {
  make(bsim::AnswerShape::kFlat);
  const bsim::Enterprise e = enterprise_with(false);
  auto record = fetch(e.code);
  ASSERT_TRUE(record) << record.error().detail;
  EXPECT_EQ(field(*record, "ma_so_doanh_nghiep"), e.code);
  EXPECT_EQ(field(*record, "ten"), e.name);
  EXPECT_EQ(field(*record, "tru_so.dia_chi"), e.address);
}

TEST_F(BusinessAdapterTest, AWrongCheckDigitIsRefusedBeforeAnyCall) {
  make();
  std::string code = enterprises()->code_at(3);
  code[9] = code[9] == '9' ? '0' : static_cast<char>(code[9] + 1);
  EXPECT_EQ(adapter->check_subject(code).error().code, ErrorCode::kBadRequest);
  auto record = fetch(code);
  ASSERT_FALSE(record);
  EXPECT_EQ(record.error().code, ErrorCode::kBadRequest);
  EXPECT_TRUE(http->requests.empty());
  EXPECT_EQ(adapter->check_subject("01001091").error().code, ErrorCode::kBadRequest);
  EXPECT_TRUE(adapter->check_subject(enterprises()->code_at(3)));
}

TEST_F(BusinessAdapterTest, NotFoundInEitherShapeIsNotFound) {
  for (auto shape : {bsim::AnswerShape::kNested, bsim::AnswerShape::kFlat}) {
    make(shape);
    auto record = fetch(code_outside_the_set());
    ASSERT_FALSE(record);
    EXPECT_EQ(record.error().code, ErrorCode::kNotFound) << record.error().detail;
  }
}

TEST_F(BusinessAdapterTest, A401GetsOneFreshTokenAndOneRetry) {
  make();
  const std::string code = enterprise_with(true).code;
  ASSERT_TRUE(fetch(code));
  // The API manager forgets every token: the held one now meets a 401.
  bsim::BusinessService& s = *service;
  lienthong::sim::HttpRequest expire{http::verb::post, "/sim/expire-tokens", 11};
  ASSERT_EQ(s.handle(expire, /*from_loopback=*/true).status, 200u);
  auto record = fetch(code);
  ASSERT_TRUE(record) << record.error().detail;
  EXPECT_EQ(tokens->fetches(), 2u);
  EXPECT_EQ(http->count("/token"), 2u);
  EXPECT_EQ(lookups(), 3u);  // first, refused, retried
}

TEST_F(BusinessAdapterTest, ASecond401IsUnavailable) {
  make();
  http->tamper = [](const std::string& target, lienthong::sim::SimReply& reply) {
    if (target.find(bsim::kLookupPath) == 0) reply = lienthong::sim::TokenIssuer::refusal();
  };
  auto record = fetch(enterprise_with(true).code);
  ASSERT_FALSE(record);
  EXPECT_EQ(record.error().code, ErrorCode::kUpstreamUnavailable);
  EXPECT_NE(record.error().detail.find("HTTP 401"), std::string::npos) << record.error().detail;
  EXPECT_EQ(lookups(), 2u);
  EXPECT_EQ(tokens->fetches(), 2u);
}

TEST_F(BusinessAdapterTest, ABodyAlteredAfterSigningIsABadSignature) {
  make();
  lienthong::sim::HttpRequest knobs{http::verb::post, "/sim/knobs", 11};
  knobs.body() = R"({"bad_signature_rate":1})";
  knobs.prepare_payload();
  ASSERT_EQ(service->handle(knobs, true).status, 200u);
  auto record = fetch(enterprise_with(true).code);
  ASSERT_FALSE(record);
  EXPECT_EQ(record.error().code, ErrorCode::kUpstreamBadSignature);
  EXPECT_NE(record.error().detail.find("SIGNATURE_INVALID"), std::string::npos)
      << record.error().detail;
}

TEST_F(BusinessAdapterTest, AMissingSignatureHeaderIsABadSignature) {
  make();
  http->tamper = [](const std::string&, lienthong::sim::SimReply& reply) { reply.headers.clear(); };
  auto record = fetch(enterprise_with(true).code);
  ASSERT_FALSE(record);
  EXPECT_EQ(record.error().code, ErrorCode::kUpstreamBadSignature);
  EXPECT_NE(record.error().detail.find("X-JWS-Signature"), std::string::npos);
}

TEST_F(BusinessAdapterTest, ASignerOutsideTrustedSignersIsRefusedThoughItsChainIsValid) {
  make(bsim::AnswerShape::kNested, "sim-insurance");
  auto record = fetch(enterprise_with(true).code);
  ASSERT_FALSE(record);
  EXPECT_EQ(record.error().code, ErrorCode::kUpstreamBadSignature);
  EXPECT_NE(record.error().detail.find("lienthong-sim insurance (SIMULATOR)"), std::string::npos)
      << record.error().detail;
}

TEST_F(BusinessAdapterTest, AnAnswerAboutAnotherEnterpriseIsRefused) {
  make();
  const bsim::Enterprise asked = enterprise_with(true);
  const bsim::Enterprise other = enterprise_with(false);
  auto sign = rest::detached_jws_signer(*testing::identity("ec", "sim-business"));
  http->tamper = [&](const std::string& target, lienthong::sim::SimReply& reply) {
    if (target.find(bsim::kLookupPath) != 0) return;
    reply.body = bsim::render_answer(other);  // signed properly, about someone else
    reply.headers = {{"X-JWS-Signature", *sign(reply.body)}};
  };
  auto record = fetch(asked.code);
  ASSERT_FALSE(record);
  EXPECT_EQ(record.error().code, ErrorCode::kUpstreamUnavailable);
  EXPECT_NE(record.error().detail.find("another enterprise"), std::string::npos);
}

TEST_F(BusinessAdapterTest, SignedButMalformedJsonIsUnavailable) {
  make();
  auto sign = rest::detached_jws_signer(*testing::identity("ec", "sim-business"));
  const std::vector<std::string> bodies = {
      R"({"Data":null,"Data":{}})", std::string(40, '[') + std::string(40, ']'), R"({"Data":)"};
  for (const std::string& body : bodies) {
    http->tamper = [&](const std::string& target, lienthong::sim::SimReply& reply) {
      if (target.find(bsim::kLookupPath) != 0) return;
      reply.body = body;
      reply.headers = {{"X-JWS-Signature", *sign(body)}};
    };
    auto record = fetch(enterprise_with(true).code);
    ASSERT_FALSE(record);
    EXPECT_EQ(record.error().code, ErrorCode::kUpstreamUnavailable) << record.error().detail;
  }
}

TEST_F(BusinessAdapterTest, TransportFailuresAndOtherStatusesPassAsUpstreamErrors) {
  make();
  const std::string code = enterprise_with(true).code;
  http->fail_with = Error{ErrorCode::kUpstreamTimeout, "business: timed out"};
  auto timed_out = fetch(code);
  ASSERT_FALSE(timed_out);
  EXPECT_EQ(timed_out.error().code, ErrorCode::kUpstreamTimeout);

  http->fail_with.reset();
  http->tamper = [](const std::string& target, lienthong::sim::SimReply& reply) {
    if (target.find(bsim::kLookupPath) == 0)
      reply = lienthong::sim::json_error(429, "slow", "down");
  };
  auto refused = fetch(code);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kUpstreamUnavailable);
  EXPECT_NE(refused.error().detail.find("HTTP 429"), std::string::npos);
}

// --- [adapters.business] ---------------------------------------------------------------------

class BusinessConfigTest : public ::testing::Test {
 protected:
  static std::string full_table() {
    const auto ec = testing::test_pki_dir() / "ec";
    return "url = \"https://127.0.0.1:1/apiCSDLDKDN/1.0/chiTietDoanhNghiep\"\n"
           "token_url = \"/token\"\n"
           "client_id = \"lienthong-dev\"\n"
           "client_secret = \"dev-secret-not-for-production\"\n"
           "mapping = \"" +
           std::string(LIENTHONG_SOURCE_DIR) +
           "/mappings/business.toml\"\n"
           "upstream_ca = \"" +
           (ec / "root-ca.crt").string() +
           "\"\n"
           "client_certificate = \"" +
           (ec / "gateway-client.fullchain.pem").string() +
           "\"\n"
           "client_key = \"" +
           (ec / "gateway-client.key").string() +
           "\"\n"
           "signer_trust = \"" +
           (ec / "trust").string() +
           "\"\n"
           "trusted_signers = [\"" +
           kSigner +
           "\"]\n"
           "timeout_ms = 3000\n";
  }
  static Result<exchange::Adapter::Ptr> build(const std::string& text) {
    const toml::table table = toml::parse(text);
    return build_from_config(
        table, AdapterContext{"/", std::make_shared<InlineExecutor>(), SystemClock::instance()});
  }
  // The full table without the line that starts with `key`.
  static std::string without(std::string_view key) {
    std::string text = full_table();
    const size_t at = text.find(std::string(key) + " = ");
    return text.erase(at, text.find('\n', at) - at + 1);
  }
};

TEST_F(BusinessConfigTest, TheFullTableBuildsTheAdapter) {
  auto adapter = build(full_table());
  ASSERT_TRUE(adapter) << adapter.error().detail;
  EXPECT_EQ((*adapter)->name(), "business");
  EXPECT_EQ((*adapter)->document_types().at(0).code, "DN01");
  EXPECT_EQ((*adapter)->upstream_state(), "closed");
}

TEST_F(BusinessConfigTest, AMissingRequiredKeyIsNamed) {
  for (const char* key : {"url", "token_url", "client_id", "mapping", "upstream_ca",
                          "client_certificate", "client_key", "signer_trust", "trusted_signers"}) {
    auto adapter = build(without(key));
    ASSERT_FALSE(adapter) << key;
    EXPECT_EQ(adapter.error().code, ErrorCode::kBadRequest);
    EXPECT_NE(
        adapter.error().detail.find(std::string("[adapters.business] ") + key + ": is required"),
        std::string::npos)
        << adapter.error().detail;
  }
  auto no_secret = build(without("client_secret"));
  ASSERT_FALSE(no_secret);
  EXPECT_NE(no_secret.error().detail.find("client_secret or client_secret_file is required"),
            std::string::npos)
      << no_secret.error().detail;
}

TEST_F(BusinessConfigTest, BadValuesAndUnknownKeysAreRefused) {
  auto both = build(full_table() + "client_secret_file = \"/etc/hostname\"\n");
  ASSERT_FALSE(both);
  EXPECT_NE(both.error().detail.find("not both"), std::string::npos) << both.error().detail;
  auto unknown = build(full_table() + "username = \"x\"\n");
  ASSERT_FALSE(unknown);
  EXPECT_NE(unknown.error().detail.find("username"), std::string::npos) << unknown.error().detail;
  std::string elsewhere = without("token_url") + "token_url = \"https://127.0.0.2:1/token\"\n";
  auto other_host = build(elsewhere);
  ASSERT_FALSE(other_host);
  EXPECT_NE(other_host.error().detail.find("token_url"), std::string::npos);
  std::string with_query = without("url");
  with_query += "url = \"https://127.0.0.1:1/apiCSDLDKDN/1.0/chiTietDoanhNghiep?msdn=1\"\n";
  EXPECT_FALSE(build(with_query));
}

}  // namespace
}  // namespace lienthong::adapters::business
