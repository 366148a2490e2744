// The HTTPS front end for provincial one-stop systems (DESIGN.md §3): HTTP/1.1 over mutual TLS,
// JSON or XML lookups, documents (document_routes.h), health, readiness and metrics.
// Boost.Asio/Beast, fully asynchronous: a lookup waits for the pipeline without holding a thread,
// so a few threads carry thousands of requests in flight.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "gateway/core/clock.h"
#include "gateway/core/error.h"
#include "gateway/core/executor.h"
#include "gateway/core/metrics.h"
#include "gateway/documents/document_service.h"
#include "gateway/exchange/pipeline.h"
#include "gateway/exchange/signed_json.h"
#include "gateway/front/tls/server_tls.h"

namespace lienthong::front {

namespace http {
struct FrontContext;
class Handler;
class Listener;
}  // namespace http

struct HttpFrontConfig {
  std::string address = "127.0.0.1";
  std::uint16_t port = 0;  // 0: an ephemeral port, see HttpFront::start()
  ServerTlsConfig tls;
  unsigned threads = 0;                   // 0: std::thread::hardware_concurrency()
  std::size_t max_body_bytes = 64 << 10;  // larger bodies get 413
  // POST /v1/documents only (an edXML document, attachments included): its body limit instead
  // of max_body_bytes. Read from the request header before the body; larger bodies get 413.
  std::size_t max_document_bytes = (32 << 20) + (64 << 10);
  std::size_t max_header_bytes = 8 << 10;  // larger headers get 431
  // No request begun for this long on an open connection: it is closed.
  std::chrono::milliseconds idle_timeout = std::chrono::seconds(30);
  // Budget for one request: reading its body, the pipeline's answer (else 504
  // UPSTREAM_TIMEOUT), writing the response. Also bounds the TLS handshake.
  std::chrono::milliseconds request_timeout = std::chrono::seconds(30);
  std::size_t max_connections = 10'000;  // further connections are closed on accept
  // Signed JSON (exchange/signed_json.h): members' JWS requests and the answers' signatures.
  exchange::SignedJson::Ptr signed_json;
  // The document routes (/v1/documents…); null answers them 404 (not enabled). The service's
  // calls block: they run on `document_executor` (required with `documents`), never on the
  // front's own threads.
  documents::DocumentService::Ptr documents;
  Executor::Ptr document_executor;
};

class HttpFront {
 public:
  HttpFront(HttpFrontConfig config, exchange::Pipeline::Ptr pipeline,
            std::shared_ptr<Metrics> metrics, Clock::Ptr clock);
  // The same server for another handler (the admin API: gateway/front/admin). `metrics` may be
  // null: this front's HTTP counters are then not rendered (they would repeat the lookup
  // front's metric names). config.signed_json and config.documents are not used.
  HttpFront(HttpFrontConfig config, std::shared_ptr<const http::Handler> handler,
            std::shared_ptr<Metrics> metrics, Clock::Ptr clock);
  ~HttpFront();  // stop()
  HttpFront(const HttpFront&) = delete;
  HttpFront& operator=(const HttpFront&) = delete;

  // Loads the TLS material, binds, and starts the threads. Returns the bound port (the
  // ephemeral one when the config says 0). Errors: a bad config or TLS material (BAD_REQUEST),
  // an address that cannot be bound (INTERNAL). Once only.
  Result<std::uint16_t> start();

  // Graceful: stops accepting, lets every request already read finish (its response says
  // Connection: close), closes idle connections, then joins the threads. Idempotent.
  void stop();

  std::uint16_t port() const { return port_; }

 private:
  HttpFrontConfig config_;
  exchange::Pipeline::Ptr pipeline_;
  std::shared_ptr<const http::Handler> handler_;  // null: a Router over pipeline_
  std::shared_ptr<Metrics> metrics_;
  Clock::Ptr clock_;
  std::shared_ptr<http::FrontContext> context_;
  std::shared_ptr<http::Listener> listener_;
  std::vector<std::thread> threads_;
  std::uint16_t port_ = 0;
  bool started_ = false;
  bool stopped_ = false;
};

}  // namespace lienthong::front
