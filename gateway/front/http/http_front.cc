#include "gateway/front/http/http_front.h"

#include <boost/asio/executor_work_guard.hpp>

#include <algorithm>
#include <exception>

#include "gateway/core/log.h"
#include "gateway/front/http/document_routes.h"
#include "gateway/front/http/front_context.h"
#include "gateway/front/http/listener.h"
#include "gateway/front/http/router.h"
#include "gateway/front/http/session.h"

namespace lienthong::front {

using http::FrontContext;
using http::HttpCounters;
using http::Listener;
using http::Router;

namespace {

Result<void> validate(const HttpFrontConfig& config) {
  if (config.max_body_bytes == 0 || config.max_header_bytes == 0)
    return fail(ErrorCode::kBadRequest, "http front: body and header limits must be positive");
  if (config.max_header_bytes > (1u << 20))
    return fail(ErrorCode::kBadRequest, "http front: header limit above 1 MiB");
  if (config.idle_timeout.count() <= 0 || config.request_timeout.count() <= 0)
    return fail(ErrorCode::kBadRequest, "http front: timeouts must be positive");
  if (config.max_connections == 0)
    return fail(ErrorCode::kBadRequest, "http front: max_connections must be positive");
  if (config.documents) {
    if (!config.document_executor)
      return fail(ErrorCode::kBadRequest, "http front: documents need a document_executor");
    if (config.max_document_bytes == 0)
      return fail(ErrorCode::kBadRequest, "http front: max_document_bytes must be positive");
  }
  return {};
}

}  // namespace

HttpFront::HttpFront(HttpFrontConfig config, exchange::Pipeline::Ptr pipeline,
                     std::shared_ptr<Metrics> metrics, Clock::Ptr clock)
    : config_(std::move(config)),
      pipeline_(std::move(pipeline)),
      metrics_(std::move(metrics)),
      clock_(clock ? std::move(clock) : SystemClock::instance()) {
  if (config_.threads == 0) config_.threads = std::max(1u, std::thread::hardware_concurrency());
}

HttpFront::HttpFront(HttpFrontConfig config, std::shared_ptr<const http::Handler> handler,
                     std::shared_ptr<Metrics> metrics, Clock::Ptr clock)
    : config_(std::move(config)),
      handler_(std::move(handler)),
      metrics_(std::move(metrics)),
      clock_(clock ? std::move(clock) : SystemClock::instance()) {
  if (config_.threads == 0) config_.threads = std::max(1u, std::thread::hardware_concurrency());
  // Another handler has no document routes: no request may have the larger body limit.
  config_.documents = nullptr;
  config_.document_executor = nullptr;
}

HttpFront::~HttpFront() { stop(); }

Result<std::uint16_t> HttpFront::start() {
  if (started_) return fail(ErrorCode::kInternal, "http front: already started");
  if (!pipeline_ && !handler_) return fail(ErrorCode::kInternal, "http front: no pipeline");
  if (auto ok = validate(config_); !ok) return tl::unexpected(ok.error());

  auto counters = std::make_shared<HttpCounters>();
  http::Handler::Ptr handler = handler_;
  if (!handler) {
    std::shared_ptr<const http::DocumentRoutes> documents;
    if (config_.documents)
      documents = std::make_shared<const http::DocumentRoutes>(config_.documents,
                                                               config_.document_executor);
    handler = std::make_shared<const Router>(pipeline_, metrics_, counters, config_.max_body_bytes,
                                             config_.signed_json, std::move(documents));
  }
  auto context = std::make_shared<FrontContext>(config_, std::move(handler), counters, clock_);
  if (auto ok = configure_server_tls(context->ssl.native_handle(), config_.tls); !ok)
    return tl::unexpected(ok.error());
  auto listener = Listener::bind(context);
  if (!listener) return tl::unexpected(listener.error());

  // The front's HTTP counters appear in every rendering of the metrics (the shared_ptr keeps
  // them valid for as long as the Metrics object lives).
  if (metrics_) metrics_->add_gauges([counters](std::string& out) { counters->render(out); });

  started_ = true;
  context_ = std::move(context);
  listener_ = std::move(*listener);
  port_ = listener_->port();
  listener_->start();
  threads_.reserve(config_.threads);
  for (unsigned i = 0; i < config_.threads; ++i)
    threads_.emplace_back([context = context_] {
      // Handlers return errors instead of throwing; an exception here is a bug, reported and
      // fatal rather than a thread silently gone.
      try {
        context->ioc.run();
      } catch (const std::exception& e) {
        LT_LOG(critical, "http front thread: {}", e.what());
        std::terminate();
      }
    });
  LT_LOG(debug, "http front listening on {}:{} with {} threads", config_.address, port_,
         config_.threads);
  return port_;
}

void HttpFront::stop() {
  if (!started_ || stopped_) return;
  stopped_ = true;
  // Until every connection has gone, the io_context must not run out of work: a session that
  // is closing just now (its last handler running) may be the only work left once the acceptor
  // closes. Without this guard the threads would return from run() and the stop we post to
  // that session below would never run, keeping it alive until the deadline and then leaking it.
  auto keep_running = boost::asio::make_work_guard(context_->ioc);
  listener_->stop();
  for (auto& session : context_->connections.stop_accepting()) session->stop();
  // Requests already read get their answer; each is bounded by request_timeout for the
  // pipeline and again for writing, plus the TLS shutdown.
  const auto deadline =
      std::chrono::steady_clock::now() + 2 * config_.request_timeout + std::chrono::seconds(3);
  const std::size_t remaining = context_->connections.wait_until_empty(deadline);
  if (remaining != 0) {
    // Kept alive by handlers that will now never run: leaked on purpose rather than destroyed
    // under a pipeline thread that may still post to them.
    LT_LOG(error, "http front: {} connections still open at shutdown", remaining);
    context_->ioc.stop();
  }
  // Otherwise the io_context runs out of work by itself once the guard is gone and the closed
  // acceptor's last handler has run; stopping it earlier would strand that handler, and the
  // listener it holds.
  keep_running.reset();
  for (auto& thread : threads_) thread.join();
  threads_.clear();
  listener_.reset();
  LT_LOG(debug, "http front stopped");
}

}  // namespace lienthong::front
