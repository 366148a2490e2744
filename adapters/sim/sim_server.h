// The HTTPS server every SIMULATOR in `lienthong-sim` runs on: mutual TLS (client
// certificates required), keep-alive, limits on headers and bodies, and answers that may wait
// (latency) or never come (a hung upstream) without holding a thread. What to answer is a
// SimHandler's business: one per simulated national system.
#pragma once

#include <boost/beast/http.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "gateway/core/error.h"

namespace lienthong::sim {

inline constexpr std::string_view kServerHeader = "lienthong-sim (SIMULATOR)";

using HttpRequest = boost::beast::http::request<boost::beast::http::string_body>;

// What to do with one request.
struct SimReply {
  bool hold = false;  // the timeout fault: send nothing, close the connection later
  // The dropped-connection fault: close the connection at once, no answer and no TLS goodbye
  // (a peer that vanished mid-request). Wins over `hold` and `delay`.
  bool drop = false;
  unsigned status = 200;
  std::string content_type;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra response headers
  std::chrono::milliseconds delay{0};  // wait this long before answering
};

// The path of a request target ("/a/b?x=1" → "/a/b") and a query parameter's raw value (no
// percent-decoding: the simulators' parameters are digits and codes).
std::string_view target_path(std::string_view target);
std::string_view query_value(std::string_view target, std::string_view name);
// A query parameter as an unsigned number, or `fallback` when absent or not a number.
uint64_t query_number(std::string_view target, std::string_view name, uint64_t fallback);

class SimHandler {
 public:
  virtual ~SimHandler() = default;
  // Never throws. `from_loopback`: the peer's address is a loopback address (control
  // endpoints such as /sim/knobs are accepted only from there).
  virtual SimReply handle(const HttpRequest& request, bool from_loopback) = 0;
  virtual void connection_opened() = 0;
  virtual void connection_closed() = 0;
};

struct SimServerConfig {
  std::string host = "127.0.0.1";
  uint16_t port = 0;                    // 0: an ephemeral port, see SimServer::port()
  std::string tls_cert;                 // PEM, leaf first then chain
  std::string tls_key;                  // PEM private key
  std::vector<std::string> client_cas;  // PEM files: anchors (and intermediates) for clients
  int threads = 1;
  size_t max_header_bytes = 16 << 10;
  size_t max_body_bytes = 64 << 10;
  std::chrono::seconds handshake_timeout{30};  // generous: load tests open thousands at once
  std::chrono::seconds idle_timeout{30};       // between requests on a kept-alive connection
  std::chrono::seconds io_timeout{30};         // reading one request, writing one answer
  std::chrono::seconds hold_timeout{60};       // the timeout fault closes the connection after it
  bool handle_signals = false;                 // stop on SIGINT/SIGTERM
};

class SimServer {
 public:
  // Loads the TLS material and binds; BAD_REQUEST with the reason when either fails.
  static Result<std::unique_ptr<SimServer>> create(SimServerConfig config,
                                                   std::shared_ptr<SimHandler> service);
  ~SimServer();
  SimServer(const SimServer&) = delete;
  SimServer& operator=(const SimServer&) = delete;

  uint16_t port() const;
  // Serves on `threads` threads (the caller's among them) until stop().
  void run();
  // Thread-safe and idempotent: stops accepting and ends run(); open connections are dropped.
  void stop();

 private:
  struct Impl;
  explicit SimServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace lienthong::sim
