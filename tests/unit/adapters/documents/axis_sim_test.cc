// The document axis SIMULATOR (adapters/documents/axis_sim.h): driven directly with HttpRequest
// objects, and through a real SimServer over mutual TLS for the body limit and the drop fault.
#include "adapters/documents/axis_sim.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <nlohmann/json.hpp>

#include <thread>

#include "adapters/documents/edxml_parse.h"
#include "adapters/documents/edxml_signature.h"
#include "adapters/documents/edxml_write.h"
#include "gateway/core/encoding.h"
#include "tests/support/manual_clock.h"
#include "tests/support/test_pki.h"
#include "tests/unit/adapters/documents/sample_envelope.h"

namespace lienthong::edxml::sim {
namespace {

using ::testing::HasSubstr;
using json = nlohmann::json;
namespace http = boost::beast::http;
using lienthong::sim::HttpRequest;
using lienthong::sim::SimReply;

constexpr std::string_view kSender = "000.00.00.G22";
constexpr std::string_view kDongThap = "000.00.00.H20";
constexpr std::string_view kQuangNam = "001.00.10.H47";

// The sample envelope (G22 to H20 and 001.00.10.H47) as document number `number`, its second
// attachment `attachment_bytes` long when given.
EdxmlMessage message(int number, size_t attachment_bytes = 0) {
  auto m = parse_edxml(testing::sample_edxml());
  if (!m) throw std::runtime_error(m.error().detail);
  const std::string code = std::to_string(number);
  m->header.code.code_number = code;
  m->header.document_id = "000.00.00.G22,2015/09/30," + code + "/VPCP-TTĐT";
  m->trace.bussiness->document_id = m->header.document_id;
  if (attachment_bytes > 0) m->attachments[1].bytes = std::string(attachment_bytes, 'x');
  return m.value();
}

std::string document(int number, size_t attachment_bytes = 0) {
  return to_edxml(message(number, attachment_bytes));
}

std::string document_id(int number) {
  return "000.00.00.G22,2015/09/30," + std::to_string(number) + "/VPCP-TTĐT";
}

// A Status from `from` about document `number`.
std::string status(int number, std::string_view code, std::string_view from = kDongThap,
                   std::string_view timestamp = "2015/09/30 17:02:00") {
  auto s = parse_edxml_status(testing::sample_status(code));
  if (!s) throw std::runtime_error(s.error().detail);
  s->response_for.document_id = document_id(number);
  s->response_for.code = std::to_string(number) + "/VPCP-TTĐT";
  s->from.organ_id = std::string(from);
  s->timestamp = std::string(timestamp);
  return to_edxml(*s);
}

HttpRequest request(http::verb verb, std::string target, std::string body = "",
                    std::string content_type = "application/xml") {
  HttpRequest r{verb, target, 11};
  if (!body.empty()) r.set(http::field::content_type, content_type);
  r.body() = std::move(body);
  r.prepare_payload();
  return r;
}

json body_json(const SimReply& r) {
  auto j = json::parse(r.body, nullptr, false);
  if (j.is_discarded()) throw std::runtime_error("not JSON: " + r.body);
  return j;
}

const TimePoint kStart = *parse_utc_time("2025-06-01 08:00:00");

class AxisSim : public ::testing::Test {
 protected:
  AxisSimConfig config() {
    AxisSimConfig c;
    c.tokens.reset();  // most tests look past the API manager; one test checks it
    c.clock = clock_;
    return c;
  }
  void start(AxisSimConfig c) { service_ = std::make_shared<AxisService>(std::move(c)); }
  void start() { start(config()); }

  SimReply call(HttpRequest r, bool loopback = false) { return service_->handle(r, loopback); }
  SimReply send(const std::string& doc) {
    return call(request(http::verb::post, "/documents", doc));
  }
  std::vector<std::string> pending(std::string_view organ) {
    const SimReply r =
        call(request(http::verb::get, "/documents/pending?organ=" + std::string(organ)));
    EXPECT_EQ(r.status, 200u) << r.body;
    std::vector<std::string> ids;
    const json answer = body_json(r);  // kept: the loop reads into it
    for (const auto& d : answer["documents"]) ids.push_back(d["id"].get<std::string>());
    return ids;
  }
  json stats() { return body_json(call(request(http::verb::get, "/sim/stats"), true)); }

  std::shared_ptr<lienthong::testing::ManualClock> clock_ =
      std::make_shared<lienthong::testing::ManualClock>(kStart);
  std::shared_ptr<AxisService> service_;
};

TEST_F(AxisSim, AgenciesListIsDeterministicAndHasTheObservedCodes) {
  start();
  const SimReply r = call(request(http::verb::get, "/agencies"));
  ASSERT_EQ(r.status, 200u);
  std::vector<std::string> codes;
  const json answer = body_json(r);
  for (const auto& a : answer["agencies"]) codes.push_back(a["code"].get<std::string>());
  EXPECT_THAT(codes, ::testing::IsSupersetOf({"000.00.00.G22", "000.00.00.H20", "001.00.10.H47"}));
  EXPECT_GE(codes.size(), 6u);
  EXPECT_EQ(call(request(http::verb::get, "/agencies")).body, r.body);
}

TEST_F(AxisSim, SendPendingGetAckStatusHistory) {
  start();
  const std::string doc = document(7816);
  const SimReply sent = send(doc);
  ASSERT_EQ(sent.status, 201u) << sent.body;
  const json answer = body_json(sent);
  const std::string id = answer["id"];
  EXPECT_FALSE(answer["duplicate"].get<bool>());
  EXPECT_EQ(answer["document_id"], document_id(7816));

  // Both recipients see it; the sender does not.
  EXPECT_THAT(pending(kDongThap), ::testing::ElementsAre(id));
  EXPECT_THAT(pending(kQuangNam), ::testing::ElementsAre(id));
  EXPECT_TRUE(pending(kSender).empty());

  const SimReply got = call(request(http::verb::get, "/documents/" + id));
  ASSERT_EQ(got.status, 200u);
  EXPECT_EQ(got.content_type, "application/xml");
  EXPECT_EQ(got.body, doc);

  const SimReply acked =
      call(request(http::verb::post, "/documents/" + id + "/ack?organ=" + std::string(kDongThap)));
  ASSERT_EQ(acked.status, 200u) << acked.body;
  EXPECT_TRUE(pending(kDongThap).empty());
  EXPECT_THAT(pending(kQuangNam), ::testing::ElementsAre(id));  // the other still waits

  const SimReply accepted =
      call(request(http::verb::post, "/documents/" + id + "/status", status(7816, "03")));
  ASSERT_EQ(accepted.status, 201u) << accepted.body;
  const SimReply history = call(request(http::verb::get, "/documents/" + id + "/status"));
  ASSERT_EQ(history.status, 200u);
  const json h = body_json(history);
  ASSERT_EQ(h["statuses"].size(), 1u);
  EXPECT_EQ(h["statuses"][0]["status_code"], "03");
  EXPECT_EQ(h["statuses"][0]["from"], kDongThap);
  EXPECT_EQ(h["statuses"][0]["received_at"], "2025-06-01T08:00:00Z");

  // The sender's view (getSentEdocList).
  const json out =
      body_json(call(request(http::verb::get, "/documents/sent?organ=" + std::string(kSender))));
  ASSERT_EQ(out["documents"].size(), 1u);
  EXPECT_TRUE(out["documents"][0]["taken"][std::string(kDongThap)].get<bool>());
  EXPECT_FALSE(out["documents"][0]["taken"][std::string(kQuangNam)].get<bool>());
}

TEST_F(AxisSim, StatusFromOutsidersOrForAnotherDocumentRefused) {
  start();
  const std::string id = body_json(send(document(1)))["id"];
  ASSERT_EQ(send(document(2)).status, 201u);
  EXPECT_EQ(call(request(http::verb::post, "/documents/" + id + "/status", status(2, "03"))).status,
            400u);
  EXPECT_EQ(call(request(http::verb::post, "/documents/" + id + "/status",
                         status(1, "03", "000.00.00.H90")))
                .status,
            403u);
  EXPECT_EQ(call(request(http::verb::post, "/documents/" + id + "/status", "<edXML/>")).status,
            400u);
  EXPECT_EQ(
      call(request(http::verb::post, "/documents/ax-99999999/status", status(1, "03"))).status,
      404u);
  // A retried Status (same sender, code and timestamp) is recorded once.
  EXPECT_EQ(call(request(http::verb::post, "/documents/" + id + "/status", status(1, "01"))).status,
            201u);
  const SimReply again =
      call(request(http::verb::post, "/documents/" + id + "/status", status(1, "01")));
  EXPECT_EQ(again.status, 200u);
  EXPECT_TRUE(body_json(again)["duplicate"].get<bool>());
  EXPECT_EQ(
      body_json(call(request(http::verb::get, "/documents/" + id + "/status")))["statuses"].size(),
      1u);
}

TEST_F(AxisSim, DuplicateDocumentIdCountedAndNotStoredTwice) {
  start();
  const SimReply first = send(document(10));
  ASSERT_EQ(first.status, 201u);
  const std::string id = body_json(first)["id"];

  // The same document again, and once more with a fresh trace (a retry that rebuilt it).
  const SimReply again = send(document(10));
  ASSERT_EQ(again.status, 200u) << again.body;
  EXPECT_EQ(body_json(again)["id"], id);
  EXPECT_TRUE(body_json(again)["duplicate"].get<bool>());
  EdxmlMessage retraced = message(10);
  retraced.trace.trace_headers[0].timestamp = "2015/09/30 16:50:00";
  const SimReply rebuilt = send(to_edxml(retraced));
  ASSERT_EQ(rebuilt.status, 200u) << rebuilt.body;
  EXPECT_EQ(body_json(rebuilt)["id"], id);

  // The same DocumentId with another subject is not a retry: 409, nothing stored.
  EdxmlMessage changed = message(10);
  changed.header.subject = "V/v nội dung khác";
  const SimReply conflict = send(to_edxml(changed));
  EXPECT_EQ(conflict.status, 409u);
  EXPECT_THAT(conflict.body, HasSubstr(id));

  EXPECT_THAT(pending(kDongThap), ::testing::ElementsAre(id));
  const auto counts = service_->document_counts();
  ASSERT_EQ(counts.size(), 1u);
  EXPECT_EQ(counts.at(document_id(10)).accepted, 1u);
  EXPECT_EQ(counts.at(document_id(10)).duplicates, 2u);
  EXPECT_EQ(counts.at(document_id(10)).conflicts, 1u);
  const json s = stats();
  EXPECT_EQ(s["documents"], 1);
  EXPECT_EQ(s["deliveries"][document_id(10)]["accepted"], 1);
  EXPECT_EQ(s["deliveries"][document_id(10)]["duplicates"], 2);
}

TEST_F(AxisSim, MalformedOrInvalidEdxmlRefusedWithTheProblemAndNothingStored) {
  start();
  struct Case {
    std::string body;
    std::string content_type;
    unsigned status;
    std::string says;
  };
  std::string unknown_element = document(20);
  unknown_element.replace(unknown_element.find("<edXML:Subject>"), 15,
                          "<edXML:Secret/><edXML:Subject>");
  EdxmlMessage long_subject = message(21);
  long_subject.header.subject = std::string(501, 'a');
  EdxmlMessage wrong_id = message(22);
  wrong_id.header.document_id = document_id(23);
  EdxmlMessage stranger = message(24);
  stranger.header.to[1].organ_id = "009.00.00.H99";
  const std::vector<Case> cases = {
      {"<edXML><unclosed>", "application/xml", 400, "XML_MALFORMED"},
      {"<!DOCTYPE x [<!ENTITY a 'b'>]><edXML/>", "application/xml", 400, "XML_DTD_REFUSED"},
      {unknown_element, "application/xml", 400, "unknown element 'Secret'"},
      {to_edxml(long_subject), "application/xml", 400, "Subject"},
      {to_edxml(wrong_id), "application/xml", 400, "DocumentId"},
      {to_edxml(stranger), "application/xml", 400, "009.00.00.H99"},
      {document(25), "application/json", 415, "application/xml"},
  };
  for (const auto& c : cases) {
    const SimReply r = call(request(http::verb::post, "/documents", c.body, c.content_type));
    EXPECT_EQ(r.status, c.status) << c.says << ": " << r.body;
    EXPECT_EQ(r.content_type, "application/json");
    EXPECT_THAT(r.body, HasSubstr(c.says));
  }
  EXPECT_TRUE(pending(kDongThap).empty());
  EXPECT_TRUE(service_->document_counts().empty());
  EXPECT_EQ(stats()["documents"], 0);
}

TEST_F(AxisSim, DownForSecondsAnswers503ThenRecovers) {
  start();
  const SimReply down = call(request(http::verb::post, "/sim/down?seconds=30"), true);
  ASSERT_EQ(down.status, 200u) << down.body;
  const SimReply refused = send(document(30));
  EXPECT_EQ(refused.status, 503u);
  EXPECT_EQ(call(request(http::verb::get, "/agencies")).status, 503u);
  EXPECT_EQ(call(request(http::verb::get, "/sim/stats"), true).status, 200u);  // control still up
  EXPECT_TRUE(stats()["down"].get<bool>());

  clock_->set(kStart + std::chrono::seconds(29));
  EXPECT_EQ(call(request(http::verb::get, "/agencies")).status, 503u);
  clock_->set(kStart + std::chrono::seconds(30));
  EXPECT_EQ(send(document(30)).status, 201u);
  const json s = stats();
  EXPECT_FALSE(s["down"].get<bool>());
  EXPECT_EQ(s["refused_down"], 3);
  EXPECT_EQ(s["deliveries"][document_id(30)]["accepted"], 1);

  EXPECT_EQ(call(request(http::verb::post, "/sim/down?seconds=soon"), true).status, 400u);
}

TEST_F(AxisSim, DropFaultsAndLatency) {
  AxisSimConfig c = config();
  c.knobs.drop_rate = 1;
  start(std::move(c));
  const SimReply dropped = send(document(40));
  EXPECT_TRUE(dropped.drop);
  EXPECT_TRUE(service_->document_counts().empty());  // dropped before it was handled

  // Answers lost after the axis stored the document: the retry is a duplicate, not a second
  // delivery.
  ASSERT_EQ(call(request(http::verb::post, "/sim/knobs",
                         R"({"drop_rate":0,"drop_after_accept_rate":1,"latency_ms":25})"),
                 true)
                .status,
            200u);
  EXPECT_TRUE(send(document(40)).drop);
  EXPECT_TRUE(send(document(40)).drop);
  EXPECT_EQ(pending(kDongThap).size(), 1u);
  const auto counts = service_->document_counts();
  EXPECT_EQ(counts.at(document_id(40)).accepted, 1u);
  EXPECT_EQ(counts.at(document_id(40)).duplicates, 1u);
  // Refusals are not accepted sends: they are answered, after the latency.
  const SimReply invalid = call(request(http::verb::post, "/documents", "<x/>"));
  EXPECT_FALSE(invalid.drop);
  EXPECT_EQ(invalid.status, 400u);
  EXPECT_EQ(invalid.delay, std::chrono::milliseconds(25));
  const json s = stats();
  EXPECT_EQ(s["dropped"], 1);
  EXPECT_EQ(s["dropped_after_accept"], 2);

  EXPECT_EQ(call(request(http::verb::post, "/sim/knobs", R"({"drop_rate":2})"), true).status, 400u);
  EXPECT_EQ(call(request(http::verb::post, "/sim/knobs", R"({"loss":1})"), true).status, 400u);
}

TEST_F(AxisSim, CapsOnDocumentsBytesAndStatusesEnforced) {
  AxisSimConfig c = config();
  c.max_documents = 2;
  c.max_status_per_document = 1;
  c.limits.max_document_bytes = 64 << 10;
  start(std::move(c));
  const std::string id = body_json(send(document(50)))["id"];
  ASSERT_EQ(send(document(51)).status, 201u);
  const SimReply full = send(document(52));
  EXPECT_EQ(full.status, 507u);
  EXPECT_EQ(service_->document_counts().count(document_id(52)), 0u);
  // A retry of a stored document still gets its id: duplicates need no room.
  EXPECT_EQ(send(document(51)).status, 200u);
  // Larger than one document may be: 413.
  EXPECT_EQ(send(document(53, 100 << 10)).status, 413u);
  ASSERT_EQ(
      call(request(http::verb::post, "/documents/" + id + "/status", status(50, "01"))).status,
      201u);
  EXPECT_EQ(
      call(request(http::verb::post, "/documents/" + id + "/status", status(50, "03"))).status,
      507u);

  AxisSimConfig b = config();
  b.max_stored_bytes = document(60).size() + 10;
  start(std::move(b));
  EXPECT_EQ(send(document(60)).status, 201u);
  EXPECT_EQ(send(document(61)).status, 507u);
  EXPECT_EQ(stats()["refused_full"], 1);
}

TEST_F(AxisSim, ControlEndpointsAnswerLoopbackOnly) {
  start();
  for (const auto& [verb, target] :
       std::vector<std::pair<http::verb, std::string>>{{http::verb::get, "/sim/stats"},
                                                       {http::verb::post, "/sim/down?seconds=5"},
                                                       {http::verb::get, "/sim/knobs"},
                                                       {http::verb::post, "/sim/reset"}}) {
    EXPECT_EQ(call(request(verb, target), /*loopback=*/false).status, 403u) << target;
  }
  EXPECT_EQ(send(document(70)).status, 201u);  // the refused /sim/down did not take effect
  ASSERT_EQ(call(request(http::verb::post, "/sim/reset"), true).status, 200u);
  EXPECT_EQ(stats()["documents"], 0);
}

TEST_F(AxisSim, ApiNeedsABearerTokenWhenConfigured) {
  AxisSimConfig c = config();
  c.tokens = lienthong::sim::TokenIssuerConfig{};
  c.tokens->clock = clock_;
  start(std::move(c));
  EXPECT_EQ(send(document(80)).status, 401u);
  HttpRequest token = request(http::verb::post, "/token", "grant_type=client_credentials",
                              "application/x-www-form-urlencoded");
  token.set(http::field::authorization,
            "Basic " + base64_encode("lienthong-dev:dev-secret-not-for-production"));
  const SimReply issued = call(token);
  ASSERT_EQ(issued.status, 200u) << issued.body;
  HttpRequest with = request(http::verb::post, "/documents", document(80));
  with.set(http::field::authorization,
           "Bearer " + body_json(issued)["access_token"].get<std::string>());
  EXPECT_EQ(call(with).status, 201u);
  EXPECT_EQ(stats()["auth_failures"], 1);
}

TEST_F(AxisSim, WithAVerifierOnlySignedDocumentsAreAccepted) {
  crypto::XmlVerifierConfig vc;
  vc.trust = lienthong::testing::trust_store("ec");
  vc.limits = EdxmlLimits{}.xml();
  auto verifier = crypto::XmlDsigVerifier::create(std::move(vc));
  ASSERT_TRUE(verifier) << verifier.error().detail;
  auto signer = crypto::XmlDsigSigner::create(lienthong::testing::identity("ec", "gateway-sign"),
                                              EdxmlLimits{}.xml());
  ASSERT_TRUE(signer) << signer.error().detail;
  AxisSimConfig c = config();
  c.verifier = *verifier;
  start(std::move(c));

  const SimReply unsigned_doc = send(document(90));
  EXPECT_EQ(unsigned_doc.status, 400u);
  EXPECT_THAT(unsigned_doc.body, HasSubstr("SIGNATURE_MISSING"));
  auto signed_doc = sign_edxml(**signer, document(90));
  ASSERT_TRUE(signed_doc) << signed_doc.error().detail;
  EXPECT_EQ(send(*signed_doc).status, 201u);
  // Signed again (ECDSA: other bytes): still the same document.
  auto resigned = sign_edxml(**signer, document(90));
  ASSERT_TRUE(resigned);
  ASSERT_NE(*resigned, *signed_doc);
  EXPECT_EQ(send(*resigned).status, 200u);
}

// --- Through a real SimServer over mutual TLS -------------------------------------------------

namespace net = boost::asio;
namespace beast = boost::beast;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;

class RunningAxis {
 public:
  explicit RunningAxis(std::shared_ptr<AxisService> service) : service_(std::move(service)) {
    lienthong::sim::SimServerConfig config;
    config.tls_cert = lienthong::testing::pki_file("ec", "sim-population.fullchain.pem").string();
    config.tls_key = lienthong::testing::pki_file("ec", "sim-population.key").string();
    config.client_cas = {lienthong::testing::pki_file("ec", "root-ca.crt").string(),
                         lienthong::testing::pki_file("ec", "intermediate-ca.crt").string()};
    config.max_body_bytes = kAxisMaxBodyBytes;  // as lienthong-sim --system axis does
    auto server = lienthong::sim::SimServer::create(std::move(config), service_);
    if (!server) throw std::runtime_error(server.error().detail);
    server_ = std::move(*server);
    thread_ = std::thread([this] { server_->run(); });
  }
  ~RunningAxis() {
    server_->stop();
    thread_.join();
  }
  uint16_t port() const { return server_->port(); }

 private:
  std::shared_ptr<AxisService> service_;
  std::unique_ptr<lienthong::sim::SimServer> server_;
  std::thread thread_;
};

// One request on a fresh mutual-TLS connection: the answer, or how the exchange ended.
Result<http::response<http::string_body>> exchange(uint16_t port, HttpRequest req) {
  net::io_context io;
  ssl::context tls(ssl::context::tls_client);
  tls.load_verify_file(lienthong::testing::pki_file("ec", "root-ca.crt").string());
  tls.set_verify_mode(ssl::verify_peer);
  tls.use_certificate_file(lienthong::testing::pki_file("ec", "gateway-client.crt").string(),
                           ssl::context::pem);
  tls.use_private_key_file(lienthong::testing::pki_file("ec", "gateway-client.key").string(),
                           ssl::context::pem);
  beast::ssl_stream<beast::tcp_stream> stream(io, tls);
  beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(20));
  beast::error_code ec;
  beast::get_lowest_layer(stream).connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port),
                                          ec);
  if (!ec) stream.handshake(ssl::stream_base::client, ec);
  if (ec) return fail(ErrorCode::kUpstreamUnavailable, "connect: " + ec.message());
  req.set(http::field::host, "127.0.0.1");
  req.prepare_payload();
  http::write(stream, req, ec);
  if (ec) return fail(ErrorCode::kUpstreamUnavailable, "write: " + ec.message());
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(kAxisMaxBodyBytes);
  http::read(stream, buffer, parser, ec);
  if (ec) return fail(ErrorCode::kUpstreamUnavailable, "read: " + ec.message());
  return parser.release();
}

TEST_F(AxisSim, OverTlsA100KiBAttachmentGoesThroughAndTheDropFaultClosesTheConnection) {
  start();
  RunningAxis axis(service_);
  const std::string big = document(100, 100 << 10);
  ASSERT_GT(big.size(), size_t{100} << 10);  // above the other simulators' 64 KiB
  auto sent = exchange(axis.port(), request(http::verb::post, "/documents", big));
  ASSERT_TRUE(sent) << sent.error().detail;
  ASSERT_EQ(sent->result_int(), 201) << sent->body();
  const std::string id = json::parse(sent->body())["id"];
  auto got = exchange(axis.port(), request(http::verb::get, "/documents/" + id));
  ASSERT_TRUE(got) << got.error().detail;
  EXPECT_EQ(got->body(), big);

  // From loopback, the knobs: every answer to a send is now lost after the axis stored it.
  auto knobs =
      exchange(axis.port(), request(http::verb::post, "/sim/knobs",
                                    R"({"drop_after_accept_rate":1})", "application/json"));
  ASSERT_TRUE(knobs) << knobs.error().detail;
  ASSERT_EQ(knobs->result_int(), 200);
  const auto start_time = std::chrono::steady_clock::now();
  auto dropped = exchange(axis.port(), request(http::verb::post, "/documents", document(101)));
  EXPECT_FALSE(dropped);  // no status line: the connection just ended
  EXPECT_LT(std::chrono::steady_clock::now() - start_time, std::chrono::seconds(10));
  EXPECT_EQ(service_->document_counts().at(document_id(101)).accepted, 1u);
  EXPECT_EQ(service_->document_counts().at(document_id(100)).accepted, 1u);
}

}  // namespace
}  // namespace lienthong::edxml::sim
