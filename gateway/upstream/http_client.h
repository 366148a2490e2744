// The narrow interface adapters use to reach their upstream (DESIGN.md §2 upstream/).
// Implementations own connection reuse, mTLS, timeouts, retries and the circuit breaker;
// send() returns at once and the callback runs later on the client's own thread, so an
// upstream wait never holds a gateway thread. Callbacks must be short: hand CPU work to an
// Executor.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "gateway/core/error.h"

namespace lienthong::upstream {

struct HttpRequest {
  std::string method = "POST";
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // Safe to send twice (a lookup is); only idempotent requests are retried.
  bool idempotent = true;
};

struct HttpResponse {
  long status = 0;
  std::string content_type;
  std::string body;
  std::chrono::microseconds elapsed{0};
  int attempts = 1;
  std::vector<std::pair<std::string, std::string>> headers{};  // response headers, as received
};

using ResponseCallback = std::function<void(Result<HttpResponse>)>;

// Outcomes: UPSTREAM_TIMEOUT when the deadline passed, UPSTREAM_UNAVAILABLE when the peer
// could not be reached, TLS failed, the breaker is open or the answer was a 5xx after the
// retries; any other status is returned as a response for the adapter to interpret.
class HttpClient {
 public:
  using Ptr = std::shared_ptr<HttpClient>;
  virtual ~HttpClient() = default;
  virtual void send(HttpRequest request, ResponseCallback done) = 0;
  // "closed", "open" or "half-open": exposed in /metrics and /readyz.
  virtual std::string breaker_state() const = 0;
};

}  // namespace lienthong::upstream
