// SimServer in this process on 127.0.0.1:0, driven by real TLS clients (Beast, synchronous,
// one thread each): mutual TLS, keep-alive, limits, the timeout fault, and that waiting
// requests do not hold server threads.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <thread>

#include "adapters/population/sim_server.h"
#include "tests/support/test_pki.h"

namespace lienthong::population::sim {
namespace {

using ::testing::HasSubstr;
namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;

class RunningServer {
 public:
  explicit RunningServer(Knobs knobs = {}, std::chrono::seconds hold = std::chrono::seconds(60)) {
    auto signer = crypto::CanonicalXmlSigner::create(testing::identity("ec", "sim-population"));
    if (!signer) throw std::runtime_error(signer.error().detail);
    SimServiceConfig sc;
    sc.dataset = std::make_shared<const CitizenDataset>();
    sc.signer = *signer;
    sc.knobs = knobs;
    service_ = std::make_shared<SimService>(std::move(sc));
    SimServerConfig config;
    config.tls_cert = testing::pki_file("ec", "sim-population.fullchain.pem").string();
    config.tls_key = testing::pki_file("ec", "sim-population.key").string();
    // Anchor and intermediate as two files: clients may send their leaf alone.
    config.client_cas = {testing::pki_file("ec", "root-ca.crt").string(),
                         testing::pki_file("ec", "intermediate-ca.crt").string()};
    config.hold_timeout = hold;
    auto server = SimServer::create(std::move(config), service_);
    if (!server) throw std::runtime_error(server.error().detail);
    server_ = std::move(*server);
    thread_ = std::thread([this] { server_->run(); });
  }
  ~RunningServer() {
    server_->stop();
    thread_.join();
  }
  uint16_t port() const { return server_->port(); }
  SimService& service() { return *service_; }

 private:
  std::shared_ptr<SimService> service_;
  std::unique_ptr<SimServer> server_;
  std::thread thread_;
};

class Client {
 public:
  // `with_certificate` false: a client that presents no certificate at all.
  Client(uint16_t port, bool with_certificate = true)
      : tls_(make_context(with_certificate)), stream_(io_, tls_) {
    beast::get_lowest_layer(stream_).connect(
        tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
    beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(20));
  }

  static ssl::context make_context(bool with_certificate) {
    ssl::context tls(ssl::context::tls_client);
    tls.load_verify_file(testing::pki_file("ec", "root-ca.crt").string());
    tls.set_verify_mode(ssl::verify_peer);
    if (with_certificate) {
      tls.use_certificate_file(testing::pki_file("ec", "gateway-client.crt").string(),
                               ssl::context::pem);
      tls.use_private_key_file(testing::pki_file("ec", "gateway-client.key").string(),
                               ssl::context::pem);
    }
    return tls;
  }

  beast::error_code handshake() {
    beast::error_code ec;
    stream_.handshake(ssl::stream_base::client, ec);
    return ec;
  }

  // The answer, or the error that ended the exchange.
  Result<http::response<http::string_body>> exchange(http::request<http::string_body> req,
                                                     bool header_only = false) {
    req.set(http::field::host, "127.0.0.1");
    req.prepare_payload();
    beast::error_code ec;
    http::request_serializer<http::string_body> serializer(req);
    if (header_only)
      http::write_header(stream_, serializer, ec);
    else
      http::write(stream_, serializer, ec);
    if (ec) return fail(ErrorCode::kUpstreamUnavailable, "write: " + ec.message());
    http::response<http::string_body> res;
    http::read(stream_, buffer_, res, ec);
    if (ec) return fail(ErrorCode::kUpstreamUnavailable, "read: " + ec.message());
    return res;
  }

 private:
  net::io_context io_;
  ssl::context tls_;
  beast::ssl_stream<beast::tcp_stream> stream_;
  beast::flat_buffer buffer_;
};

http::request<http::string_body> lookup(const std::string& personal_id) {
  http::request<http::string_body> req{http::verb::post, std::string(kLookupPath), 11};
  const auto now = std::chrono::system_clock::now();
  const std::string ts = std::to_string(
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count());
  req.set(http::field::content_type, "text/xml; charset=utf-8");
  req.set("SOAPAction", "\"\"");
  req.set("Timestamp", ts);
  req.set("ApiKey", "dev-api-key");
  req.set("X-Road-Client", "VN/GOV/000.00.00.G22/lienthong");
  req.set(http::field::authorization, authorization_header(Credentials{}, ts));
  req.body() =
      "<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\" "
      "xmlns:dan=\"http://dancuquocgia.bca\"><soapenv:Body><dan:TraCuuThongTinCongDan>"
      "<dan:MaYeuCau>srv-1</dan:MaYeuCau><dan:MaCanBo>001080000123</dan:MaCanBo>"
      "<dan:TaiKhoan>canbo.mc01</dan:TaiKhoan><dan:SoDinhDanh>" +
      personal_id +
      "</dan:SoDinhDanh></dan:TraCuuThongTinCongDan></soapenv:Body></soapenv:Envelope>";
  return req;
}

http::request<http::string_body> get(const std::string& target) {
  return http::request<http::string_body>{http::verb::get, target, 11};
}

TEST(SimServer, ServesOverMutualTlsWithKeepAlive) {
  RunningServer server;
  Client client(server.port());
  ASSERT_FALSE(client.handshake());
  auto health = client.exchange(get("/healthz"));
  ASSERT_TRUE(health) << health.error().detail;
  EXPECT_EQ(health->result_int(), 200);
  EXPECT_EQ(health->body(), "ok (SIMULATOR)");
  EXPECT_EQ((*health)[http::field::server], "lienthong-sim (SIMULATOR)");

  // Same connection, next request: a found citizen.
  const std::string id = CitizenDataset().personal_id_at(99);
  auto found = client.exchange(lookup(id));
  ASSERT_TRUE(found) << found.error().detail;
  EXPECT_EQ(found->result_int(), 200);
  EXPECT_THAT(found->body(), HasSubstr("<ns1:SoDinhDanh>" + id + "</ns1:SoDinhDanh>"));
  EXPECT_THAT(found->body(), HasSubstr("ds:Signature"));
  EXPECT_EQ(server.service().stats().found, 1u);
  EXPECT_EQ(server.service().stats().connections_total, 1u);

  // The loopback client may flip knobs at run time.
  auto knobs = client.exchange([] {
    http::request<http::string_body> r{http::verb::post, "/sim/knobs", 11};
    r.body() = "{\"latency_ms\":10}";
    return r;
  }());
  ASSERT_TRUE(knobs);
  EXPECT_EQ(knobs->result_int(), 200);
  EXPECT_EQ(server.service().knobs().latency_ms, 10u);
}

TEST(SimServer, ClientWithoutCertificateIsRefusedAtTheHandshake) {
  RunningServer server;
  Client anonymous(server.port(), /*with_certificate=*/false);
  // TLS 1.3 finishes the client's side of the handshake before the server checks; the refusal
  // then arrives as an alert on the first read.
  const bool refused = anonymous.handshake() || !anonymous.exchange(get("/healthz"));
  EXPECT_TRUE(refused);
  EXPECT_EQ(server.service().stats().requests, 0u);
}

TEST(SimServer, OversizedBodyIs413) {
  RunningServer server;
  Client client(server.port());
  ASSERT_FALSE(client.handshake());
  // Announced, not sent: the server refuses on the header, before reading any body.
  auto req = lookup("001092000123");
  req.body() += std::string(70 << 10, ' ');
  req.set(http::field::expect, "100-continue");
  auto res = client.exchange(req, /*header_only=*/true);
  ASSERT_TRUE(res) << res.error().detail;
  EXPECT_EQ(res->result_int(), 413);
  EXPECT_EQ(server.service().stats().requests, 0u);
}

TEST(SimServer, TimeoutFaultAnswersNothingAndCloses) {
  Knobs knobs;
  knobs.timeout_rate = 1;
  RunningServer server(knobs, std::chrono::seconds(1));
  Client client(server.port());
  ASSERT_FALSE(client.handshake());
  const auto start = std::chrono::steady_clock::now();
  auto res = client.exchange(lookup("001092000123"));
  EXPECT_FALSE(res);
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(900));
  EXPECT_EQ(server.service().stats().injected_timeouts, 1u);
}

// One server thread, 40 clients, 300 ms latency each: answered together, not one after
// another (which would take 12 s). The bound is loose on purpose: it separates "concurrent"
// from "serial", not fast from slow.
TEST(SimServer, WaitingRequestsDoNotHoldTheThread) {
  Knobs knobs;
  knobs.latency_ms = 300;
  RunningServer server(knobs);
  const std::string id = CitizenDataset().personal_id_at(1);
  std::atomic<int> ok{0};
  std::vector<std::thread> clients;
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 40; ++i) {
    clients.emplace_back([&] {
      Client c(server.port());
      if (c.handshake()) return;
      auto res = c.exchange(lookup(id));
      if (res && res->result_int() == 200) ++ok;
    });
  }
  for (auto& t : clients) t.join();
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(ok.load(), 40);
  EXPECT_LT(elapsed, std::chrono::seconds(8));
  EXPECT_EQ(server.service().stats().found, 40u);
}

// A handler that drops every request to /drop and answers the rest: SimReply::drop closes the
// connection without any answer, whatever the reply's other fields say.
class DropHandler final : public lienthong::sim::SimHandler {
 public:
  SimReply handle(const HttpRequest& request, bool) override {
    ++requests;
    SimReply r;
    r.content_type = "text/plain";
    r.body = "answered";
    r.drop = request.target() == "/drop";
    return r;
  }
  void connection_opened() override {}
  void connection_closed() override {}
  std::atomic<int> requests{0};
};

TEST(SimServer, DropFaultClosesTheConnectionWithoutAnswer) {
  auto handler = std::make_shared<DropHandler>();
  SimServerConfig config;
  config.tls_cert = testing::pki_file("ec", "sim-population.fullchain.pem").string();
  config.tls_key = testing::pki_file("ec", "sim-population.key").string();
  config.client_cas = {testing::pki_file("ec", "root-ca.crt").string(),
                       testing::pki_file("ec", "intermediate-ca.crt").string()};
  auto server = SimServer::create(std::move(config), handler);
  ASSERT_TRUE(server) << server.error().detail;
  std::thread runner([&] { (*server)->run(); });

  {
    Client client((*server)->port());
    ASSERT_FALSE(client.handshake());
    auto kept = client.exchange(get("/keep"));
    ASSERT_TRUE(kept) << kept.error().detail;
    EXPECT_EQ(kept->body(), "answered");
    // Same kept-alive connection: the dropped request gets no status line at all, and it
    // ends at once (not after the hold timeout of 60 s).
    const auto start = std::chrono::steady_clock::now();
    auto dropped = client.exchange(get("/drop"));
    EXPECT_FALSE(dropped);
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
  }
  EXPECT_EQ(handler->requests.load(), 2);
  (*server)->stop();
  runner.join();
}

}  // namespace
}  // namespace lienthong::population::sim
