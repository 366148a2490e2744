// The population adapter against answers written by the simulator's own wire code and signed
// with real dev-PKI keys: request shape, signature and signer checks, reading only the signed
// node, identity consistency, and no upstream call for a malformed personal ID.
#include "adapters/population/adapter.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "adapters/population/citizen_dataset.h"
#include "adapters/population/sim_soap.h"
#include "gateway/crypto/xml_signer.h"
#include "tests/support/mocks.h"
#include "tests/support/test_pki.h"

namespace lienthong::adapters::population {
namespace {

using ::testing::_;
using ::testing::StrictMock;
namespace sim = lienthong::population::sim;
using lienthong::population::sim::Citizen;
using lienthong::population::sim::CitizenDataset;

class PopulationAdapterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    http = std::make_shared<StrictMock<testing::MockHttpClient>>();
    auto config = std::make_shared<PopulationConfig>();
    config->url = "https://127.0.0.1:1/dancu/TraCuuThongTinCongDan";
    config->username = "lienthong-dev";
    config->secret = "dev-secret-not-for-production";
    config->api_key = "dev-api-key";
    config->ma_dvc = "LIENTHONG-DEV";
    config->x_road_client = "VN/GOV/000.00.00.G22/LIENTHONG";
    config->trusted_signers = {"lienthong-sim population (SIMULATOR)"};
    crypto::XmlVerifierConfig vc;
    vc.trust = testing::trust_store("ec");
    auto verifier = crypto::XmlDsigVerifier::create(std::move(vc));
    ASSERT_TRUE(verifier);
    auto mapping = exchange::XmlMapping::load(std::string(LIENTHONG_SOURCE_DIR) +
                                              "/mappings/population.toml");
    ASSERT_TRUE(mapping) << mapping.error().detail;
    auto created = PopulationAdapter::create(
        {config, http, *verifier, *mapping, std::make_shared<InlineExecutor>(),
         SystemClock::instance()});
    ASSERT_TRUE(created) << created.error().detail;
    adapter = *created;
  }

  exchange::AdapterQuery query(std::string subject) {
    return {"0123456789abcdef0123456789abcdef", std::move(subject), "CD01",
            {"000.00.00.G22-261122-0001", "1.001234"}, {"001092000001", "canbo.a"},
            "000.00.00.G22"};
  }

  // What the simulator would answer to `request_body`, signed by `signer_name`.
  std::string signed_answer(const std::string& request_body, const std::string& signer_name,
                            const Citizen* override_citizen = nullptr) {
    auto request = sim::parse_lookup_request(request_body);
    EXPECT_TRUE(request) << request.error().detail;
    auto citizen = dataset.find(request->personal_id);
    const Citizen* who = override_citizen ? override_citizen : (citizen ? &*citizen : nullptr);
    const std::string unsigned_xml = sim::render_response(*request, who, SystemClock::instance()->now());
    auto signer = crypto::XmlDsigSigner::create(testing::identity("ec", signer_name));
    EXPECT_TRUE(signer);
    auto signed_xml = (*signer)->sign(unsigned_xml, {sim::collection_id(request->request_id)});
    EXPECT_TRUE(signed_xml) << signed_xml.error().detail;
    return *signed_xml;
  }

  // Runs fetch; the mock upstream answers with `respond(request)`.
  Result<VerifiedRecord> fetch(exchange::AdapterQuery q,
                               std::function<upstream::HttpResponse(const upstream::HttpRequest&)> respond) {
    EXPECT_CALL(*http, send(_, _))
        .WillOnce([&](upstream::HttpRequest req, upstream::ResponseCallback done) {
          last_request = req;
          done(respond(req));
        });
    std::optional<Result<VerifiedRecord>> out;
    adapter->fetch(std::move(q), [&](Result<VerifiedRecord> r) { out = std::move(r); });
    EXPECT_TRUE(out.has_value());
    return out ? std::move(*out) : fail(ErrorCode::kInternal, "no answer");
  }

  CitizenDataset dataset;
  std::shared_ptr<StrictMock<testing::MockHttpClient>> http;
  std::shared_ptr<PopulationAdapter> adapter;
  upstream::HttpRequest last_request;
};

TEST_F(PopulationAdapterTest, VerifiedRecordFromASignedAnswer) {
  const std::string subject = dataset.personal_id_at(77);
  const Citizen citizen = dataset.at(77);
  auto record = fetch(query(subject), [&](const upstream::HttpRequest& req) {
    return upstream::HttpResponse{200, "text/xml", signed_answer(req.body, "sim-population")};
  });
  ASSERT_TRUE(record) << record.error().detail;
  EXPECT_EQ(record->code, subject + ".CD01");
  EXPECT_EQ(*find_field(record->fields, "so_dinh_danh"), subject);
  EXPECT_EQ(*find_field(record->fields, "gioi_tinh"), std::to_string(citizen.gender));
  EXPECT_EQ(record->evidence.kind, "xmldsig");
  EXPECT_NE(record->evidence.signer.find("lienthong-sim population"), std::string::npos);
  EXPECT_GT(record->expires_at, record->verified_at);
  // The request names the officer and authenticates as the API requires.
  auto parsed = sim::parse_lookup_request(last_request.body);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->officer_id, "001092000001");
  EXPECT_EQ(parsed->officer_account, "canbo.a");
  EXPECT_EQ(parsed->personal_id, subject);
  std::map<std::string, std::string> headers(last_request.headers.begin(), last_request.headers.end());
  sim::Credentials creds;
  EXPECT_TRUE(sim::check_auth(creds, {headers["Timestamp"], headers["ApiKey"],
                                      headers["Authorization"], headers["X-Road-Client"]},
                              SystemClock::instance()->now(), std::chrono::seconds(300)));
}

TEST_F(PopulationAdapterTest, MalformedPersonalIdNeverReachesTheUpstream) {
  // StrictMock: any send() would fail the test.
  for (const char* bad : {"12345", "003092008262", "02609200826X", "026692008262"}) {
    auto ok = adapter->check_subject(bad);
    ASSERT_FALSE(ok) << bad;
    EXPECT_EQ(ok.error().code, ErrorCode::kBadRequest);
  }
}

TEST_F(PopulationAdapterTest, TamperedAnswerIsUpstreamBadSignature) {
  auto record = fetch(query(dataset.personal_id_at(5)), [&](const upstream::HttpRequest& req) {
    std::string answer = signed_answer(req.body, "sim-population");
    EXPECT_TRUE(sim::tamper_signed_response(answer));
    return upstream::HttpResponse{200, "text/xml", answer};
  });
  ASSERT_FALSE(record);
  EXPECT_EQ(record.error().code, ErrorCode::kUpstreamBadSignature);
}

TEST_F(PopulationAdapterTest, AValidSignatureByAnotherNationalCertificateIsRefused) {
  // A member's certificate chains to the same CA, but it is not the population DB.
  auto record = fetch(query(dataset.personal_id_at(6)), [&](const upstream::HttpRequest& req) {
    return upstream::HttpResponse{200, "text/xml", signed_answer(req.body, "member-g22")};
  });
  ASSERT_FALSE(record);
  EXPECT_EQ(record.error().code, ErrorCode::kUpstreamBadSignature);
  EXPECT_NE(record.error().detail.find("not a configured population DB signer"), std::string::npos);
}

TEST_F(PopulationAdapterTest, ASignedAnswerToAnotherRequestIsRefused) {
  std::string old_answer;
  auto first = fetch(query(dataset.personal_id_at(8)), [&](const upstream::HttpRequest& req) {
    old_answer = signed_answer(req.body, "sim-population");
    return upstream::HttpResponse{200, "text/xml", old_answer};
  });
  ASSERT_TRUE(first);
  auto replayed = query(dataset.personal_id_at(8));
  replayed.request_id = "fedcba9876543210fedcba9876543210";
  auto second = fetch(replayed, [&](const upstream::HttpRequest&) {
    return upstream::HttpResponse{200, "text/xml", old_answer};
  });
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().code, ErrorCode::kUpstreamBadSignature);
}

TEST_F(PopulationAdapterTest, NotFoundAndAnotherPerson) {
  // A valid-looking ID outside the data set: the simulator answers with no CongDan.
  auto missing = fetch(query("001099999999"), [&](const upstream::HttpRequest& req) {
    return upstream::HttpResponse{200, "text/xml", signed_answer(req.body, "sim-population")};
  });
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);

  const Citizen other = dataset.at(9);
  auto wrong = fetch(query(dataset.personal_id_at(10)), [&](const upstream::HttpRequest& req) {
    return upstream::HttpResponse{200, "text/xml", signed_answer(req.body, "sim-population", &other)};
  });
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().code, ErrorCode::kUpstreamUnavailable);
}

TEST_F(PopulationAdapterTest, IdDigitsInconsistentWithTheRecordedBirthAreRefused) {
  Citizen c = dataset.at(11);
  // Same person, but the ID asked for claims the other gender (digit 4 flipped by one).
  std::string id = c.personal_id;
  id[3] = static_cast<char>(id[3] ^ 1);
  c.personal_id = id;
  auto record = fetch(query(id), [&](const upstream::HttpRequest& req) {
    return upstream::HttpResponse{200, "text/xml", signed_answer(req.body, "sim-population", &c)};
  });
  ASSERT_FALSE(record);
  EXPECT_EQ(record.error().code, ErrorCode::kBadRequest);
}

TEST_F(PopulationAdapterTest, UpstreamStatusesAndTransportErrors) {
  auto refused = fetch(query(dataset.personal_id_at(12)), [](const upstream::HttpRequest&) {
    return upstream::HttpResponse{401, "text/xml", "<fault/>"};
  });
  EXPECT_EQ(refused.error().code, ErrorCode::kUpstreamUnavailable);
  EXPECT_CALL(*http, send(_, _)).WillOnce([](upstream::HttpRequest, upstream::ResponseCallback done) {
    done(fail(ErrorCode::kUpstreamTimeout, "population: timed out"));
  });
  std::optional<Result<VerifiedRecord>> out;
  adapter->fetch(query(dataset.personal_id_at(13)), [&](Result<VerifiedRecord> r) { out = std::move(r); });
  ASSERT_TRUE(out);
  EXPECT_EQ(out->error().code, ErrorCode::kUpstreamTimeout);
}

}  // namespace
}  // namespace lienthong::adapters::population
