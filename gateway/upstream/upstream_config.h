// How the gateway reaches one upstream (one national system): where it is, which certificates
// prove both ends of the TLS connection, and how patient and how persistent to be. Parsed once
// at startup (main.cc), checked by validate(), then shared read-only by the client.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

#include "gateway/core/error.h"

namespace lienthong::upstream {

struct UpstreamConfig {
  // Short name of the upstream ("population"): prefixes error details and breaker logs.
  std::string name;
  // "https://host[:port][/path]". Requests whose url is relative ("/lookup?x=1") are appended
  // to it; absolute request urls must name the same scheme, host and port.
  std::string base_url;

  // PEM bundle of the trust anchors that verify the upstream's server certificate. Only these
  // anchors are used (never the system store): a national system is pinned to its own CA.
  std::string ca_file;
  // PEM: the gateway's client certificate (leaf, optionally followed by its chain) and its
  // private key, presented for mutual TLS.
  std::string client_certificate_file;
  std::string client_key_file;

  // TCP + TLS handshake limit of one attempt.
  std::chrono::milliseconds connect_timeout{2000};
  // Whole-transfer limit of ONE attempt: waiting for a free connection (max_connections),
  // connecting and the exchange. A retried call may take up to max_attempts times this plus
  // the backoffs.
  std::chrono::milliseconds request_timeout{5000};

  // Attempts per call, the first included (1 = never retry). Only idempotent requests are
  // retried, and only after a timeout, a transport failure or a 5xx.
  int max_attempts = 2;
  // Pause before a retry: uniformly jittered between these two, so retries of many calls that
  // failed together do not arrive together.
  std::chrono::milliseconds retry_backoff_min{20};
  std::chrono::milliseconds retry_backoff_max{50};
  // Retry budget (Envoy/Finagle style): a retry is allowed while the retries of the last
  // second stay within max(retry_budget_min_per_second, retry_budget_ratio x calls of the
  // last second). Stops retries from multiplying the load on an upstream that is struggling.
  double retry_budget_ratio = 0.1;
  int retry_budget_min_per_second = 10;

  // Circuit breaker: open after this many consecutive failed calls (timeout, unreachable,
  // TLS failure, 5xx after retries), fail fast while open, probe with one call after
  // breaker_open_for.
  int breaker_failure_threshold = 5;
  std::chrono::milliseconds breaker_open_for{5000};

  // Connections to the upstream (per host and in total); transfers beyond it wait inside
  // libcurl for a free connection. Idle connections are kept for reuse up to this number.
  long max_connections = 512;
  // A larger response body is refused (UPSTREAM_UNAVAILABLE) and the transfer aborted.
  std::size_t max_response_bytes = std::size_t{4} << 20;
  // Calls accepted and not yet completed (in flight, waiting for a connection or for a
  // retry); beyond it send() refuses at once with UPSTREAM_UNAVAILABLE.
  std::size_t max_queued = 20000;

  // BAD_REQUEST naming the first field that is missing or makes no sense. Also checks that the
  // three PEM files exist and are not empty, so a broken deployment fails at startup.
  Result<void> validate() const;
};

// "https://host:port" of an https URL (the port made explicit, the host lower-cased by libcurl's
// URL parser): what an absolute request URL must share with base_url. BAD_REQUEST for another
// scheme, a URL without host, or one carrying user credentials.
Result<std::string> https_origin(const std::string& url);

}  // namespace lienthong::upstream
