#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "adapters/population/sim_server.h"
#include "gateway/crypto/xml_nodes.h"
#include "gateway/crypto/xml_verifier.h"
#include "tests/support/test_pki.h"

namespace lienthong::population::sim {
namespace {

using ::testing::HasSubstr;
namespace http = boost::beast::http;
namespace xml = crypto::xml;

const TimePoint kNow = *parse_utc_time("2026-07-01T08:00:00Z");

std::shared_ptr<const CitizenDataset> shared_dataset() {
  static const auto data = std::make_shared<const CitizenDataset>();
  return data;
}

std::shared_ptr<const crypto::CanonicalXmlSigner> shared_signer() {
  static const auto signer = [] {
    auto s = crypto::CanonicalXmlSigner::create(testing::identity("ec", "sim-population"));
    if (!s) throw std::runtime_error(s.error().detail);
    return *s;
  }();
  return signer;
}

std::unique_ptr<SimService> make_service(Knobs knobs = {}, uint64_t seed = 20250701) {
  SimServiceConfig config;
  config.dataset = shared_dataset();
  config.signer = shared_signer();
  config.knobs = knobs;
  config.seed = seed;
  config.clock = std::make_shared<FixedClock>(kNow);
  return std::make_unique<SimService>(std::move(config));
}

std::string lookup_body(const std::string& personal_id, const std::string& extra = "",
                        const std::string& request_id = "req-1") {
  return "<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\" "
         "xmlns:dan=\"http://dancuquocgia.bca\"><soapenv:Body><dan:TraCuuThongTinCongDan>"
         "<dan:MaYeuCau>" +
         request_id +
         "</dan:MaYeuCau><dan:MaDVC>1.001234</dan:MaDVC><dan:MaTichHop>037</dan:MaTichHop>"
         "<dan:MaCanBo>001080000123</dan:MaCanBo><dan:MaDonVi>000.00.00.H20</dan:MaDonVi>"
         "<dan:TaiKhoan>canbo.mc01</dan:TaiKhoan><dan:SoDinhDanh>" +
         personal_id + "</dan:SoDinhDanh>" + extra +
         "</dan:TraCuuThongTinCongDan></soapenv:Body></soapenv:Envelope>";
}

HttpRequest lookup_request(const std::string& body, TimePoint at = kNow,
                           const Credentials& creds = {}) {
  HttpRequest req{http::verb::post, std::string(kLookupPath), 11};
  const std::string ts = std::to_string(
      std::chrono::duration_cast<std::chrono::milliseconds>(at.time_since_epoch()).count());
  req.set(http::field::content_type, "text/xml; charset=utf-8");
  req.set("SOAPAction", "\"\"");
  req.set("Timestamp", ts);
  req.set("ApiKey", creds.api_key);
  req.set("X-Road-Client", "VN/GOV/000.00.00.G22/lienthong");
  req.set(http::field::authorization, authorization_header(creds, ts));
  req.body() = body;
  req.prepare_payload();
  return req;
}

HttpRequest simple(http::verb verb, const std::string& target, const std::string& body = "") {
  HttpRequest req{verb, target, 11};
  req.body() = body;
  req.prepare_payload();
  return req;
}

Result<crypto::VerifiedXml> verify(const std::string& doc) {
  crypto::XmlVerifierConfig config;
  config.trust = testing::trust_store("ec");
  auto verifier = crypto::XmlDsigVerifier::create(std::move(config));
  if (!verifier) throw std::runtime_error(verifier.error().detail);
  return (*verifier)->verify(doc);
}

TEST(SimService, FoundCitizenIsSignedAndCounted) {
  auto service = make_service();
  const std::string id = shared_dataset()->personal_id_at(31337);
  const SimReply reply = service->handle(lookup_request(lookup_body(id)), false);
  ASSERT_EQ(reply.status, 200u) << reply.body;
  EXPECT_FALSE(reply.hold);
  EXPECT_EQ(reply.content_type, "text/xml; charset=utf-8");
  EXPECT_EQ(reply.delay.count(), 0);
  auto verified = verify(reply.body);
  ASSERT_TRUE(verified) << verified.error().detail;
  EXPECT_THAT(verified->signed_xml(), HasSubstr("<ns1:SoDinhDanh>" + id + "</ns1:SoDinhDanh>"));
  EXPECT_THAT(verified->signed_xml(),
              HasSubstr("<ns1:ThoiDiemDuLieu>2026-07-01T08:00:00Z</ns1:ThoiDiemDuLieu>"));
  const Stats s = service->stats();
  EXPECT_EQ(s.requests, 1u);
  EXPECT_EQ(s.lookups, 1u);
  EXPECT_EQ(s.found, 1u);
  EXPECT_EQ(s.not_found, 0u);
  EXPECT_EQ(s.faults, 0u);
}

TEST(SimService, UnknownOrMismatchedCitizenIsASignedEmptyCollection) {
  auto service = make_service();
  const Citizen c = shared_dataset()->at(5);
  const std::string wrong_name = "<dan:HoVaTen>" + c.name.full() + " Khác</dan:HoVaTen>";
  const std::string right_name = "<dan:HoVaTen>" + c.name.full() + "</dan:HoVaTen>";
  const std::string wrong_year = "<dan:NgayThangNamSinh><dan:Nam>" +
                                 std::to_string(c.birth_year == 1990 ? 1991 : 1990) +
                                 "</dan:Nam></dan:NgayThangNamSinh>";
  for (const std::string& body :
       {lookup_body("001092999999"), lookup_body(c.personal_id, wrong_name),
        lookup_body(c.personal_id, wrong_year), lookup_body("12345")}) {
    const SimReply reply = service->handle(lookup_request(body), false);
    ASSERT_EQ(reply.status, 200u) << reply.body;
    auto verified = verify(reply.body);
    ASSERT_TRUE(verified) << verified.error().detail;
    EXPECT_THAT(verified->signed_xml(), ::testing::Not(HasSubstr("CongDan")));
  }
  const SimReply found =
      service->handle(lookup_request(lookup_body(c.personal_id, right_name)), false);
  EXPECT_THAT(found.body, HasSubstr("<ns1:CongDan>"));
  EXPECT_EQ(service->stats().not_found, 4u);
  EXPECT_EQ(service->stats().found, 1u);
}

TEST(SimService, BadCredentialsAre401AndNoLookup) {
  auto service = make_service();
  const std::string body = lookup_body(shared_dataset()->personal_id_at(1));
  Credentials wrong;
  wrong.secret = "not-the-secret";
  const SimReply bad_digest = service->handle(lookup_request(body, kNow, wrong), false);
  EXPECT_EQ(bad_digest.status, 401u);
  EXPECT_THAT(bad_digest.body, HasSubstr("<faultcode>soapenv:Client</faultcode>"));
  EXPECT_THAT(bad_digest.body, HasSubstr("UNAUTHORIZED"));

  const SimReply stale =
      service->handle(lookup_request(body, kNow - std::chrono::minutes(6)), false);
  EXPECT_EQ(stale.status, 401u);
  EXPECT_THAT(stale.body, HasSubstr("Timestamp"));

  HttpRequest no_key = lookup_request(body);
  no_key.erase("ApiKey");
  EXPECT_EQ(service->handle(no_key, false).status, 401u);

  const Stats s = service->stats();
  EXPECT_EQ(s.requests, 3u);
  EXPECT_EQ(s.auth_failures, 3u);
  EXPECT_EQ(s.faults, 3u);
  EXPECT_EQ(s.lookups, 0u);
}

TEST(SimService, MalformedRequestsAreClientFaults) {
  auto service = make_service();
  const SimReply missing = service->handle(
      lookup_request(lookup_body(shared_dataset()->personal_id_at(1), "", "")), false);
  EXPECT_EQ(missing.status, 400u);
  EXPECT_THAT(missing.body, HasSubstr("missing MaYeuCau"));

  const SimReply dtd =
      service->handle(lookup_request("<!DOCTYPE a [<!ENTITY x \"y\">]><a>&x;</a>"), false);
  EXPECT_EQ(dtd.status, 400u);

  HttpRequest json = lookup_request(lookup_body("001092000123"));
  json.set(http::field::content_type, "application/json");
  EXPECT_EQ(service->handle(json, false).status, 415u);

  HttpRequest app_xml = lookup_request(lookup_body("001092000123"));
  app_xml.set(http::field::content_type, "application/xml");
  EXPECT_EQ(service->handle(app_xml, false).status, 200u);

  HttpRequest no_action = lookup_request(lookup_body("001092000123"));
  no_action.erase("SOAPAction");
  EXPECT_EQ(service->handle(no_action, false).status, 400u);

  EXPECT_EQ(service->handle(simple(http::verb::get, std::string(kLookupPath)), false).status, 405u);
  EXPECT_EQ(service->stats().bad_requests, 4u);
  EXPECT_EQ(service->stats().lookups, 1u);
}

TEST(SimService, HealthStatsAndUnknownPaths) {
  auto service = make_service();
  const SimReply health = service->handle(simple(http::verb::get, "/healthz"), false);
  EXPECT_EQ(health.status, 200u);
  EXPECT_EQ(health.body, "ok (SIMULATOR)");
  const SimReply stats = service->handle(simple(http::verb::get, "/sim/stats"), false);
  EXPECT_EQ(stats.status, 200u);
  EXPECT_EQ(stats.content_type, "application/json");
  EXPECT_THAT(stats.body, HasSubstr("\"requests\":0"));
  EXPECT_THAT(stats.body, HasSubstr("\"lookups\":0"));
  EXPECT_EQ(service->handle(simple(http::verb::get, "/nope"), false).status, 404u);
}

TEST(SimService, ListsCitizensForTestsAndDemos) {
  auto service = make_service();
  const SimReply page =
      service->handle(simple(http::verb::get, "/sim/citizens?start=10&count=3"), false);
  ASSERT_EQ(page.status, 200u);
  const Citizen c = shared_dataset()->at(11);
  EXPECT_THAT(page.body, HasSubstr("\"SoDinhDanh\":\"" + c.personal_id + "\""));
  EXPECT_THAT(page.body, HasSubstr("\"HoVaTen\":\"" + c.name.full() + "\""));
  EXPECT_THAT(page.body, HasSubstr("\"index\":12"));
  EXPECT_THAT(page.body, ::testing::Not(HasSubstr("\"index\":13")));
  EXPECT_EQ(service->handle(simple(http::verb::get, "/sim/citizens?start=x"), false).status, 400u);
  EXPECT_EQ(service->stats().lookups, 0u);  // not an upstream lookup
}

TEST(SimService, ControlsOnlyFromLoopback) {
  auto service = make_service();
  service->handle(lookup_request(lookup_body("001092000123")), false);
  const auto post = [](const std::string& target, const std::string& body) {
    return simple(http::verb::post, target, body);
  };
  EXPECT_EQ(service->handle(post("/sim/reset-stats", ""), false).status, 403u);
  EXPECT_EQ(service->handle(post("/sim/knobs", "{\"error_rate\":1}"), false).status, 403u);
  EXPECT_EQ(service->knobs().error_rate, 0);
  EXPECT_EQ(service->stats().requests, 1u);

  const SimReply set =
      service->handle(post("/sim/knobs", "{\"latency_ms\":25,\"bad_signature_rate\":0.5}"), true);
  EXPECT_EQ(set.status, 200u);
  EXPECT_THAT(set.body, HasSubstr("\"latency_ms\":25"));
  EXPECT_EQ(service->knobs().latency_ms, 25u);
  EXPECT_EQ(service->knobs().bad_signature_rate, 0.5);
  EXPECT_THAT(service->handle(simple(http::verb::get, "/sim/knobs"), false).body,
              HasSubstr("\"bad_signature_rate\":0.5"));

  for (const char* bad : {"{\"error_rate\":2}", "{\"latency_ms\":-1}", "{\"speed\":1}", "[1]",
                          "not json", "{\"timeout_rate\":\"0.5\"}"}) {
    EXPECT_EQ(service->handle(post("/sim/knobs", bad), true).status, 400u) << bad;
  }
  EXPECT_EQ(service->knobs().latency_ms, 25u);  // a refused update changes nothing

  EXPECT_EQ(service->handle(post("/sim/reset-stats", ""), true).status, 200u);
  EXPECT_EQ(service->stats().requests, 0u);
}

TEST(SimService, BadSignatureKnobBreaksVerification) {
  Knobs knobs;
  knobs.bad_signature_rate = 1;
  auto service = make_service(knobs);
  const SimReply reply =
      service->handle(lookup_request(lookup_body(shared_dataset()->personal_id_at(8))), false);
  ASSERT_EQ(reply.status, 200u);
  auto verified = verify(reply.body);
  ASSERT_FALSE(verified);
  EXPECT_EQ(verified.error().code, ErrorCode::kSignatureInvalid);
  EXPECT_EQ(service->stats().bad_signatures, 1u);

  // Flipped back at run time, the next answer verifies again.
  service->set_knobs({});
  const SimReply good =
      service->handle(lookup_request(lookup_body(shared_dataset()->personal_id_at(8))), false);
  EXPECT_TRUE(verify(good.body));
}

TEST(SimService, InjectedErrorsAndTimeouts) {
  Knobs errors;
  errors.error_rate = 1;
  auto failing = make_service(errors);
  const SimReply e = failing->handle(lookup_request(lookup_body("001092000123")), false);
  EXPECT_EQ(e.status, 500u);
  EXPECT_THAT(e.body, HasSubstr("<faultcode>soapenv:Server</faultcode>"));
  EXPECT_THAT(e.body, HasSubstr("INJECTED_ERROR"));
  EXPECT_EQ(failing->stats().injected_errors, 1u);
  EXPECT_EQ(failing->stats().lookups, 0u);

  Knobs timeouts;
  timeouts.timeout_rate = 1;
  auto hanging = make_service(timeouts);
  const SimReply h = hanging->handle(lookup_request(lookup_body("001092000123")), false);
  EXPECT_TRUE(h.hold);
  EXPECT_EQ(hanging->stats().injected_timeouts, 1u);
  EXPECT_EQ(hanging->stats().lookups, 0u);
}

// Which requests get a fault depends only on the seed and the request's number.
TEST(SimService, FaultsAreDeterministicFromTheSeed) {
  Knobs half;
  half.error_rate = 0.5;
  half.latency_ms = 100;
  half.latency_jitter_ms = 50;
  const auto outcomes = [&](uint64_t seed) {
    auto service = make_service(half, seed);
    std::vector<std::pair<unsigned, int64_t>> out;
    for (int i = 0; i < 100; ++i) {
      const SimReply r = service->handle(lookup_request(lookup_body("001092000123")), false);
      out.emplace_back(r.status, r.delay.count());
    }
    return out;
  };
  const auto first = outcomes(1), again = outcomes(1), other = outcomes(2);
  EXPECT_EQ(first, again);
  EXPECT_NE(first, other);
  const auto errors =
      std::count_if(first.begin(), first.end(), [](const auto& o) { return o.first == 500; });
  EXPECT_GT(errors, 30);
  EXPECT_LT(errors, 70);
  for (const auto& [status, delay] : first) {
    EXPECT_GE(delay, 100);
    EXPECT_LE(delay, 150);
  }
}

TEST(SimService, KnobsJsonRoundTrips) {
  Knobs k;
  k.latency_ms = 100;
  k.timeout_rate = 0.25;
  auto back = apply_knobs_json({}, knobs_json(k));
  ASSERT_TRUE(back) << back.error().detail;
  EXPECT_EQ(back->latency_ms, 100u);
  EXPECT_EQ(back->timeout_rate, 0.25);
  EXPECT_EQ(back->error_rate, 0);
}

}  // namespace
}  // namespace lienthong::population::sim
