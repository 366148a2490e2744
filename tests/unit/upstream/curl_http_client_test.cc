// CurlHttpClient against a real HTTPS upstream that requires a client certificate
// (tls_test_server.py, started per test on 127.0.0.1:0) with the dev PKI.
#include "gateway/upstream/curl_http_client.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/manual_clock.h"
#include "tests/support/test_pki.h"
#include "tests/unit/upstream/tls_test_server.h"

namespace lienthong::upstream {
namespace {

using namespace std::chrono_literals;
using lienthong::testing::pki_file;

// "Threads:" of /proc/self/status: how many threads this process runs now.
int process_threads() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("Threads:", 0) == 0) return std::stoi(line.substr(8));
  }
  return -1;
}

class CurlHttpClientTest : public ::testing::Test {
 protected:
  UpstreamConfig config() const {
    UpstreamConfig c;
    c.name = "population";
    c.base_url = server_.base_url();
    c.ca_file = pki_file("ec", "root-ca.crt").string();
    c.client_certificate_file = pki_file("ec", "gateway-client.crt").string();
    c.client_key_file = pki_file("ec", "gateway-client.key").string();
    c.request_timeout = 5s;
    return c;
  }

  static std::shared_ptr<CurlHttpClient> make(UpstreamConfig c,
                                              Clock::Ptr clock = SystemClock::instance()) {
    auto client = CurlHttpClient::create(std::move(c), std::move(clock));
    if (!client) throw std::runtime_error(client.error().detail);
    return *client;
  }

  static HttpRequest get(std::string url) {
    HttpRequest r;
    r.method = "GET";
    r.url = std::move(url);
    return r;
  }

  // Sends and waits for the one callback; also checks where it ran.
  static Result<HttpResponse> call(HttpClient& client, HttpRequest request) {
    auto promise = std::make_shared<std::promise<Result<HttpResponse>>>();
    auto future = promise->get_future();
    const auto caller = std::this_thread::get_id();
    client.send(std::move(request), [promise, caller](Result<HttpResponse> result) {
      EXPECT_NE(std::this_thread::get_id(), caller) << "callback ran on the sending thread";
      promise->set_value(std::move(result));
    });
    if (future.wait_for(30s) != std::future_status::ready) {
      ADD_FAILURE() << "no callback within 30 s";
      return fail(ErrorCode::kInternal, "test: no callback");
    }
    return future.get();
  }

  lienthong::testing::TlsTestServer server_;
};

TEST_F(CurlHttpClientTest, ReturnsStatusBodyAndContentType) {
  auto client = make(config());
  auto result = call(*client, get("/ok"));
  ASSERT_TRUE(result) << result.error().detail;
  EXPECT_EQ(result->status, 200);
  EXPECT_EQ(result->body, "<ok/>");
  EXPECT_EQ(result->content_type, "text/xml; charset=utf-8");
  EXPECT_EQ(result->attempts, 1);
  EXPECT_GT(result->elapsed.count(), 0);
  EXPECT_EQ(client->breaker_state(), "closed");
  EXPECT_EQ(server_.hits("/ok"), 1);
}

TEST_F(CurlHttpClientTest, PostsBodyAndHeaders) {
  auto client = make(config());
  HttpRequest request;
  request.method = "POST";
  request.url = server_.base_url() + "/echo";  // absolute on the same origin
  request.headers = {{"Content-Type", "application/soap+xml"}, {"X-Test", "abc"}};
  request.body = "<q>1</q>";
  auto result = call(*client, std::move(request));
  ASSERT_TRUE(result) << result.error().detail;
  EXPECT_EQ(result->status, 200);
  EXPECT_EQ(result->body, "POST abc <q>1</q>");
  EXPECT_EQ(result->content_type, "application/soap+xml");
}

TEST_F(CurlHttpClientTest, ClientErrorsAreResponsesAndNotRetried) {
  auto c = config();
  c.max_attempts = 3;
  auto client = make(c);
  auto result = call(*client, get("/status/404/a"));
  ASSERT_TRUE(result) << result.error().detail;
  EXPECT_EQ(result->status, 404);
  EXPECT_EQ(result->attempts, 1);
  EXPECT_EQ(server_.hits("/status/404/a"), 1);
  EXPECT_EQ(client->breaker_state(), "closed");
}

TEST_F(CurlHttpClientTest, ReusesOneConnectionForSequentialCalls) {
  auto client = make(config());
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(call(*client, get("/ok")));
  // The side channel's own connection counts once more.
  EXPECT_EQ(server_.connections(), 1 + 1);
}

TEST_F(CurlHttpClientTest, ClientCertificateTheServerDoesNotTrustIsUnavailable) {
  auto c = config();
  c.client_certificate_file = pki_file("rsa", "gateway-client.crt").string();
  c.client_key_file = pki_file("rsa", "gateway-client.key").string();
  auto client = make(c);
  auto result = call(*client, get("/ok"));
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::kUpstreamUnavailable);
  EXPECT_NE(result.error().detail.find("population: "), std::string::npos);
  EXPECT_EQ(server_.hits("/ok"), 0);
}

TEST_F(CurlHttpClientTest, ServerCertificateFromAnotherCaIsUnavailable) {
  auto c = config();
  c.ca_file = pki_file("rsa", "root-ca.crt").string();
  c.max_attempts = 3;
  auto client = make(c);
  auto result = call(*client, get("/ok"));
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::kUpstreamUnavailable);
  EXPECT_NE(result.error().detail.find("certificate"), std::string::npos) << result.error().detail;
  // A certificate that does not verify will not verify on a second try either.
  EXPECT_EQ(result.error().detail.find("attempts"), std::string::npos) << result.error().detail;
  EXPECT_EQ(server_.hits("/ok"), 0);
}

TEST_F(CurlHttpClientTest, NobodyListeningIsUnavailable) {
  auto c = config();
  {
    lienthong::testing::TlsTestServer gone;  // a port that was just free again
    c.base_url = gone.base_url();
  }
  c.max_attempts = 1;
  auto client = make(c);
  auto result = call(*client, get("/ok"));
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::kUpstreamUnavailable);
}

TEST_F(CurlHttpClientTest, SlowAnswerIsUpstreamTimeout) {
  auto c = config();
  c.request_timeout = 300ms;
  c.max_attempts = 1;
  auto client = make(c);
  const auto start = std::chrono::steady_clock::now();
  auto result = call(*client, get("/sleep/t?ms=3000"));
  const auto took = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::kUpstreamTimeout) << result.error().detail;
  EXPECT_LT(took, 2s);
  EXPECT_EQ(server_.hits("/sleep/t"), 1);
}

TEST_F(CurlHttpClientTest, TimeoutsAreRetried) {
  auto c = config();
  c.request_timeout = 200ms;
  c.max_attempts = 2;
  auto client = make(c);
  auto result = call(*client, get("/sleep/r?ms=3000"));
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::kUpstreamTimeout);
  EXPECT_NE(result.error().detail.find("(2 attempts)"), std::string::npos) << result.error().detail;
  EXPECT_EQ(server_.hits("/sleep/r"), 2);
}

TEST_F(CurlHttpClientTest, RetriesServerErrorsUntilSuccess) {
  auto c = config();
  c.max_attempts = 3;
  auto client = make(c);
  auto twice = call(*client, get("/flaky/a?fail=2"));
  ASSERT_TRUE(twice) << twice.error().detail;
  EXPECT_EQ(twice->status, 200);
  EXPECT_EQ(twice->body, "recovered");
  EXPECT_EQ(twice->attempts, 3);
  EXPECT_EQ(server_.hits("/flaky/a"), 3);

  auto once = call(*client, get("/flaky/b?fail=1"));
  ASSERT_TRUE(once) << once.error().detail;
  EXPECT_EQ(once->attempts, 2);
  EXPECT_EQ(server_.hits("/flaky/b"), 2);
}

TEST_F(CurlHttpClientTest, ServerErrorAfterTheLastAttemptIsUnavailable) {
  auto c = config();
  c.max_attempts = 2;
  auto client = make(c);
  auto result = call(*client, get("/flaky/c?fail=2"));
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::kUpstreamUnavailable);
  EXPECT_EQ(result.error().detail, "population: HTTP 503 (2 attempts)");
  EXPECT_EQ(server_.hits("/flaky/c"), 2);
}

TEST_F(CurlHttpClientTest, NonIdempotentRequestsAreNotRetried) {
  auto c = config();
  c.max_attempts = 3;
  auto client = make(c);
  HttpRequest request;
  request.url = "/status/503/post";
  request.body = "<send/>";
  request.idempotent = false;
  auto result = call(*client, std::move(request));
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().detail, "population: HTTP 503");
  EXPECT_EQ(server_.hits("/status/503/post"), 1);
}

TEST_F(CurlHttpClientTest, RetryBudgetCapsRetries) {
  auto c = config();
  c.max_attempts = 3;
  c.retry_budget_ratio = 0.0;
  c.retry_budget_min_per_second = 1;  // one retry per second, whatever the traffic
  c.breaker_failure_threshold = 100;
  // A stopped clock keeps every call inside the same one-second window.
  auto clock = std::make_shared<lienthong::testing::ManualClock>(TimePoint{} + 1000h);
  auto client = make(c, clock);
  ASSERT_FALSE(call(*client, get("/status/503/budget")));  // attempt, the one retry, no more
  EXPECT_EQ(server_.hits("/status/503/budget"), 2);
  ASSERT_FALSE(call(*client, get("/status/503/budget")));  // budget spent: one attempt
  EXPECT_EQ(server_.hits("/status/503/budget"), 3);
  clock->set(clock->now() + 1s);  // a new window: one retry again
  ASSERT_FALSE(call(*client, get("/status/503/budget")));
  EXPECT_EQ(server_.hits("/status/503/budget"), 5);
}

TEST_F(CurlHttpClientTest, BreakerOpensFailsFastAndRecoversThroughAProbe) {
  auto c = config();
  c.max_attempts = 2;
  c.breaker_failure_threshold = 3;
  c.breaker_open_for = 5s;
  auto clock = std::make_shared<lienthong::testing::ManualClock>(TimePoint{} + 1000h);
  auto client = make(c, clock);
  for (int i = 0; i < 3; ++i) {
    auto result = call(*client, get("/status/503/down"));
    ASSERT_FALSE(result);
    EXPECT_NE(result.error().detail.find("HTTP 503"), std::string::npos);
  }
  EXPECT_EQ(server_.hits("/status/503/down"), 6);
  EXPECT_EQ(client->breaker_state(), "open");

  // Open: refused at once, the upstream sees nothing.
  for (const char* path : {"/status/503/down", "/ok"}) {
    auto result = call(*client, get(path));
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().code, ErrorCode::kUpstreamUnavailable);
    EXPECT_EQ(result.error().detail, "population: circuit open");
  }
  EXPECT_EQ(server_.hits("/status/503/down"), 6);
  EXPECT_EQ(server_.hits("/ok"), 0);

  // After open_for a probe goes through; it fails, so the breaker opens again.
  clock->set(clock->now() + 5s);
  EXPECT_EQ(client->breaker_state(), "half-open");
  ASSERT_FALSE(call(*client, get("/status/503/down")));
  EXPECT_EQ(server_.hits("/status/503/down"), 8);
  EXPECT_EQ(client->breaker_state(), "open");
  ASSERT_FALSE(call(*client, get("/ok")));
  EXPECT_EQ(server_.hits("/ok"), 0);

  // The next probe succeeds and closes it.
  clock->set(clock->now() + 5s);
  auto probe = call(*client, get("/ok"));
  ASSERT_TRUE(probe) << probe.error().detail;
  EXPECT_EQ(client->breaker_state(), "closed");
  EXPECT_TRUE(call(*client, get("/ok")));
  EXPECT_EQ(server_.hits("/ok"), 2);
}

TEST_F(CurlHttpClientTest, RefusesOversizedResponses) {
  auto c = config();
  c.max_response_bytes = 1000;
  auto client = make(c);
  auto exact = call(*client, get("/big/a?bytes=1000"));
  ASSERT_TRUE(exact) << exact.error().detail;
  EXPECT_EQ(exact->body.size(), 1000u);
  for (const char* path : {"/big/b?bytes=1001", "/big/c?bytes=100000&chunked=1"}) {
    auto result = call(*client, get(path));
    ASSERT_FALSE(result) << path;
    EXPECT_EQ(result.error().code, ErrorCode::kUpstreamUnavailable);
    EXPECT_NE(result.error().detail.find("response too large"), std::string::npos)
        << result.error().detail;
  }
  EXPECT_EQ(server_.hits("/big/b"), 1);  // not retried
}

TEST_F(CurlHttpClientTest, RefusesRequestsOffTheUpstreamOrMalformed) {
  auto client = make(config());
  HttpRequest crlf = get("/ok");
  crlf.headers = {{"X-Test", "a\r\nX-Injected: 1"}};
  HttpRequest get_with_body = get("/ok");
  get_with_body.body = "x";
  HttpRequest bad_method = get("/ok");
  bad_method.method = "GE T";
  for (HttpRequest request : {get("https://127.0.0.1:1/ok"), get("http://127.0.0.1/ok"), get("ok"),
                              get("https://localhost:" + std::to_string(server_.port()) + "/ok"),
                              crlf, get_with_body, bad_method}) {
    const std::string url = request.url;
    auto result = call(*client, std::move(request));
    ASSERT_FALSE(result) << url;
    EXPECT_EQ(result.error().code, ErrorCode::kBadRequest) << url << ": " << result.error().detail;
  }
  EXPECT_EQ(server_.hits("/ok"), 0);
  EXPECT_EQ(client->breaker_state(), "closed");  // the caller's mistakes are not failures
}

TEST_F(CurlHttpClientTest, RefusesBeyondMaxQueued) {
  auto c = config();
  c.max_queued = 2;
  auto client = make(c);
  std::vector<std::future<Result<HttpResponse>>> slow;
  for (int i = 0; i < 2; ++i) {
    auto promise = std::make_shared<std::promise<Result<HttpResponse>>>();
    slow.push_back(promise->get_future());
    client->send(get("/sleep/q?ms=500"),
                 [promise](Result<HttpResponse> r) { promise->set_value(std::move(r)); });
  }
  auto refused = call(*client, get("/ok"));
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().detail.find("queue full"), std::string::npos);
  for (auto& f : slow) EXPECT_TRUE(f.get());
  EXPECT_EQ(client->outstanding(), 0u);
  EXPECT_TRUE(call(*client, get("/ok")));
}

// 500 calls that each wait 200 ms upstream overlap on the client's one thread.
TEST_F(CurlHttpClientTest, ManyConcurrentCallsOnOneThread) {
  constexpr int kCalls = 500;
  // Declared before the client, which may still call back while it is destroyed.
  std::mutex mutex;
  std::vector<Result<HttpResponse>> results;
  std::promise<void> all_done;
  const int threads_before = process_threads();
  // 500 TLS handshakes at once keep both ends busy for a while (the python server most of
  // all, and more so under a sanitizer): this test is about overlap, not about timeouts.
  auto c = config();
  c.connect_timeout = 20s;
  c.request_timeout = 30s;
  auto client = make(c);
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < kCalls; ++i) {
    client->send(get("/sleep/many?ms=200"), [&](Result<HttpResponse> result) {
      std::lock_guard lock(mutex);
      results.push_back(std::move(result));
      if (results.size() == kCalls) all_done.set_value();
    });
  }
  auto done = all_done.get_future();
  int most_threads = process_threads();
  while (done.wait_for(20ms) != std::future_status::ready &&
         std::chrono::steady_clock::now() - start < 60s)
    most_threads = std::max(most_threads, process_threads());
  ASSERT_EQ(done.wait_for(0s), std::future_status::ready);
  const auto took = std::chrono::steady_clock::now() - start;

  std::lock_guard lock(mutex);
  for (const auto& r : results) {
    ASSERT_TRUE(r) << r.error().detail;
    EXPECT_EQ(r->status, 200);
  }
  // One after the other they would take 100 s; the bound is loose because 500 handshakes
  // against a python server on a shared machine are slow, not because overlap is in doubt.
  EXPECT_LT(took, 20s) << "calls did not overlap (serial would take " << kCalls * 200 << " ms)";
  const long overlap = server_.overlap();
  RecordProperty("server_overlap", static_cast<int>(overlap));
  EXPECT_GE(overlap, 10) << "the server never saw calls waiting at the same time";
  EXPECT_LE(most_threads, threads_before + 1);
  EXPECT_EQ(server_.hits("/sleep/many"), kCalls);
}

TEST_F(CurlHttpClientTest, DestructionAnswersPendingCallsOnce) {
  std::atomic<int> calls{0};
  std::atomic<int> shutting_down{0};
  auto client = make(config());
  for (int i = 0; i < 5; ++i) {
    client->send(get("/sleep/d?ms=5000"), [&](Result<HttpResponse> result) {
      ++calls;
      if (!result && result.error().code == ErrorCode::kUpstreamUnavailable &&
          result.error().detail == "population: client shutting down")
        ++shutting_down;
    });
  }
  std::this_thread::sleep_for(200ms);  // let some of them reach the server
  const auto start = std::chrono::steady_clock::now();
  client.reset();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
  EXPECT_EQ(calls.load(), 5);
  EXPECT_EQ(shutting_down.load(), 5);
}

TEST_F(CurlHttpClientTest, MayBeDestroyedFromItsOwnCallback) {
  const int threads_before = process_threads();
  auto client = make(config());
  auto promise = std::make_shared<std::promise<int>>();
  auto future = promise->get_future();
  CurlHttpClient* raw = client.get();
  // The callback holds the last reference: dropping it runs the destructor on the client's
  // own thread, which must not join itself.
  raw->send(get("/ok"), [holder = std::move(client), promise](Result<HttpResponse> r) mutable {
    holder.reset();
    promise->set_value(r ? static_cast<int>(r->status) : -1);
  });
  ASSERT_EQ(future.wait_for(10s), std::future_status::ready);
  EXPECT_EQ(future.get(), 200);
  // The thread finishes by itself.
  const auto start = std::chrono::steady_clock::now();
  while (process_threads() > threads_before && std::chrono::steady_clock::now() - start < 5s)
    std::this_thread::sleep_for(10ms);
  EXPECT_EQ(process_threads(), threads_before);
}

}  // namespace
}  // namespace lienthong::upstream
