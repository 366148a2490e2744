#include "adapters/sim/sim_server.h"

#include <openssl/ssl.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>

#include <charconv>
#include <optional>
#include <thread>

#include "gateway/core/log.h"

namespace lienthong::sim {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;

}  // namespace

uint64_t query_number(std::string_view target, std::string_view name, uint64_t fallback) {
  const std::string_view text = query_value(target, name);
  uint64_t v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  return !text.empty() && ec == std::errc() && end == text.data() + text.size() ? v : fallback;
}

std::string_view target_path(std::string_view target) { return target.substr(0, target.find('?')); }

std::string_view query_value(std::string_view target, std::string_view name) {
  const size_t question = target.find('?');
  if (question == std::string_view::npos) return {};
  std::string_view query = target.substr(question + 1);
  while (!query.empty()) {
    const size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    const size_t eq = pair.find('=');
    if (eq != std::string_view::npos && pair.substr(0, eq) == name) return pair.substr(eq + 1);
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return {};
}

// --- SimServer --------------------------------------------------------------------------------

struct SimServer::Impl {
  Impl(SimServerConfig c, std::shared_ptr<SimHandler> s)
      : config(std::move(c)), service(std::move(s)) {}

  net::awaitable<void> accept_loop();
  net::awaitable<void> session(tcp::socket socket);
  void stop();

  // Declared in this order so that the io_context, and with it every suspended connection,
  // goes before the TLS context and the service the connections use.
  SimServerConfig config;
  std::shared_ptr<SimHandler> service;
  ssl::context tls{ssl::context::tls_server};
  net::io_context io;
  tcp::acceptor acceptor{io};
  std::optional<net::signal_set> signals;
  std::atomic<bool> stopping{false};
  uint16_t port = 0;
};

namespace {

// A coroutine that ends with an exception is a bug: say so instead of losing it.
void report_exception(std::exception_ptr e) {
  if (!e) return;
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& ex) {
    LT_LOG(error, "lienthong-sim (SIMULATOR): connection ended by exception: {}", ex.what());
  }
}

using Stream = beast::ssl_stream<beast::tcp_stream>;

net::awaitable<void> write_plain(Stream& stream, unsigned version, http::status status,
                                 std::string_view text) {
  http::response<http::string_body> res{status, version};
  res.set(http::field::server, beast::string_view(kServerHeader.data(), kServerHeader.size()));
  res.set(http::field::content_type, "text/plain; charset=utf-8");
  res.keep_alive(false);
  res.body() = std::string(text);
  res.prepare_payload();
  beast::error_code ec;
  co_await http::async_write(stream, res, net::redirect_error(net::use_awaitable, ec));
}

}  // namespace

net::awaitable<void> SimServer::Impl::accept_loop() {
  for (;;) {
    tcp::socket socket(net::make_strand(io));
    beast::error_code ec;
    co_await acceptor.async_accept(socket, net::redirect_error(net::use_awaitable, ec));
    if (ec) {
      if (ec == net::error::operation_aborted || !acceptor.is_open()) co_return;
      // Out of descriptors, usually: back off a little instead of spinning.
      LT_LOG(warn, "lienthong-sim (SIMULATOR): accept failed: {}", ec.message());
      net::steady_timer pause(io, std::chrono::milliseconds(50));
      co_await pause.async_wait(net::redirect_error(net::use_awaitable, ec));
      continue;
    }
    auto executor = socket.get_executor();
    net::co_spawn(executor, session(std::move(socket)), report_exception);
  }
}

net::awaitable<void> SimServer::Impl::session(tcp::socket socket) {
  service->connection_opened();
  struct Closed {
    SimHandler* service;
    ~Closed() { service->connection_closed(); }
  } closed{service.get()};

  beast::error_code ec;
  const auto peer = socket.remote_endpoint(ec);
  const bool from_loopback = !ec && peer.address().is_loopback();
  Stream stream(std::move(socket), tls);
  auto& tcp_layer = beast::get_lowest_layer(stream);

  // Client certificates are required (verify_fail_if_no_peer_cert): a client without one, or
  // with one that does not chain to --client-ca, fails here and never reaches HTTP.
  tcp_layer.expires_after(config.handshake_timeout);
  co_await stream.async_handshake(ssl::stream_base::server,
                                  net::redirect_error(net::use_awaitable, ec));
  if (ec) {
    LT_LOG(debug, "lienthong-sim (SIMULATOR): TLS handshake refused: {}", ec.message());
    co_return;
  }

  beast::flat_buffer buffer;
  for (;;) {
    http::request_parser<http::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(config.max_header_bytes));
    parser.body_limit(config.max_body_bytes);
    tcp_layer.expires_after(config.idle_timeout);
    co_await http::async_read_header(stream, buffer, parser,
                                     net::redirect_error(net::use_awaitable, ec));
    if (ec) {
      // A declared Content-Length above the limit fails here already, before any body.
      if (ec == http::error::header_limit)
        co_await write_plain(stream, 11, http::status::request_header_fields_too_large,
                             "request header too large");
      else if (ec == http::error::body_limit)
        co_await write_plain(stream, 11, http::status::payload_too_large, "request body too large");
      break;
    }
    if (beast::iequals(parser.get()[http::field::expect], "100-continue")) {
      http::response<http::empty_body> go_on{http::status::continue_, parser.get().version()};
      tcp_layer.expires_after(config.io_timeout);
      co_await http::async_write(stream, go_on, net::redirect_error(net::use_awaitable, ec));
      if (ec) break;
    }
    tcp_layer.expires_after(config.io_timeout);
    co_await http::async_read(stream, buffer, parser, net::redirect_error(net::use_awaitable, ec));
    if (ec) {
      if (ec == http::error::body_limit)
        co_await write_plain(stream, parser.get().version(), http::status::payload_too_large,
                             "request body too large");
      break;
    }
    HttpRequest request = parser.release();
    SimReply reply = service->handle(request, from_loopback);

    if (reply.drop) {
      // The client sees the connection end without a response, as when the upstream dies.
      tcp_layer.socket().close(ec);
      co_return;
    }
    if (reply.hold || reply.delay.count() > 0) {
      // Waiting holds a timer, not a thread; the stream's own timeout is off meanwhile.
      tcp_layer.expires_never();
      net::steady_timer wait(co_await net::this_coro::executor);
      wait.expires_after(reply.hold ? std::chrono::milliseconds(config.hold_timeout) : reply.delay);
      co_await wait.async_wait(net::redirect_error(net::use_awaitable, ec));
      if (ec) co_return;  // shutting down
      if (reply.hold) {
        // A hung upstream: no answer, and no TLS goodbye either.
        tcp_layer.socket().close(ec);
        co_return;
      }
    }

    http::response<http::string_body> res{static_cast<http::status>(reply.status),
                                          request.version()};
    res.set(http::field::server, beast::string_view(kServerHeader.data(), kServerHeader.size()));
    res.set(http::field::content_type, reply.content_type);
    for (const auto& [name, value] : reply.headers) res.set(name, value);
    res.keep_alive(request.keep_alive());
    res.body() = std::move(reply.body);
    res.prepare_payload();
    const bool keep_alive = res.keep_alive();
    tcp_layer.expires_after(config.io_timeout);
    co_await http::async_write(stream, res, net::redirect_error(net::use_awaitable, ec));
    if (ec || !keep_alive) break;
  }
  if (!tcp_layer.socket().is_open()) co_return;
  tcp_layer.expires_after(std::chrono::seconds(2));
  co_await stream.async_shutdown(net::redirect_error(net::use_awaitable, ec));
}

void SimServer::Impl::stop() {
  if (stopping.exchange(true)) return;
  net::post(io, [this] {
    beast::error_code ec;
    acceptor.close(ec);
    if (signals) signals->cancel(ec);
    io.stop();
  });
}

Result<std::unique_ptr<SimServer>> SimServer::create(SimServerConfig config,
                                                     std::shared_ptr<SimHandler> service) {
  if (!service) return fail(ErrorCode::kBadRequest, "no service to serve");
  if (config.client_cas.empty())
    return fail(ErrorCode::kBadRequest,
                "client certificates are required: name their anchors with --client-ca");
  if (config.threads < 1) return fail(ErrorCode::kBadRequest, "threads must be at least 1");
  auto impl = std::make_unique<Impl>(std::move(config), std::move(service));
  const SimServerConfig& c = impl->config;
  beast::error_code ec;

  impl->tls.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                            ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                            ssl::context::no_tlsv1_1 | ssl::context::single_dh_use,
                        ec);
  impl->tls.use_certificate_chain_file(c.tls_cert, ec);
  if (ec)
    return fail(ErrorCode::kBadRequest, "TLS certificate " + c.tls_cert + ": " + ec.message());
  impl->tls.use_private_key_file(c.tls_key, ssl::context::pem, ec);
  if (ec) return fail(ErrorCode::kBadRequest, "TLS key " + c.tls_key + ": " + ec.message());
  SSL_CTX* native = impl->tls.native_handle();
  if (SSL_CTX_check_private_key(native) != 1)
    return fail(ErrorCode::kBadRequest, "the TLS key does not match the TLS certificate");
  for (const auto& file : c.client_cas) {
    impl->tls.load_verify_file(file, ec);
    if (ec) return fail(ErrorCode::kBadRequest, "client CA " + file + ": " + ec.message());
  }
  impl->tls.set_verify_mode(ssl::verify_peer | ssl::verify_fail_if_no_peer_cert, ec);
  // Resumed sessions of a server that verifies clients need an id context, and idle
  // connections (thousands in a load test) should not keep their 34 KiB of TLS buffers.
  static constexpr unsigned char kSessionContext[] = "lienthong-sim";
  SSL_CTX_set_session_id_context(native, kSessionContext, sizeof kSessionContext - 1);
  SSL_CTX_set_mode(native, SSL_MODE_RELEASE_BUFFERS);

  const auto address = net::ip::make_address(c.host, ec);
  if (ec) return fail(ErrorCode::kBadRequest, "listen address '" + c.host + "': " + ec.message());
  const tcp::endpoint endpoint{address, c.port};
  impl->acceptor.open(endpoint.protocol(), ec);
  if (!ec) impl->acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) impl->acceptor.bind(endpoint, ec);
  if (!ec) impl->acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec)
    return fail(ErrorCode::kBadRequest,
                "cannot listen on " + c.host + ":" + std::to_string(c.port) + ": " + ec.message());
  impl->port = impl->acceptor.local_endpoint().port();

  Impl* raw = impl.get();
  net::co_spawn(impl->io, raw->accept_loop(), report_exception);
  if (c.handle_signals) {
    impl->signals.emplace(impl->io, SIGINT, SIGTERM);
    impl->signals->async_wait([raw](const beast::error_code& error, int signal) {
      if (error) return;
      LT_LOG(info, "lienthong-sim (SIMULATOR): signal {}, stopping", signal);
      raw->stop();
    });
  }
  return std::unique_ptr<SimServer>(new SimServer(std::move(impl)));
}

SimServer::SimServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SimServer::~SimServer() = default;

uint16_t SimServer::port() const { return impl_->port; }

void SimServer::run() {
  std::vector<std::thread> extra;
  for (int i = 1; i < impl_->config.threads; ++i) extra.emplace_back([this] { impl_->io.run(); });
  impl_->io.run();
  for (auto& t : extra) t.join();
}

void SimServer::stop() { impl_->stop(); }

}  // namespace lienthong::sim
