#include "adapters/population/sim_server.h"

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
#include <nlohmann/json.hpp>

#include <charconv>
#include <optional>
#include <thread>

#include "gateway/core/log.h"

namespace lienthong::population::sim {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;

constexpr const char* kXmlContentType = "text/xml; charset=utf-8";
constexpr uint32_t kMaxLatencyMs = 600'000;

// Fault purposes: separate draws so one knob does not shift another's choices.
enum Purpose : uint64_t { kJitter = 1, kTimeout = 2, kError = 3, kBadSignature = 4 };

uint64_t mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

bool iequals_prefix(std::string_view value, std::string_view prefix) {
  if (value.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    char c = value[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != prefix[i]) return false;
  }
  return true;
}

// text/xml or application/xml, with or without parameters.
bool is_xml_media_type(std::string_view content_type) {
  for (std::string_view type : {"text/xml", "application/xml"}) {
    if (!iequals_prefix(content_type, type)) continue;
    const std::string_view rest = content_type.substr(type.size());
    if (rest.empty() || rest.front() == ';' || rest.front() == ' ') return true;
  }
  return false;
}

SimReply plain(unsigned status, std::string body) {
  SimReply r;
  r.status = status;
  r.content_type = "text/plain; charset=utf-8";
  r.body = std::move(body);
  return r;
}

std::string_view sv(beast::string_view s) { return {s.data(), s.size()}; }

SimReply json_reply(unsigned status, std::string body) {
  SimReply r;
  r.status = status;
  r.content_type = "application/json";
  r.body = std::move(body);
  return r;
}

}  // namespace

// --- Knobs and statistics -------------------------------------------------------------------

std::string knobs_json(const Knobs& k) {
  return nlohmann::json{{"latency_ms", k.latency_ms},
                        {"latency_jitter_ms", k.latency_jitter_ms},
                        {"error_rate", k.error_rate},
                        {"timeout_rate", k.timeout_rate},
                        {"bad_signature_rate", k.bad_signature_rate}}
      .dump();
}

Result<Knobs> apply_knobs_json(Knobs current, std::string_view text) {
  const auto doc = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object())
    return fail(ErrorCode::kBadRequest, "knobs must be a JSON object");
  for (const auto& [key, value] : doc.items()) {
    if (key == "latency_ms" || key == "latency_jitter_ms") {
      if (!value.is_number_unsigned() || value.get<uint64_t>() > kMaxLatencyMs)
        return fail(ErrorCode::kBadRequest,
                    key + " must be an integer from 0 to " + std::to_string(kMaxLatencyMs));
      (key == "latency_ms" ? current.latency_ms : current.latency_jitter_ms) =
          static_cast<uint32_t>(value.get<uint64_t>());
    } else if (key == "error_rate" || key == "timeout_rate" || key == "bad_signature_rate") {
      if (!value.is_number() || value.get<double>() < 0 || value.get<double>() > 1)
        return fail(ErrorCode::kBadRequest, key + " must be a number from 0 to 1");
      double& rate = key == "error_rate"     ? current.error_rate
                     : key == "timeout_rate" ? current.timeout_rate
                                             : current.bad_signature_rate;
      rate = value.get<double>();
    } else {
      return fail(ErrorCode::kBadRequest, "unknown knob '" + key + "'");
    }
  }
  return current;
}

std::string stats_json(const Stats& s) {
  return nlohmann::json{{"simulator", std::string(kServerHeader)},
                        {"requests", s.requests},
                        {"lookups", s.lookups},
                        {"found", s.found},
                        {"not_found", s.not_found},
                        {"faults", s.faults},
                        {"auth_failures", s.auth_failures},
                        {"bad_requests", s.bad_requests},
                        {"injected_errors", s.injected_errors},
                        {"injected_timeouts", s.injected_timeouts},
                        {"bad_signatures", s.bad_signatures},
                        {"connections", s.connections},
                        {"connections_total", s.connections_total}}
      .dump();
}

// --- SimService -------------------------------------------------------------------------------

SimService::SimService(SimServiceConfig config)
    : config_(std::move(config)), knobs_(config_.knobs) {
  if (!config_.dataset || !config_.signer || !config_.clock)
    throw std::invalid_argument("SimService needs a data set, a signer and a clock");
}

Stats SimService::stats() const {
  Stats s;
  s.requests = counters_.requests.load();
  s.lookups = counters_.lookups.load();
  s.found = counters_.found.load();
  s.not_found = counters_.not_found.load();
  s.faults = counters_.faults.load();
  s.auth_failures = counters_.auth_failures.load();
  s.bad_requests = counters_.bad_requests.load();
  s.injected_errors = counters_.injected_errors.load();
  s.injected_timeouts = counters_.injected_timeouts.load();
  s.bad_signatures = counters_.bad_signatures.load();
  s.connections = counters_.connections.load();
  s.connections_total = counters_.connections_total.load();
  return s;
}

void SimService::reset_stats() {
  // Open connections are a state, not a history: they survive a reset.
  for (auto* c : {&counters_.requests, &counters_.lookups, &counters_.found, &counters_.not_found,
                  &counters_.faults, &counters_.auth_failures, &counters_.bad_requests,
                  &counters_.injected_errors, &counters_.injected_timeouts,
                  &counters_.bad_signatures, &counters_.connections_total})
    c->store(0);
}

Knobs SimService::knobs() const {
  std::lock_guard lock(knobs_mutex_);
  return knobs_;
}

void SimService::set_knobs(const Knobs& knobs) {
  std::lock_guard lock(knobs_mutex_);
  knobs_ = knobs;
}

void SimService::connection_opened() {
  ++counters_.connections;
  ++counters_.connections_total;
}

void SimService::connection_closed() { --counters_.connections; }

double SimService::draw(uint64_t request_number, uint64_t purpose) const {
  const uint64_t h = mix(mix(config_.seed ^ (purpose << 58)) ^ request_number);
  return static_cast<double>(h >> 11) * 0x1.0p-53;
}

SimReply SimService::fault(unsigned status, std::string_view fault_code, std::string_view error,
                           std::string_view message, std::chrono::milliseconds delay) {
  ++counters_.faults;
  LT_LOG(debug, "lienthong-sim (SIMULATOR): HTTP {} {}: {}", status, error, message);
  SimReply r;
  r.status = status;
  r.content_type = kXmlContentType;
  r.body = render_fault(fault_code, error, message);
  r.delay = delay;
  return r;
}

SimReply SimService::handle(const HttpRequest& request, bool from_loopback) {
  std::string_view target = sv(request.target());
  target = target.substr(0, target.find('?'));
  const auto method = request.method();

  if (target == kLookupPath) {
    if (method != http::verb::post) return plain(405, "use POST for " + std::string(kLookupPath));
    return lookup(request);
  }
  if (target == "/healthz" && method == http::verb::get) return plain(200, "ok (SIMULATOR)");
  if (target == "/sim/stats" && method == http::verb::get)
    return json_reply(200, stats_json(stats()));
  if (target == "/sim/knobs" && method == http::verb::get)
    return json_reply(200, knobs_json(knobs()));
  if (target == "/sim/citizens" && method == http::verb::get) {
    const std::string_view full = sv(request.target());
    const size_t q = full.find('?');
    return citizens_page(q == std::string_view::npos ? std::string_view() : full.substr(q + 1));
  }
  if (target == "/sim/reset-stats" || target == "/sim/knobs") {
    if (method != http::verb::post) return plain(405, "use GET or POST");
    if (!from_loopback)
      return plain(403, "simulator controls are accepted from a loopback address only");
    if (target == "/sim/reset-stats") {
      reset_stats();
      return json_reply(200, stats_json(stats()));
    }
    std::lock_guard lock(knobs_mutex_);
    auto updated = apply_knobs_json(knobs_, request.body());
    if (!updated) return json_reply(400, nlohmann::json{{"error", updated.error().detail}}.dump());
    knobs_ = *updated;
    LT_LOG(info, "lienthong-sim (SIMULATOR): knobs now {}", knobs_json(knobs_));
    return json_reply(200, knobs_json(knobs_));
  }
  return plain(404, "no such resource on lienthong-sim (SIMULATOR)");
}

SimReply SimService::citizens_page(std::string_view query) const {
  uint64_t start = 0, count = 10;
  while (!query.empty()) {
    const std::string_view pair = query.substr(0, query.find('&'));
    query.remove_prefix(std::min(query.size(), pair.size() + 1));
    const size_t eq = pair.find('=');
    if (eq == std::string_view::npos) continue;
    const std::string_view key = pair.substr(0, eq), value = pair.substr(eq + 1);
    uint64_t number = 0;
    if (std::from_chars(value.data(), value.data() + value.size(), number).ec != std::errc() ||
        (key != "start" && key != "count"))
      return json_reply(400, R"({"error":"use /sim/citizens?start=N&count=M"})");
    (key == "start" ? start : count) = number;
  }
  count = std::min<uint64_t>(count, 1000);
  nlohmann::json page = nlohmann::json::array();
  for (uint64_t i = start; i < config_.dataset->size() && i < start + count; ++i) {
    const Citizen c = config_.dataset->at(i);
    page.push_back({{"index", i},
                    {"SoDinhDanh", c.personal_id},
                    {"HoVaTen", c.name.full()},
                    {"NgayThangNam", c.birth_date},
                    {"GioiTinh", std::to_string(c.gender)}});
  }
  return json_reply(200, page.dump());
}

SimReply SimService::lookup(const HttpRequest& request) {
  const uint64_t n = request_counter_.fetch_add(1);
  ++counters_.requests;
  const Knobs k = knobs();
  auto delay = std::chrono::milliseconds(k.latency_ms);
  if (k.latency_jitter_ms > 0)
    delay += std::chrono::milliseconds(
        static_cast<uint32_t>(draw(n, kJitter) * (k.latency_jitter_ms + 1.0)));

  if (!is_xml_media_type(sv(request[http::field::content_type]))) {
    ++counters_.bad_requests;
    return fault(415, "soapenv:Client", "BAD_REQUEST",
                 "Content-Type must be text/xml or application/xml", delay);
  }
  if (request.find("SOAPAction") == request.end()) {
    ++counters_.bad_requests;
    return fault(400, "soapenv:Client", "BAD_REQUEST", "missing SOAPAction header", delay);
  }
  const AuthHeaders headers{sv(request["Timestamp"]), sv(request["ApiKey"]),
                            sv(request[http::field::authorization]), sv(request["X-Road-Client"])};
  if (auto auth =
          check_auth(config_.credentials, headers, config_.clock->now(), config_.clock_skew);
      !auth) {
    ++counters_.auth_failures;
    return fault(401, "soapenv:Client", "UNAUTHORIZED", auth.error().detail, delay);
  }
  auto parsed = parse_lookup_request(request.body());
  if (!parsed) {
    ++counters_.bad_requests;
    return fault(400, "soapenv:Client", "BAD_REQUEST", parsed.error().detail, delay);
  }

  if (draw(n, kTimeout) < k.timeout_rate) {
    ++counters_.injected_timeouts;
    SimReply hold;
    hold.hold = true;
    return hold;
  }
  if (draw(n, kError) < k.error_rate) {
    ++counters_.injected_errors;
    return fault(500, "soapenv:Server", "INJECTED_ERROR",
                 "simulated upstream failure (--error-rate)", delay);
  }

  ++counters_.lookups;
  std::optional<Citizen> citizen = config_.dataset->find(parsed->personal_id);
  if (citizen && !matches(*citizen, *parsed)) citizen.reset();
  ++(citizen ? counters_.found : counters_.not_found);

  const std::string collection =
      render_collection(*parsed, citizen ? &*citizen : nullptr, config_.clock->now());
  auto signed_collection =
      config_.signer->sign_element(collection, collection_id(parsed->request_id));
  auto signed_doc = signed_collection ? Result<std::string>(wrap_in_envelope(*signed_collection))
                                      : tl::unexpected(signed_collection.error());
  if (!signed_doc) {
    LT_LOG(error, "lienthong-sim (SIMULATOR): cannot sign the answer: {}",
           signed_doc.error().detail);
    return fault(500, "soapenv:Server", "INTERNAL", "the simulator could not sign its answer",
                 delay);
  }
  if (draw(n, kBadSignature) < k.bad_signature_rate && tamper_signed_response(*signed_doc))
    ++counters_.bad_signatures;

  SimReply r;
  r.status = 200;
  r.content_type = kXmlContentType;
  r.body = std::move(*signed_doc);
  r.delay = delay;
  return r;
}

// --- SimServer --------------------------------------------------------------------------------

struct SimServer::Impl {
  Impl(SimServerConfig c, std::shared_ptr<SimService> s)
      : config(std::move(c)), service(std::move(s)) {}

  net::awaitable<void> accept_loop();
  net::awaitable<void> session(tcp::socket socket);
  void stop();

  // Declared in this order so that the io_context, and with it every suspended connection,
  // goes before the TLS context and the service the connections use.
  SimServerConfig config;
  std::shared_ptr<SimService> service;
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
    SimService* service;
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
                                                     std::shared_ptr<SimService> service) {
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

}  // namespace lienthong::population::sim
