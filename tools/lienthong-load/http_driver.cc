#include "tools/lienthong-load/http_driver.h"

#include <openssl/ssl.h>

#include <algorithm>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>
#include <vector>

#include "tools/lienthong-load/tls_session_cache.h"

namespace lienthong::load {

namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = boost::asio::ip::tcp;

std::string problem_code(std::string_view body) {
  const auto doc = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (doc.is_object()) {
    const auto it = doc.find("code");
    if (it != doc.end() && it->is_string()) return it->get<std::string>();
  }
  return "(none)";
}

namespace {

// Connections a worker opens at once while setting up: enough to be quick, few enough not to
// overflow the server's listen backlog.
constexpr size_t kParallelConnects = 128;

// A short word for what went wrong below HTTP, used as a counter key.
std::string failure_kind(const beast::error_code& ec) {
  if (ec == beast::error::timeout) return "timeout";
  if (ec == http::error::end_of_stream || ec == asio::error::eof ||
      ec == ssl::error::stream_truncated)
    return "closed";
  if (ec == asio::error::connection_reset || ec == asio::error::broken_pipe) return "reset";
  if (ec == asio::error::connection_refused) return "refused";
  if (ec.category() == asio::error::get_ssl_category()) return "tls";
  if (ec.category() == beast::error_code(http::error::bad_version).category()) return "http";
  return "io";
}

// Whether the gateway signed the answer: presence only, a verification would load the client.
bool has_answer_signature(const http::response<http::string_body>& response) {
  const beast::string_view name(kJwsSignatureHeader.data(), kJwsSignatureHeader.size());
  return response.find(name) != response.end();
}

// What all workers share; read-only during the run except for the atomics inside.
struct Shared {
  const Options& options;
  ssl::context& tls;
  TlsSessionCache& sessions;
  tcp::resolver::results_type endpoints;
  SubjectSource& subjects;
  SignedBodies* signed_bodies;  // --sign-key; null: plain JSON bodies built per request
  DocumentBodies* documents;    // --workload documents; null: lookups
  unsigned ok_status;           // 200 for a lookup, 202 for an accepted document
  bool check_answer_signature;
  RequestBudget budget;
  std::string host_header;
  bool send_sni;  // SNI carries a host name, never an IP address (RFC 6066)
  std::chrono::nanoseconds timeout;
  std::optional<Schedule> schedule;  // set once every connection is up
};

// One keep-alive connection, one request at a time. All of its handlers run on its worker's
// single thread, so it needs no locks.
class Connection {
 public:
  Connection(asio::io_context& io, Shared& shared, RunStats& stats)
      : io_(io), shared_(shared), stats_(stats), timer_(io) {
    request_.method(http::verb::post);
    request_.target(shared.documents ? "/v1/documents" : "/v1/lookup");
    request_.version(11);
    request_.set(http::field::host, shared.host_header);
    request_.set(http::field::user_agent, "lienthong-load");
    request_.set(http::field::content_type, shared.documents       ? "application/xml"
                                            : shared.signed_bodies ? "application/jose"
                                                                   : "application/json");
    request_.set(http::field::accept, "application/json");
    request_.keep_alive(true);
  }

  bool connected() const { return connected_; }

  // Opens TCP + TLS; `done(true)` once usable. Failures are counted by reason.
  void open(std::function<void(bool)> done) {
    stream_.emplace(io_, shared_.tls);
    buffer_.clear();  // bytes left over from the previous connection are not this one's
    SSL* ssl = stream_->native_handle();
    if (shared_.send_sni) SSL_set_tlsext_host_name(ssl, shared_.options.host.c_str());
    stream_->set_verify_callback(ssl::host_name_verification(shared_.options.host));
    if (!shared_.options.no_tls_resume) shared_.sessions.offer(ssl);
    auto& tcp_stream = beast::get_lowest_layer(*stream_);
    tcp_stream.expires_after(shared_.timeout);
    tcp_stream.async_connect(
        shared_.endpoints,
        [this, done = std::move(done)](beast::error_code ec, const tcp::endpoint&) mutable {
          if (ec) return opened(ec, std::move(done));
          // A request is one write, so Nagle should never hold it; set anyway, best effort.
          beast::error_code ignored;
          beast::get_lowest_layer(*stream_).socket().set_option(tcp::no_delay(true), ignored);
          stream_->async_handshake(ssl::stream_base::client,
                                   [this, done = std::move(done)](beast::error_code ec) mutable {
                                     opened(ec, std::move(done));
                                   });
        });
  }

  // Begins the closed or open loop as connection number `rank` of the schedule.
  void start(int rank) {
    rank_ = rank;
    next();
  }

 private:
  const Schedule& schedule() const { return *shared_.schedule; }

  void opened(beast::error_code ec, std::function<void(bool)> done) {
    if (ec) {
      const std::string kind = failure_kind(ec);
      ++stats_.connect_failures[kind];
      stats_.first_error.try_emplace("connect " + kind, ec.message());
      close();
      return done(false);
    }
    if (SSL_session_reused(stream_->native_handle())) ++stats_.tls_resumed;
    beast::get_lowest_layer(*stream_).expires_never();
    connected_ = true;
    done(true);
  }

  // Decides when the next request goes, or that this connection is done.
  void next() {
    const SteadyTime now = SteadyClock::now();
    if (!schedule().open_loop()) {
      if (schedule().past_end(now)) return close();
      return begin(now);
    }
    const SteadyTime intended = schedule().intended(rank_, sent_);
    if (schedule().past_end(intended)) return close();
    if (schedule().past_end(now)) {
      stats_.unsent += schedule().remaining_before_end(rank_, sent_);
      return close();
    }
    if (intended <= now) return begin(intended);  // behind schedule: the wait counts
    timer_.expires_at(intended);
    timer_.async_wait([this, intended](beast::error_code ec) {
      if (ec) return close();  // nobody cancels it: the event loop is going away
      begin(intended);
    });
  }

  // Sends one request whose latency counts from `origin` (intended or actual send time).
  void begin(SteadyTime origin) {
    measured_ = !schedule().in_warmup(origin);
    if (measured_ && !shared_.budget.take()) return close();
    if (shared_.signed_bodies) {
      // Each pre-signed body once: its jti would be REPLAYED the second time.
      const std::string* body = shared_.signed_bodies->take();
      if (!body) return close();
      request_.body() = *body;
    } else if (shared_.documents) {
      request_.body() = shared_.documents->next();  // a new DocumentId each time
    } else {
      request_.body() = lookup_json_body(shared_.subjects.next(), shared_.options.document_type,
                                         shared_.options.max_age_s);
    }
    ++sent_;
    if (measured_) ++stats_.sent;
    origin_ = origin;
    request_.prepare_payload();
    if (connected_) return write();
    // Reopen outside the old stream's completion handler, which may still be on the stack.
    ++stats_.reconnects;
    asio::post(io_, [this] {
      open([this](bool ok) {
        if (ok) return write();
        failed("connect");
      });
    });
  }

  void write() {
    beast::get_lowest_layer(*stream_).expires_after(shared_.timeout);  // covers the read too
    http::async_write(*stream_, request_, [this](beast::error_code ec, size_t) {
      if (ec) return failed(ec);
      parser_.emplace();
      http::async_read(*stream_, buffer_, *parser_,
                       [this](beast::error_code ec, size_t) { on_response(ec); });
    });
  }

  void on_response(beast::error_code ec) {
    if (ec) return failed(ec);
    const auto& response = parser_->get();
    if (measured_) {
      const SteadyTime now = SteadyClock::now();
      stats_.latency.record(now - origin_);
      stats_.last_completion = now;
      if (response.result_int() != shared_.ok_status) {
        ++stats_.refused;
        ++stats_.by_status[static_cast<int>(response.result_int())];
        ++stats_.by_code[problem_code(response.body())];
      } else if (shared_.check_answer_signature && !has_answer_signature(response)) {
        ++stats_.unsigned_answers;
      } else {
        ++stats_.ok;
      }
    }
    if (!response.keep_alive()) close();
    next();
  }

  void failed(beast::error_code ec) {
    stats_.first_error.try_emplace(failure_kind(ec), ec.message());
    failed(failure_kind(ec));
  }

  // A transport failure ends the request without an answer; the connection is reopened for
  // the next one.
  void failed(const std::string& kind) {
    if (measured_) {
      ++stats_.transport[kind];
      stats_.last_completion = SteadyClock::now();
    }
    close();
    next();
  }

  // Drops the connection without a TLS close_notify: a load generator need not be polite,
  // and waiting for the peer's reply would hold the run open.
  void close() {
    connected_ = false;
    if (stream_) {
      beast::error_code ignored;
      beast::get_lowest_layer(*stream_).socket().close(ignored);
    }
  }

  asio::io_context& io_;
  Shared& shared_;
  RunStats& stats_;
  std::optional<beast::ssl_stream<beast::tcp_stream>> stream_;
  asio::steady_timer timer_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> request_;
  std::optional<http::response_parser<http::string_body>> parser_;
  bool connected_ = false;
  int rank_ = 0;
  uint64_t sent_ = 0;  // requests this connection began, warm-up included
  bool measured_ = false;
  SteadyTime origin_{};
};

// One thread, its event loop, its connections and its counters.
class Worker {
 public:
  Worker(Shared& shared, size_t connections) : io_(1) {
    for (size_t i = 0; i < connections; ++i) {
      connections_.push_back(std::make_unique<Connection>(io_, shared, stats_));
    }
  }

  // Opens every connection, kParallelConnects at a time; returns when all have been tried.
  void open_all() {
    for (size_t i = 0; i < kParallelConnects; ++i) open_next();
    io_.run();
    io_.restart();
  }

  // Gives every open connection a rank, starting at `first_rank`; returns the next free rank.
  int assign_ranks(int first_rank) {
    for (auto& c : connections_) {
      if (c->connected()) ranks_.emplace_back(c.get(), first_rank++);
    }
    stats_.connections_open = ranks_.size();
    return first_rank;
  }

  void run() {
    for (auto& [connection, rank] : ranks_) {
      asio::post(io_, [connection = connection, rank = rank] { connection->start(rank); });
    }
    io_.run();
  }

  RunStats& stats() { return stats_; }

 private:
  void open_next() {
    if (next_to_open_ >= connections_.size()) return;
    Connection& c = *connections_[next_to_open_++];
    c.open([this](bool) { open_next(); });
  }

  asio::io_context io_;
  RunStats stats_;
  std::vector<std::unique_ptr<Connection>> connections_;
  std::vector<std::pair<Connection*, int>> ranks_;
  size_t next_to_open_ = 0;
};

// Runs `fn(worker)` on one thread per worker and waits for all of them.
void on_each_thread(std::vector<std::unique_ptr<Worker>>& workers,
                    const std::function<void(Worker&)>& fn) {
  std::vector<std::thread> threads;
  for (auto& w : workers) threads.emplace_back([&fn, &w] { fn(*w); });
  for (auto& t : threads) t.join();
}

Result<void> configure_tls(ssl::context& tls, const Options& options) {
  beast::error_code ec;
  SSL_CTX_set_min_proto_version(tls.native_handle(), TLS1_2_VERSION);
  tls.set_verify_mode(ssl::verify_peer, ec);
  if (!ec) tls.load_verify_file(options.ca, ec);
  if (ec) return fail(ErrorCode::kBadRequest, "--ca " + options.ca + ": " + ec.message());
  tls.use_certificate_chain_file(options.cert, ec);
  if (ec) return fail(ErrorCode::kBadRequest, "--cert " + options.cert + ": " + ec.message());
  tls.use_private_key_file(options.key, ssl::context::pem, ec);
  if (ec) return fail(ErrorCode::kBadRequest, "--key " + options.key + ": " + ec.message());
  return {};
}

}  // namespace

Result<RunStats> run_http_load(const Options& options, SubjectSource& subjects,
                               SignedBodies* signed_bodies, DocumentBodies* documents) {
  ssl::context tls(ssl::context::tls_client);
  if (auto ok = configure_tls(tls, options); !ok) return tl::unexpected(ok.error());
  TlsSessionCache sessions(tls.native_handle());

  asio::io_context resolver_io;
  tcp::resolver resolver(resolver_io);
  beast::error_code ec;
  auto endpoints = resolver.resolve(options.host, std::to_string(options.port), ec);
  if (ec) return fail(ErrorCode::kBadRequest, "--host " + options.host + ": " + ec.message());

  beast::error_code not_ip;
  asio::ip::make_address(options.host, not_ip);
  Shared shared{.options = options,
                .tls = tls,
                .sessions = sessions,
                .endpoints = std::move(endpoints),
                .subjects = subjects,
                .signed_bodies = signed_bodies,
                .documents = documents,
                .ok_status = documents ? 202U : 200U,
                .check_answer_signature = options.check_answer_signature.value_or(false),
                .budget = RequestBudget(options.requests),
                .host_header = options.host + ":" + std::to_string(options.port),
                .send_sni = static_cast<bool>(not_ip),
                .timeout = std::chrono::duration_cast<std::chrono::nanoseconds>(
                    std::chrono::duration<double>(options.timeout_s)),
                .schedule = std::nullopt};

  const size_t threads = static_cast<size_t>(std::max(1, options.threads));
  const size_t total = static_cast<size_t>(options.connections);
  std::vector<std::unique_ptr<Worker>> workers;
  for (size_t i = 0; i < threads; ++i) {
    workers.push_back(std::make_unique<Worker>(shared, total / threads + (i < total % threads)));
  }
  on_each_thread(workers, [](Worker& w) { w.open_all(); });

  int open = 0;
  for (auto& w : workers) open = w->assign_ranks(open);
  if (open > 0) {
    shared.schedule.emplace(options, open, SteadyClock::now());
    on_each_thread(workers, [](Worker& w) { w.run(); });
  }

  RunStats total_stats;
  for (auto& w : workers) total_stats.merge(w->stats());
  if (shared.schedule) total_stats.measure_start = shared.schedule->measure_start();
  return total_stats;
}

}  // namespace lienthong::load
