// The HttpClient of one upstream, on libcurl's multi interface (DESIGN.md §2 upstream/, §8).
//
// One background thread per client drives every transfer: send() only validates the request,
// asks the circuit breaker, queues the call and wakes the thread (an eventfd); it never
// touches the network. The thread drives libcurl's multi_socket API with epoll
// (curl_socket_events.h), so thousands of calls can wait on the upstream at once without
// holding a thread each, and a wakeup costs only the sockets that are ready. One multi handle means
// one connection pool: TLS connections are kept alive and reused, at most max_connections of
// them; extra transfers queue inside libcurl until one is free.
//
// Every callback runs on the client's thread, exactly once, including refusals (bad request,
// circuit open, queue full), so callers never see their callback re-entered from send().
// Transfers: HTTPS only, HTTP/1.1, TLS 1.2+, the configured CA file as the only trust anchors
// with peer and host name verification, the gateway's client certificate for mutual TLS, no
// redirects, no proxy (an environment variable must never reroute personal data).
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <thread>

#include "gateway/core/clock.h"
#include "gateway/core/error.h"
#include "gateway/upstream/http_client.h"
#include "gateway/upstream/upstream_config.h"

namespace lienthong::upstream {

class CurlHttpClient final : public HttpClient {
 public:
  // Validates the config (BAD_REQUEST) and starts the client's thread (INTERNAL if libcurl or
  // the thread cannot be set up). `clock` drives the circuit breaker and the retry budget.
  static Result<std::shared_ptr<CurlHttpClient>> create(UpstreamConfig config,
                                                        Clock::Ptr clock = SystemClock::instance());

  // Stops the thread; calls still pending complete with UPSTREAM_UNAVAILABLE "client shutting
  // down" on the client's thread before it ends. Safe to run from one of this client's own
  // callbacks (the thread then finishes by itself).
  ~CurlHttpClient() override;

  CurlHttpClient(const CurlHttpClient&) = delete;
  CurlHttpClient& operator=(const CurlHttpClient&) = delete;

  // request.url is either relative to base_url ("/path?query", "?query" or empty) or absolute
  // with base_url's scheme, host and port; anything else is refused with BAD_REQUEST.
  // Outcomes (see HttpClient): a response for any status below 500; UPSTREAM_TIMEOUT when the
  // last attempt timed out; UPSTREAM_UNAVAILABLE for connection, DNS or TLS failures, a 5xx
  // after the last attempt ("HTTP 503"), a response over max_response_bytes, an open circuit,
  // a full queue, or shutdown.
  void send(HttpRequest request, ResponseCallback done) override;

  std::string breaker_state() const override;

  // Calls accepted and not yet completed (metrics and tests).
  std::size_t outstanding() const;

 private:
  class Loop;  // everything the client's thread owns; see curl_http_client.cc
  explicit CurlHttpClient(std::shared_ptr<Loop> loop);

  // Shared with the thread, which keeps the loop alive if the client is destroyed from one of
  // its own callbacks.
  std::shared_ptr<Loop> loop_;
  std::thread thread_;
};

}  // namespace lienthong::upstream
