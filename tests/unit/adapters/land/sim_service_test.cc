// The land simulator's service in process: signed answers that verify, the same parcel by key
// and by serial, requests it refuses, and the shared fault knobs.
#include "adapters/land/sim_service.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "gateway/crypto/xml_verifier.h"
#include "tests/support/test_pki.h"

namespace lienthong::land::sim {
namespace {

namespace http = boost::beast::http;

class LandSimServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    LandSimOptions o;
    o.citizens = std::make_shared<const population::sim::CitizenDataset>();
    o.identity = testing::identity("ec", "sim-land");
    o.parcels = 10'000;
    auto made = make_land_sim_service(o);
    ASSERT_TRUE(made) << made.error().detail;
    service = *made;
    dataset = std::make_shared<const ParcelDataset>(o.citizens, o.seed, o.parcels);
  }

  lienthong::sim::HttpRequest post(std::string body, bool with_client = true) {
    lienthong::sim::HttpRequest r{http::verb::post, std::string(kLookupPath), 11};
    r.set(http::field::content_type, "text/xml; charset=utf-8");
    if (with_client) r.set("X-Road-Client", "VN/GOV/000.00.00.G22/LIENTHONG");
    r.body() = std::move(body);
    return r;
  }

  static std::string request(std::string_view what, std::string_view id = "req-1") {
    return fmt::format(
        "<dd:TraCuuThuaDat xmlns:dd=\"{}\"><dd:MaYeuCau>{}</dd:MaYeuCau>"
        "<dd:MaCanBo>001092000001</dd:MaCanBo><dd:TaiKhoan>canbo.a</dd:TaiKhoan>{}"
        "</dd:TraCuuThuaDat>",
        kLandNs, id, what);
  }
  static std::string by_key(const Parcel& p) {
    return request(
        fmt::format("<dd:ThuaDat><dd:MaDvhc>{}</dd:MaDvhc><dd:ToBanDo>{}</dd:ToBanDo>"
                    "<dd:ThuaDatSo>{}</dd:ThuaDatSo></dd:ThuaDat>",
                    p.commune_code, p.sheet, p.number));
  }

  Result<crypto::VerifiedXml> verify(const std::string& body) {
    crypto::XmlVerifierConfig vc;
    vc.trust = testing::trust_store("ec");
    auto verifier = crypto::XmlDsigVerifier::create(std::move(vc));
    EXPECT_TRUE(verifier);
    return (*verifier)->verify(body);
  }

  std::shared_ptr<LandSimService> service;
  std::shared_ptr<const ParcelDataset> dataset;
};

TEST_F(LandSimServiceTest, SignedAnswersByKeyAndBySerialAgree) {
  const Parcel p = dataset->at(4321);
  auto a = service->handle(post(by_key(p)), false);
  auto b = service->handle(post(request("<dd:SoPhatHanh>" + p.serial + "</dd:SoPhatHanh>")), false);
  ASSERT_EQ(a.status, 200u) << a.body;
  ASSERT_EQ(b.status, 200u) << b.body;
  ASSERT_TRUE(verify(a.body));
  ASSERT_TRUE(verify(b.body));
  for (const std::string* body : {&a.body, &b.body}) {
    EXPECT_NE(body->find("<dd:soPhatHanh>" + p.serial + "</dd:soPhatHanh>"), std::string::npos);
    EXPECT_NE(body->find("<dd:SoDinhDanh>" + p.owners[0].personal_id + "</dd:SoDinhDanh>"),
              std::string::npos);
    EXPECT_NE(body->find("<dd:ThuaDatSo>" + std::to_string(p.number) + "</dd:ThuaDatSo>"),
              std::string::npos);
  }
}

TEST_F(LandSimServiceTest, NotFoundIsASignedAnswerWithoutARecord) {
  Parcel p = dataset->at(0);
  p.sheet = 299;
  auto reply = service->handle(post(by_key(p)), false);
  ASSERT_EQ(reply.status, 200u);
  ASSERT_TRUE(verify(reply.body));
  EXPECT_EQ(reply.body.find("HoSo"), std::string::npos);
}

TEST_F(LandSimServiceTest, RefusedRequests) {
  const Parcel p = dataset->at(1);
  EXPECT_EQ(service->handle(post(by_key(p), false), false).status, 401u);
  EXPECT_EQ(service->handle(post(request("")), false).status, 400u);  // neither key nor serial
  EXPECT_EQ(service
                ->handle(post(request("<dd:SoPhatHanh>CS000001</dd:SoPhatHanh>"
                                      "<dd:ThuaDat><dd:MaDvhc>00001</dd:MaDvhc></dd:ThuaDat>")),
                         false)
                .status,
            400u);
  EXPECT_EQ(service->handle(post("<x/>"), false).status, 400u);
  lienthong::sim::HttpRequest get{http::verb::get, std::string(kLookupPath), 11};
  EXPECT_EQ(service->handle(get, false).status, 405u);
}

TEST_F(LandSimServiceTest, FaultKnobs) {
  lienthong::sim::HttpRequest knobs{http::verb::post, "/sim/knobs", 11};
  knobs.body() = R"({"error_rate": 1.0})";
  EXPECT_EQ(service->handle(knobs, false).status, 403u);  // loopback only
  ASSERT_EQ(service->handle(knobs, true).status, 200u);
  EXPECT_EQ(service->handle(post(by_key(dataset->at(2))), false).status, 500u);
  knobs.body() = R"({"error_rate": 0, "timeout_rate": 1.0})";
  ASSERT_EQ(service->handle(knobs, true).status, 200u);
  EXPECT_TRUE(service->handle(post(by_key(dataset->at(2))), false).hold);
  knobs.body() = R"({"timeout_rate": 0, "bad_signature_rate": 1.0, "latency_ms": 25})";
  ASSERT_EQ(service->handle(knobs, true).status, 200u);
  auto tampered = service->handle(post(by_key(dataset->at(2))), false);
  ASSERT_EQ(tampered.status, 200u);
  EXPECT_EQ(tampered.delay, std::chrono::milliseconds(25));
  EXPECT_FALSE(verify(tampered.body));
  lienthong::sim::HttpRequest stats{http::verb::get, "/sim/stats", 11};
  const auto s = service->handle(stats, false).body;
  EXPECT_NE(s.find("\"bad_signatures\":1"), std::string::npos) << s;
  EXPECT_NE(s.find("\"injected_errors\":1"), std::string::npos) << s;
}

TEST_F(LandSimServiceTest, ParcelsPageListsValidSubjects) {
  lienthong::sim::HttpRequest page{http::verb::get, "/sim/parcels?start=5&count=2", 11};
  const auto reply = service->handle(page, false);
  ASSERT_EQ(reply.status, 200u);
  EXPECT_NE(reply.body.find(dataset->key_at(5)), std::string::npos);
  EXPECT_NE(reply.body.find(dataset->serial_at(6)), std::string::npos);
  EXPECT_EQ(reply.body.find(dataset->key_at(7)), std::string::npos);
}

}  // namespace
}  // namespace lienthong::land::sim
