#include "gateway/front/http/listener.h"

#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>

#include "gateway/core/log.h"
#include "gateway/front/http/front_context.h"
#include "gateway/front/http/session.h"

namespace lienthong::front::http {

namespace {
namespace asio = boost::asio;
using boost::system::error_code;

// After an accept error such as EMFILE, wait before trying again instead of spinning.
constexpr auto kAcceptRetry = std::chrono::milliseconds(100);
}  // namespace

Listener::Listener(std::shared_ptr<FrontContext> context)
    : context_(std::move(context)),
      acceptor_(asio::make_strand(context_->ioc)),
      retry_timer_(acceptor_.get_executor()) {}

Result<std::shared_ptr<Listener>> Listener::bind(std::shared_ptr<FrontContext> context) {
  const HttpFrontConfig& config = context->config;
  error_code ec;
  const asio::ip::address address = asio::ip::make_address(config.address, ec);
  if (ec)
    return fail(ErrorCode::kBadRequest, "listen address '" + config.address + "': " + ec.message());
  std::shared_ptr<Listener> listener(new Listener(std::move(context)));
  const asio::ip::tcp::endpoint endpoint(address, config.port);
  auto& acceptor = listener->acceptor_;
  const auto where = config.address + ":" + std::to_string(config.port);
  if (acceptor.open(endpoint.protocol(), ec); ec)
    return fail(ErrorCode::kInternal, "cannot open a socket for " + where + ": " + ec.message());
  if (acceptor.set_option(asio::socket_base::reuse_address(true), ec); ec)
    return fail(ErrorCode::kInternal, "SO_REUSEADDR on " + where + ": " + ec.message());
  if (acceptor.bind(endpoint, ec); ec)
    return fail(ErrorCode::kInternal, "cannot bind " + where + ": " + ec.message());
  if (acceptor.listen(asio::socket_base::max_listen_connections, ec); ec)
    return fail(ErrorCode::kInternal, "cannot listen on " + where + ": " + ec.message());
  listener->port_ = acceptor.local_endpoint(ec).port();
  if (ec) return fail(ErrorCode::kInternal, "local endpoint: " + ec.message());
  return listener;
}

void Listener::start() {
  asio::post(acceptor_.get_executor(), [self = shared_from_this()] { self->accept(); });
}

void Listener::stop() {
  asio::post(acceptor_.get_executor(), [self = shared_from_this()] {
    error_code ignored;
    self->acceptor_.close(ignored);
    self->retry_timer_.cancel();
  });
}

void Listener::accept() {
  if (!acceptor_.is_open()) return;
  // Each connection gets its own strand: its handlers never run concurrently, and different
  // connections run on all threads.
  acceptor_.async_accept(
      asio::make_strand(context_->ioc),
      [self = shared_from_this()](const error_code& ec, asio::ip::tcp::socket socket) {
        self->on_accept(ec, std::move(socket));
      });
}

void Listener::on_accept(const error_code& ec, asio::ip::tcp::socket socket) {
  if (ec == asio::error::operation_aborted || !acceptor_.is_open()) return;
  if (ec) {
    LT_LOG(warn, "accept failed: {}; retrying", ec.message());
    retry_timer_.expires_after(kAcceptRetry);
    retry_timer_.async_wait([self = shared_from_this()](const error_code& wait_ec) {
      if (!wait_ec) self->accept();
    });
    return;
  }
  if (context_->connections.size() >= context_->config.max_connections) {
    context_->counters->connection_rejected();
    error_code ignored;
    socket.close(ignored);
  } else {
    error_code ignored;
    socket.set_option(asio::ip::tcp::no_delay(true), ignored);  // small, pipelined answers
    auto session = std::make_shared<Session>(context_, std::move(socket));
    if (auto id = context_->connections.add(session)) session->start(*id);
  }
  accept();
}

}  // namespace lienthong::front::http
