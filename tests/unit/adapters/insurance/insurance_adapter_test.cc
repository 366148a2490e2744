// The social-insurance adapter against the simulator's own service in process, signed with real
// dev-PKI keys: lookups by social insurance code and by personal ID naming the officer, no call
// for a malformed subject or a missing officer, not found, an answer about another person, the
// signature and signer checks, and the config keys. The signed call itself (401 and retry,
// malformed JSON, transport errors) is covered in depth by business_adapter_test.cc.
#include "adapters/insurance/adapter.h"

#include <gtest/gtest.h>

#include "adapters/insurance/config.h"
#include "adapters/insurance/sim_json.h"
#include "adapters/insurance/sim_service.h"
#include "tests/support/rest_sim_testing.h"
#include "tests/support/test_pki.h"

namespace lienthong::adapters::insurance {
namespace {

namespace isim = lienthong::insurance::sim;
using rest::SimHttpClient;

constexpr const char* kSigner = "lienthong-sim insurance (SIMULATOR)";

std::shared_ptr<const isim::InsuredDataset> insured() {
  static const auto data = [] {
    auto citizens = std::make_shared<const population::sim::CitizenDataset>();
    return std::make_shared<const isim::InsuredDataset>(
        citizens, std::make_shared<const business::sim::EnterpriseDataset>(citizens));
  }();
  return data;
}

// The first insured person with at least `periods` contribution periods.
isim::InsuredPerson person_with(size_t periods, uint64_t from = 0) {
  for (uint64_t i = from;; ++i) {
    auto p = insured()->at(i);
    if (p.periods.size() >= periods) return p;
  }
}

class InsuranceAdapterTest : public ::testing::Test {
 protected:
  void make(const std::string& signer_name = "sim-insurance") {
    isim::InsuranceSimConfig c;
    c.dataset = insured();
    c.sign_detached = rest::detached_jws_signer(*testing::identity("ec", signer_name));
    service = std::make_shared<isim::InsuranceService>(std::move(c));
    http = std::make_shared<SimHttpClient>(service);
    rest::TestUpstream u;
    u.name = "insurance";
    u.url = "https://127.0.0.1:1" + std::string(isim::kLookupPath);
    u.mapping = std::string(LIENTHONG_SOURCE_DIR) + "/mappings/insurance.toml";
    u.trusted_signers = {kSigner};
    u.trust = testing::trust_store("ec");
    auto created = InsuranceAdapter::create(rest::test_parts(u, http));
    ASSERT_TRUE(created) << created.error().detail;
    adapter = *created;
  }

  static exchange::AdapterQuery query(std::string subject,
                                      Officer officer = {"001092000001", "canbo.a"}) {
    return {"0123456789abcdef0123456789abcdef",        std::move(subject), "BH01",
            {"000.00.00.G22-261122-0001", "1.001234"}, std::move(officer), "000.00.00.G22"};
  }

  Result<VerifiedRecord> fetch(exchange::AdapterQuery q) {
    std::optional<Result<VerifiedRecord>> out;
    adapter->fetch(std::move(q), [&](Result<VerifiedRecord> r) { out = std::move(r); });
    EXPECT_TRUE(out.has_value()) << "the callback did not run";
    return out ? std::move(*out) : fail(ErrorCode::kInternal, "no answer");
  }

  const upstream::HttpRequest& last_lookup() const { return http->requests.back(); }
  std::string header(std::string_view name) const {
    const std::string* v = rest::find_header(last_lookup().headers, name);
    return v ? *v : "<absent>";
  }

  std::shared_ptr<isim::InsuranceService> service;
  std::shared_ptr<SimHttpClient> http;
  std::shared_ptr<InsuranceAdapter> adapter;
};

std::string field(const VerifiedRecord& r, std::string_view name) {
  const std::string* v = find_field(r.fields, name);
  return v ? *v : "<absent>";
}

TEST_F(InsuranceAdapterTest, ByInsuranceCodeNamingTheOfficer) {
  make();
  const isim::InsuredPerson p = person_with(2);
  auto record = fetch(query(p.insurance_code));
  ASSERT_TRUE(record) << record.error().detail;
  EXPECT_EQ(record->code, p.insurance_code + ".BH01");
  EXPECT_EQ(record->doc_type, "BH01");
  EXPECT_EQ(record->source, "insurance");
  EXPECT_EQ(record->evidence.kind, "jws");
  EXPECT_NE(record->evidence.signer.find(kSigner), std::string::npos);
  EXPECT_EQ(field(*record, "ma_so_bhxh"), p.insurance_code);
  EXPECT_EQ(field(*record, "so_dinh_danh"), p.citizen.personal_id);
  EXPECT_EQ(field(*record, "ho_ten"), p.citizen.name.full());
  EXPECT_EQ(field(*record, "qua_trinh.1.tu_thang"), p.periods[0].from_month);
  EXPECT_EQ(field(*record, "qua_trinh.2.ma_don_vi"), p.periods[1].employer_code);
  EXPECT_EQ(record->expires_at - record->verified_at, std::chrono::hours(24));

  EXPECT_EQ(last_lookup().method, "GET");
  EXPECT_EQ(last_lookup().url,
            "https://127.0.0.1:1/bhxh/1.0/traCuuQuaTrinhDong?maSoBHXH=" + p.insurance_code);
  EXPECT_EQ(header("X-Officer-Id"), "001092000001");
  EXPECT_EQ(header("X-Officer-Account"), "canbo.a");
  EXPECT_EQ(header("Authorization").rfind("Bearer ", 0), 0u);
}

TEST_F(InsuranceAdapterTest, ByPersonalIdNamingTheOfficer) {
  make();
  const isim::InsuredPerson p = person_with(0, 17);
  auto record = fetch(query(p.citizen.personal_id, {"079085000123", "canbo.hcm"}));
  ASSERT_TRUE(record) << record.error().detail;
  EXPECT_EQ(record->code, p.citizen.personal_id + ".BH01");
  EXPECT_EQ(field(*record, "ma_so_bhxh"), p.insurance_code);
  EXPECT_EQ(last_lookup().url,
            "https://127.0.0.1:1/bhxh/1.0/traCuuQuaTrinhDong?soDinhDanh=" + p.citizen.personal_id);
  EXPECT_EQ(header("X-Officer-Id"), "079085000123");
  EXPECT_EQ(header("X-Officer-Account"), "canbo.hcm");
}

TEST_F(InsuranceAdapterTest, AMalformedSubjectOrOfficerIsRefusedBeforeAnyCall) {
  make();
  for (const char* subject :
       {"", "123456789", "12345678901", "00109200000a", "003092000001", "0010920000011"}) {
    EXPECT_EQ(adapter->check_subject(subject).error().code, ErrorCode::kBadRequest) << subject;
    auto record = fetch(query(subject));
    ASSERT_FALSE(record) << subject;
    EXPECT_EQ(record.error().code, ErrorCode::kBadRequest) << subject;
  }
  const std::string code = person_with(0).insurance_code;
  for (const Officer& officer :
       {Officer{"", "canbo.a"}, Officer{"001092000001", ""}, Officer{"12345", "canbo.a"},
        Officer{"001092000001", "can bo\r\nX-Evil: 1"}}) {
    auto record = fetch(query(code, officer));
    ASSERT_FALSE(record);
    EXPECT_EQ(record.error().code, ErrorCode::kBadRequest) << record.error().detail;
  }
  EXPECT_TRUE(http->requests.empty());
}

TEST_F(InsuranceAdapterTest, NotFoundIsNotFound) {
  make();
  std::string code = "0000000000";
  ASSERT_FALSE(insured()->index_of_code(code));
  auto record = fetch(query(code));
  ASSERT_FALSE(record);
  EXPECT_EQ(record.error().code, ErrorCode::kNotFound) << record.error().detail;
}

TEST_F(InsuranceAdapterTest, AnAnswerAboutAnotherPersonIsRefused) {
  make();
  const isim::InsuredPerson asked = person_with(0, 3);
  const isim::InsuredPerson other = person_with(0, 4);
  auto sign = rest::detached_jws_signer(*testing::identity("ec", "sim-insurance"));
  http->tamper = [&](const std::string& target, lienthong::sim::SimReply& reply) {
    if (target.find(isim::kLookupPath) != 0) return;
    reply.body = isim::render_answer(other);  // signed properly, about someone else
    reply.headers = {{"X-JWS-Signature", *sign(reply.body)}};
  };
  for (const std::string& subject : {asked.insurance_code, asked.citizen.personal_id}) {
    auto record = fetch(query(subject));
    ASSERT_FALSE(record);
    EXPECT_EQ(record.error().code, ErrorCode::kUpstreamUnavailable);
    EXPECT_NE(record.error().detail.find("another person"), std::string::npos);
  }
}

TEST_F(InsuranceAdapterTest, SignatureAndSignerAreChecked) {
  make("sim-business");  // a valid chain, but not the insurance signer
  const std::string code = person_with(0).insurance_code;
  auto untrusted = fetch(query(code));
  ASSERT_FALSE(untrusted);
  EXPECT_EQ(untrusted.error().code, ErrorCode::kUpstreamBadSignature);

  make();
  http->tamper = [](const std::string&, lienthong::sim::SimReply& reply) {
    if (!reply.body.empty()) reply.body.insert(reply.body.size() - 1, " ");
  };
  auto altered = fetch(query(code));
  ASSERT_FALSE(altered);
  EXPECT_EQ(altered.error().code, ErrorCode::kUpstreamBadSignature);
}

TEST_F(InsuranceAdapterTest, AMissingRequiredKeyIsNamed) {
  const toml::table table =
      toml::parse("token_url = \"/token\"\nclient_id = \"lienthong-dev\"\nclient_secret = \"s\"\n");
  auto adapter = build_from_config(
      table, AdapterContext{"/", std::make_shared<InlineExecutor>(), SystemClock::instance()});
  ASSERT_FALSE(adapter);
  EXPECT_EQ(adapter.error().code, ErrorCode::kBadRequest);
  EXPECT_NE(adapter.error().detail.find("[adapters.insurance] url: is required"), std::string::npos)
      << adapter.error().detail;
}

}  // namespace
}  // namespace lienthong::adapters::insurance
