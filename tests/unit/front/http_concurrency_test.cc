// Many requests in flight at once on a front with two threads: the pipeline holds 500 lookups
// from 125 connections (four pipelined on each), then answers them from other threads after a
// delay. Nothing may need a thread per request.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>
#include <set>
#include <thread>

#include "gateway/core/metrics.h"
#include "gateway/front/http/http_front.h"
#include "tests/unit/front/http_fake_pipeline.h"
#include "tests/unit/front/http_test_client.h"
#include "tests/unit/front/tls_test_certs.h"

namespace lienthong::front {
namespace {

using nlohmann::json;
using testing::ClientIdentity;
using testing::HttpsClient;

int process_threads() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind("Threads:", 0) == 0) return std::stoi(line.substr(8));
  return -1;
}

std::string subject_of(int connection, int request) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0012030%05d", connection * 10 + request);
  return buf;
}

TEST(HttpConcurrencyTest, FiveHundredLookupsInFlightOnTwoThreads) {
  constexpr int kConnections = 125;
  constexpr int kPerConnection = 4;
  constexpr size_t kTotal = kConnections * kPerConnection;

  auto pipeline = std::make_shared<testing::FakePipeline>();
  pipeline->hold(true);
  auto metrics = std::make_shared<Metrics>();
  HttpFrontConfig config;
  config.tls = testing::dev_server_tls("ec");
  config.threads = 2;
  HttpFront front(config, pipeline, metrics, SystemClock::instance());
  auto port = front.start();
  ASSERT_TRUE(port) << port.error().detail;

  std::vector<std::unique_ptr<HttpsClient>> clients;
  for (int c = 0; c < kConnections; ++c) {
    // Members alternate between the two hierarchies and three organs.
    const char* names[] = {"member-g22", "member-h20", "member-h47"};
    auto client = std::make_unique<HttpsClient>(
        *port, ClientIdentity::dev(names[c % 3], c % 2 == 0 ? "ec" : "rsa"));
    client->handshake();
    std::vector<testing::HttpRequest> batch;
    for (int r = 0; r < kPerConnection; ++r)
      batch.push_back(HttpsClient::post(
          "/v1/lookup", "application/json",
          json{{"subjectId", subject_of(c, r)}, {"documentType", "CD01"}}.dump()));
    client->send_pipelined(batch);
    clients.push_back(std::move(client));
  }

  ASSERT_TRUE(pipeline->wait_held(kTotal)) << "only " << pipeline->seen().size() << " arrived";
  EXPECT_NE(metrics->render().find("lienthong_http_lookups_in_flight 500\n"), std::string::npos);
  // Two front threads, the test's own, and a few the libraries start: far from 500.
  const int threads = process_threads();
  EXPECT_GT(threads, 0);
  EXPECT_LT(threads, 20) << "threads while 500 lookups wait";

  // Answered in a shuffled order, from four threads that are not the front's, after a delay.
  auto held = pipeline->take_held();
  std::vector<testing::FakePipeline::Held> all(std::make_move_iterator(held.begin()),
                                               std::make_move_iterator(held.end()));
  std::reverse(all.begin(), all.end());
  std::vector<std::thread> answerers;
  for (int t = 0; t < 4; ++t)
    answerers.emplace_back([&all, t] {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      for (size_t i = static_cast<size_t>(t); i < all.size(); i += 4)
        all[i].done(testing::answer_for(all[i].request));
    });
  for (auto& t : answerers) t.join();

  std::set<std::string> request_ids;
  for (int c = 0; c < kConnections; ++c) {
    for (int r = 0; r < kPerConnection; ++r) {
      auto res = clients[c]->read();
      ASSERT_EQ(res.result_int(), 200u) << res.body();
      const json body = json::parse(res.body());
      EXPECT_EQ(body["record"]["subjectId"], subject_of(c, r)) << "answers out of order";
      EXPECT_EQ(body["requestId"], std::string(res["X-Request-Id"]));
      request_ids.insert(body["requestId"].get<std::string>());
    }
  }
  EXPECT_EQ(request_ids.size(), kTotal);  // every request got its own id
  EXPECT_NE(metrics->render().find("lienthong_http_lookups_in_flight 0\n"), std::string::npos);
  front.stop();
}

}  // namespace
}  // namespace lienthong::front
