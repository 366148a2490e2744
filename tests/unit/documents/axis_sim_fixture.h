// The axis SIMULATOR served by a real SimServer over mutual TLS with the dev PKI, and the real
// AxisClient in front of it through CurlHttpClient and bearer tokens: for the axis client's
// tests and the receiver's end-to-end test.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <thread>

#include "adapters/documents/axis_client.h"
#include "adapters/documents/axis_sim.h"
#include "gateway/upstream/curl_http_client.h"
#include "tests/support/manual_clock.h"
#include "tests/support/test_pki.h"

namespace lienthong::edxml::testing {

class AxisSimFixture {
 public:
  void start_axis(AxisClientConfig client_config = {}) {
    using lienthong::testing::pki_file;
    sim::AxisSimConfig ac;
    ac.clock = sim_clock_;
    ac.tokens->clock = sim_clock_;
    service_ = std::make_shared<sim::AxisService>(ac);
    lienthong::sim::SimServerConfig sc;
    sc.tls_cert = pki_file("ec", "sim-population.fullchain.pem").string();
    sc.tls_key = pki_file("ec", "sim-population.key").string();
    sc.client_cas = {pki_file("ec", "root-ca.crt").string(),
                     pki_file("ec", "intermediate-ca.crt").string()};
    sc.max_body_bytes = sim::kAxisMaxBodyBytes;
    auto server = lienthong::sim::SimServer::create(std::move(sc), service_);
    ASSERT_TRUE(server) << server.error().detail;
    server_ = std::move(*server);
    thread_ = std::thread([this] { server_->run(); });

    upstream::UpstreamConfig uc;
    uc.name = "axis";
    uc.base_url = "https://127.0.0.1:" + std::to_string(server_->port());
    uc.ca_file = pki_file("ec", "root-ca.crt").string();
    uc.client_certificate_file = pki_file("ec", "gateway-client.crt").string();
    uc.client_key_file = pki_file("ec", "gateway-client.key").string();
    uc.max_attempts = 1;  // the outbox and the receiver retry, in their own rounds
    uc.breaker_failure_threshold = 100;
    uc.max_response_bytes = client_config.max_document_bytes;
    auto http = upstream::CurlHttpClient::create(uc);
    ASSERT_TRUE(http) << http.error().detail;
    http_ = *http;
    upstream::TokenConfig tc;
    tc.token_url = "/token";
    tc.client_id = "lienthong-dev";
    tc.client_secret = "dev-secret-not-for-production";
    tokens_ = upstream::BearerTokenSource::create(http_, tc, SystemClock::instance());
    auto client = AxisClient::create(http_, tokens_, client_config);
    ASSERT_TRUE(client) << client.error().detail;
    client_ = *client;
  }
  void stop_axis() {
    client_.reset();
    tokens_.reset();
    http_.reset();
    if (server_) server_->stop();
    if (thread_.joinable()) thread_.join();
  }

  // A /sim/* control call, as from the loopback.
  void control(const std::string& target) {
    lienthong::sim::HttpRequest r{boost::beast::http::verb::post, target, 11};
    r.prepare_payload();
    auto reply = service_->handle(r, true);
    ASSERT_EQ(reply.status, 200u) << reply.body;
  }

  std::shared_ptr<lienthong::testing::ManualClock> sim_clock_ =
      std::make_shared<lienthong::testing::ManualClock>(
          std::chrono::sys_days{std::chrono::year{2026} / 11 / 22});
  std::shared_ptr<sim::AxisService> service_;
  std::unique_ptr<lienthong::sim::SimServer> server_;
  std::thread thread_;
  std::shared_ptr<upstream::CurlHttpClient> http_;
  std::shared_ptr<upstream::BearerTokenSource> tokens_;
  std::shared_ptr<AxisClient> client_;
};

}  // namespace lienthong::edxml::testing
