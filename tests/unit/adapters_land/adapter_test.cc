// The land adapter against the land simulator's own service in process (answers signed with the
// dev PKI's sim-land key): subject checks with no upstream call, the commune code translation,
// the request the simulator reads, verification and mapping, a tampered or foreign signature,
// replay, not found and another parcel.
#include "adapters/land/adapter.h"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "adapters/land/parcel_dataset.h"
#include "adapters/land/sim_service.h"
#include "adapters/land/sim_xml.h"
#include "tests/support/mocks.h"
#include "tests/support/test_pki.h"

namespace lienthong::adapters::land {
namespace {

using ::testing::_;
using ::testing::StrictMock;
namespace sim = lienthong::land::sim;

constexpr uint64_t kParcels = 20'000;  // small: the layout, not the size, is under test here

std::shared_ptr<const sim::ParcelDataset> dataset() {
  static const auto d = std::make_shared<const sim::ParcelDataset>(
      std::make_shared<const population::sim::CitizenDataset>(), 7, kParcels);
  return d;
}

class LandAdapterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    http = std::make_shared<StrictMock<testing::MockHttpClient>>();
    auto config = std::make_shared<LandConfig>();
    config->url = "https://127.0.0.1:1/dat-dai/TraCuuThuaDat";
    config->ma_dvc = "LIENTHONG-DEV";
    config->x_road_client = "VN/GOV/000.00.00.G22/LIENTHONG";
    config->trusted_signers = {"lienthong-sim land (SIMULATOR)"};
    crypto::XmlVerifierConfig vc;
    vc.trust = testing::trust_store("ec");
    auto verifier = crypto::XmlDsigVerifier::create(std::move(vc));
    ASSERT_TRUE(verifier);
    auto mapping =
        exchange::XmlMapping::load(std::string(LIENTHONG_SOURCE_DIR) + "/mappings/land.toml");
    ASSERT_TRUE(mapping) << mapping.error().detail;
    auto communes = CommuneCodeTable::parse_csv(dataset()->communes_csv(), "dataset");
    ASSERT_TRUE(communes) << communes.error().detail;
    table = std::make_shared<const CommuneCodeTable>(std::move(*communes));
    auto created =
        LandAdapter::create({config, table, http, *verifier, *mapping,
                             std::make_shared<InlineExecutor>(), SystemClock::instance()});
    ASSERT_TRUE(created) << created.error().detail;
    adapter = *created;
    service = service_signed_by("sim-land");
  }

  static std::shared_ptr<sim::LandSimService> service_signed_by(const std::string& name) {
    auto signer = crypto::CanonicalXmlSigner::create(testing::identity("ec", name));
    EXPECT_TRUE(signer);
    sim::LandSimConfig c;
    c.dataset = dataset();
    c.signer = *signer;
    return std::make_shared<sim::LandSimService>(std::move(c));
  }

  exchange::AdapterQuery query(std::string subject) {
    return {
        "0123456789abcdef0123456789abcdef",        std::move(subject),          "DD01",
        {"000.00.00.G22-261122-0001", "1.004227"}, {"001092000001", "canbo.a"}, "000.00.00.G22"};
  }

  // The simulator's answer to the adapter's request.
  upstream::HttpResponse simulate(const upstream::HttpRequest& req, sim::LandSimService& by) const {
    lienthong::sim::HttpRequest r{boost::beast::http::verb::post, std::string(sim::kLookupPath),
                                  11};
    for (const auto& [name, value] : req.headers) r.set(name, value);
    r.body() = req.body;
    auto reply = by.handle(r, true);
    return upstream::HttpResponse{reply.status, reply.content_type, reply.body};
  }

  Result<VerifiedRecord> fetch(
      exchange::AdapterQuery q,
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

  Result<VerifiedRecord> fetch_from_sim(exchange::AdapterQuery q) {
    return fetch(std::move(q),
                 [&](const upstream::HttpRequest& req) { return simulate(req, *service); });
  }

  // A parcel whose old commune is not its merged commune's first member: its code was retired.
  std::optional<sim::Parcel> parcel_of_a_retired_commune() const {
    for (uint64_t i = 0; i < kParcels; i += sim::ParcelDataset::kParcelsPerSheet) {
      sim::Parcel p = dataset()->at(i);
      if (p.old_commune_code != p.commune_code) return p;
    }
    return std::nullopt;
  }

  std::shared_ptr<const CommuneCodeTable> table;
  std::shared_ptr<StrictMock<testing::MockHttpClient>> http;
  std::shared_ptr<LandAdapter> adapter;
  std::shared_ptr<sim::LandSimService> service;
  upstream::HttpRequest last_request;
};

TEST_F(LandAdapterTest, ParcelLookupIsVerifiedAndMapped) {
  const sim::Parcel p = dataset()->at(123);
  auto record = fetch_from_sim(query(p.key()));
  ASSERT_TRUE(record) << record.error().detail;
  EXPECT_EQ(record->code, p.key() + ".DD01");
  EXPECT_EQ(record->source, "land");
  EXPECT_EQ(*find_field(record->fields, "thua_dat.ma_dvhc"), p.commune_code);
  EXPECT_EQ(*find_field(record->fields, "thua_dat.so_thua"), std::to_string(p.number));
  EXPECT_EQ(*find_field(record->fields, "thua_dat.dien_tich"), p.area);
  EXPECT_EQ(*find_field(record->fields, "thua_dat.loai_dat"), p.land_type);
  EXPECT_EQ(*find_field(record->fields, "gcn.so_phat_hanh"), p.serial);
  EXPECT_EQ(*find_field(record->fields, "gcn.ngay_cap"), p.issued_on);
  EXPECT_EQ(*find_field(record->fields, "chu_1.so_dinh_danh"), p.owners[0].personal_id);
  EXPECT_EQ(*find_field(record->fields, "so_chu"), std::to_string(p.owners.size()));
  EXPECT_EQ(record->evidence.kind, "xmldsig");
  EXPECT_GT(record->expires_at, record->verified_at);
  // The request names the officer and the dossier, and carries the parcel key.
  auto parsed = sim::parse_land_request(last_request.body);
  ASSERT_TRUE(parsed) << parsed.error().detail;
  EXPECT_EQ(parsed->officer_id, "001092000001");
  EXPECT_EQ(parsed->officer_account, "canbo.a");
  EXPECT_EQ(parsed->dossier_code, "000.00.00.G22-261122-0001");
  ASSERT_TRUE(parsed->parcel);
  EXPECT_EQ(parsed->parcel->commune_code, p.commune_code);
  EXPECT_EQ(parsed->parcel->sheet, p.sheet);
  EXPECT_FALSE(parsed->serial);
}

TEST_F(LandAdapterTest, CertificateLookupReturnsTheSameParcel) {
  const sim::Parcel p = dataset()->at(4567);
  auto record = fetch_from_sim(query(p.serial));
  ASSERT_TRUE(record) << record.error().detail;
  EXPECT_EQ(record->code, p.serial + ".DD01");
  EXPECT_EQ(*find_field(record->fields, "thua_dat.ma_dvhc"), p.commune_code);
  EXPECT_EQ(*find_field(record->fields, "thua_dat.to_ban_do"), std::to_string(p.sheet));
  auto parsed = sim::parse_land_request(last_request.body);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->serial.value_or(""), p.serial);
}

TEST_F(LandAdapterTest, MalformedSubjectsNeverReachTheUpstream) {
  // StrictMock: any send() would fail the test.
  for (const char* bad :
       {"", "1234-1-1", "123456-1-1", "0000a-1-1", "00004-0-1", "00004-1234-1", "00004-1-12345",
        "00004-1-0", "00004-1", "00004-1-1-1", "00004-1-1@2025-13-01", "00004-1-1@2025-02-30",
        "00004-1-1@20250701", "C123456", "CS12345", "CS1234567", "cs123456", "CS 123456",
        "99999-1-1"}) {
    auto ok = adapter->check_subject(bad);
    ASSERT_FALSE(ok) << bad;
    EXPECT_EQ(ok.error().code, ErrorCode::kBadRequest) << bad;
    std::optional<Result<VerifiedRecord>> out;
    adapter->fetch(query(bad), [&](Result<VerifiedRecord> r) { out = std::move(r); });
    ASSERT_TRUE(out && !*out) << bad;
  }
}

TEST_F(LandAdapterTest, RetiredCommuneCodeIsTranslatedAndKeyedOnTheCurrentOne) {
  auto p = parcel_of_a_retired_commune();
  ASSERT_TRUE(p) << "the data set has no merged commune";
  const std::string old_subject = fmt::format("{}-{}-{}", p->old_commune_code, p->sheet, p->number);
  auto normal = adapter->normalize_subject(old_subject);
  ASSERT_TRUE(normal) << normal.error().detail;
  EXPECT_EQ(*normal, p->key());
  // With the date it was read (before the merger) too, and zero-padded numbers are the same.
  EXPECT_EQ(*adapter->normalize_subject(
                fmt::format("{}-{:03}-{:04}@2024-05-01", p->old_commune_code, p->sheet, p->number)),
            p->key());
  // Said to be in force after 2025-07-01, a retired code is refused, naming its successor.
  auto refused = adapter->check_subject(old_subject + "@2025-08-01");
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().detail.find(p->commune_code), std::string::npos);

  auto record = fetch_from_sim(query(old_subject));
  ASSERT_TRUE(record) << record.error().detail;
  EXPECT_EQ(record->subject, p->key());
  EXPECT_EQ(record->code, p->key() + ".DD01");
  EXPECT_EQ(*find_field(record->fields, "thua_dat.ma_dvhc_truoc_2025"), p->old_commune_code);
  auto parsed = sim::parse_land_request(last_request.body);
  ASSERT_TRUE(parsed && parsed->parcel);
  EXPECT_EQ(parsed->parcel->commune_code, p->commune_code);  // the upstream is asked the new code
}

TEST_F(LandAdapterTest, TamperedAnswerIsUpstreamBadSignature) {
  auto record = fetch(query(dataset()->key_at(5)), [&](const upstream::HttpRequest& req) {
    auto answer = simulate(req, *service);
    EXPECT_TRUE(sim::tamper_signed_answer(answer.body));
    return answer;
  });
  ASSERT_FALSE(record);
  EXPECT_EQ(record.error().code, ErrorCode::kUpstreamBadSignature);
}

TEST_F(LandAdapterTest, BadSignatureKnobIsUpstreamBadSignature) {
  auto knobs = R"({"bad_signature_rate": 1.0})";
  lienthong::sim::HttpRequest set{boost::beast::http::verb::post, "/sim/knobs", 11};
  set.body() = knobs;
  ASSERT_EQ(service->handle(set, true).status, 200u);
  auto record = fetch_from_sim(query(dataset()->key_at(6)));
  ASSERT_FALSE(record);
  EXPECT_EQ(record.error().code, ErrorCode::kUpstreamBadSignature);
}

TEST_F(LandAdapterTest, AValidSignatureByAnotherNationalCertificateIsRefused) {
  auto population = service_signed_by("sim-population");
  auto record = fetch(query(dataset()->key_at(7)),
                      [&](const upstream::HttpRequest& req) { return simulate(req, *population); });
  ASSERT_FALSE(record);
  EXPECT_EQ(record.error().code, ErrorCode::kUpstreamBadSignature);
  EXPECT_NE(record.error().detail.find("not a configured land DB signer"), std::string::npos);
}

TEST_F(LandAdapterTest, ASignedAnswerToAnotherRequestIsRefused) {
  upstream::HttpResponse old_answer;
  ASSERT_TRUE(fetch(query(dataset()->key_at(8)), [&](const upstream::HttpRequest& req) {
    old_answer = simulate(req, *service);
    return old_answer;
  }));
  auto replayed = query(dataset()->key_at(8));
  replayed.request_id = "fedcba9876543210fedcba9876543210";
  auto second = fetch(replayed, [&](const upstream::HttpRequest&) { return old_answer; });
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().code, ErrorCode::kUpstreamBadSignature);
}

TEST_F(LandAdapterTest, NotFoundAndAnotherParcel) {
  const sim::Parcel p = dataset()->at(10);
  // A valid key on a sheet nobody numbered, and a serial outside the data set.
  auto missing = fetch_from_sim(query(fmt::format("{}-299-1", p.commune_code)));
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  std::string serial;
  for (uint32_t n = 0; serial.empty(); ++n) {
    const std::string candidate = fmt::format("BA{:06}", n);
    if (!dataset()->index_of_serial(candidate)) serial = candidate;
  }
  auto no_certificate = fetch_from_sim(query(serial));
  ASSERT_FALSE(no_certificate);
  EXPECT_EQ(no_certificate.error().code, ErrorCode::kNotFound);

  // Signed, for this request, but about another parcel: the upstream broke its contract.
  const std::string other_serial = dataset()->serial_at(11);
  auto wrong = fetch(query(p.key()), [&](const upstream::HttpRequest& req) {
    std::string body = req.body;
    const size_t from = body.find("<dd:ThuaDat>");
    const size_t to = body.find("</dd:ThuaDat>") + std::string_view("</dd:ThuaDat>").size();
    body.replace(from, to - from, "<dd:SoPhatHanh>" + other_serial + "</dd:SoPhatHanh>");
    upstream::HttpRequest swapped = req;
    swapped.body = body;
    return simulate(swapped, *service);
  });
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().code, ErrorCode::kUpstreamUnavailable);
}

TEST_F(LandAdapterTest, UpstreamErrorsAndTransportFailures) {
  auto refused = fetch(query(dataset()->key_at(12)), [](const upstream::HttpRequest&) {
    return upstream::HttpResponse{500, "text/xml", "<Loi/>"};
  });
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kUpstreamUnavailable);
  EXPECT_CALL(*http, send(_, _))
      .WillOnce([](upstream::HttpRequest, upstream::ResponseCallback done) {
        done(fail(ErrorCode::kUpstreamTimeout, "land: timed out"));
      });
  std::optional<Result<VerifiedRecord>> out;
  adapter->fetch(query(dataset()->key_at(13)),
                 [&](Result<VerifiedRecord> r) { out = std::move(r); });
  ASSERT_TRUE(out && !*out);
  EXPECT_EQ(out->error().code, ErrorCode::kUpstreamTimeout);
}

TEST(CommuneCodeTable, ParsesAndRefusesBadTables) {
  auto table = CommuneCodeTable::parse_csv("# c\n00001,00001\n00004,00001\n\n00008,00008\n", "t");
  ASSERT_TRUE(table) << table.error().detail;
  EXPECT_EQ(table->old_codes(), 3u);
  EXPECT_EQ(table->current_codes(), 2u);
  EXPECT_EQ(*table->resolve("00004"), "00001");
  EXPECT_EQ(*table->resolve("00004", "2025-06-30"), "00001");
  EXPECT_FALSE(table->resolve("00004", "2025-07-01"));
  EXPECT_EQ(*table->resolve("00001", "2025-07-01"), "00001");
  EXPECT_FALSE(table->resolve("00002"));
  // A current code must be its own successor; codes are 5 digits; no code twice.
  EXPECT_FALSE(CommuneCodeTable::parse_csv("00004,00001\n", "t"));
  EXPECT_FALSE(CommuneCodeTable::parse_csv("0001,00001\n", "t"));
  EXPECT_FALSE(CommuneCodeTable::parse_csv("00001,00001\n00001,00001\n", "t"));
  EXPECT_FALSE(CommuneCodeTable::parse_csv("# only comments\n", "t"));
}

}  // namespace
}  // namespace lienthong::adapters::land
