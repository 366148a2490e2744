#include "gateway/front/http/session.h"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include <algorithm>
#include <ctime>

#include "gateway/core/log.h"
#include "gateway/core/request_id.h"
#include "gateway/front/http/document_routes.h"
#include "gateway/front/http/front_context.h"
#include "gateway/front/http/problem.h"
#include "gateway/front/tls/server_tls.h"

namespace lienthong::front::http {

namespace {

namespace asio = boost::asio;
using boost::system::error_code;

// Requests read ahead of their answers on one connection; more wait in the socket, which
// bounds what one client can make the gateway hold.
constexpr std::size_t kMaxPipelined = 16;
// How long a peer gets to answer our TLS close_notify.
constexpr auto kShutdownTimeout = std::chrono::seconds(2);
// After refusing a request whose body is still arriving: how long, and how much, we keep
// reading and dropping before the close.
constexpr auto kLingerTimeout = std::chrono::seconds(2);
constexpr std::size_t kLingerBytes = 1 << 20;
constexpr std::size_t kLingerChunk = 16 << 10;
constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";

// RFC 9110 IMF-fixdate, without the locale that strftime's %a and %b would consult.
std::string http_date(TimePoint at) {
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const std::time_t t = std::chrono::system_clock::to_time_t(at);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d GMT", kDays[tm.tm_wday % 7],
                tm.tm_mday, kMonths[tm.tm_mon % 12], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
                tm.tm_sec);
  return buf;
}

bool is_http_parse_error(const error_code& ec) {
  return ec.category() == bhttp::make_error_code(bhttp::error::bad_method).category() &&
         ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message;
}

// The largest body any route takes: what the parser allows while it reads a header, before the
// route is known.
std::size_t largest_body_limit(const HttpFrontConfig& config) {
  return config.documents ? std::max(config.max_body_bytes, config.max_document_bytes)
                          : config.max_body_bytes;
}

// The body limit of the request whose header (at least its request line) has been read.
std::size_t body_limit_for(const Request& header, const HttpFrontConfig& config) {
  return config.documents && is_document_send(header) ? config.max_document_bytes
                                                      : config.max_body_bytes;
}

bool is_xml(std::string_view content_type) {
  return content_type.size() >= 15 &&
         boost::beast::iequals(to_beast(content_type.substr(0, 15)), "application/xml");
}

}  // namespace

Session::Session(std::shared_ptr<FrontContext> context, asio::ip::tcp::socket socket)
    : context_(std::move(context)),
      strand_(socket.get_executor()),
      stream_(std::move(socket), context_->ssl),
      read_timer_(strand_),
      write_timer_(strand_),
      member_(fail(ErrorCode::kCertUntrusted, "no TLS handshake yet")) {
  context_->counters->connection_accepted();
}

Session::~Session() {
  context_->counters->connection_closed();
  if (id_ != 0) context_->connections.remove(id_);
}

void Session::start(std::uint64_t id) {
  id_ = id;
  asio::dispatch(strand_, [self = shared_from_this()] {
    self->arm_read_timer(ReadPhase::kHandshake);
    self->stream_.async_handshake(asio::ssl::stream_base::server,
                                  [self](const error_code& ec) { self->on_handshake(ec); });
  });
}

void Session::stop() {
  asio::post(strand_, [self = shared_from_this()] { self->on_stop(); });
}

void Session::on_handshake(const error_code& ec) {
  read_timer_.cancel();
  if (closed_) return;
  if (ec) {
    // Strangers, clients without a certificate, port scanners: expected, so not a warning.
    context_->counters->handshake_failed();
    LT_LOG(debug, "TLS handshake refused: {}", ec.message());
    close();
    return;
  }
  handshake_done_ = true;
  member_ = member_from_peer(stream_.native_handle());
  if (!member_) LT_LOG(info, "TLS client names no member: {}", member_.error().detail);
  if (stopping_) {
    shutdown();
    return;
  }
  read_next();
}

void Session::read_next() {
  if (reading_ || read_closed_ || closed_ || stopping_ || queue_.size() >= kMaxPipelined) return;
  const HttpFrontConfig& config = context_->config;
  parser_.emplace();
  parser_->header_limit(static_cast<std::uint32_t>(config.max_header_bytes));
  parser_->body_limit(largest_body_limit(config));
  reading_ = true;
  arm_read_timer(ReadPhase::kIdle);
  bhttp::async_read_header(
      stream_, buffer_, *parser_,
      [self = shared_from_this()](const error_code& ec, std::size_t) { self->on_header(ec); });
}

void Session::on_header(const error_code& ec) {
  reading_ = false;
  read_timer_.cancel();
  if (closed_) return;
  if (ec) return on_read_failed(ec);
  if (stopping_) {  // begun after the stop: left unanswered, the client retries elsewhere
    read_closed_ = true;
    finish_if_drained();
    return;
  }
  // Each route has its body limit (POST /v1/documents a larger one): a Content-Length over it
  // is refused before any of the body is read, a chunked body as soon as it passes it.
  const std::size_t limit = body_limit_for(parser_->get(), context_->config);
  if (const auto length = parser_->content_length(); length && *length > limit)
    return on_read_failed(bhttp::error::body_limit);
  parser_->body_limit(limit);
  if (parser_->is_done()) return dispatch();
  // curl and others wait for "100 Continue" before sending a body. Only sent when nothing else
  // is queued, or it would overtake earlier responses; otherwise the client's own timeout
  // sends the body anyway.
  if (boost::beast::iequals(parser_->get()[bhttp::field::expect], "100-continue") &&
      queue_.empty() && !writing_) {
    writing_ = true;
    arm_write_timer(context_->config.request_timeout);
    asio::async_write(stream_, asio::buffer(kContinue.data(), kContinue.size()),
                      [self = shared_from_this()](const error_code& wec, std::size_t) {
                        self->writing_ = false;
                        self->write_timer_.cancel();
                        if (self->closed_) return;
                        if (wec) return self->close();
                        self->read_body();
                      });
    return;
  }
  read_body();
}

void Session::read_body() {
  reading_ = true;
  arm_read_timer(ReadPhase::kBody);
  bhttp::async_read(
      stream_, buffer_, *parser_,
      [self = shared_from_this()](const error_code& ec, std::size_t) { self->on_body(ec); });
}

void Session::on_body(const error_code& ec) {
  reading_ = false;
  read_timer_.cancel();
  if (closed_) return;
  if (ec) return on_read_failed(ec);
  dispatch();
}

void Session::on_read_failed(const error_code& ec) {
  read_closed_ = true;
  if (!is_http_parse_error(ec)) {
    // The peer closed (or reset) its side: answer what was read, then close.
    finish_if_drained();
    return;
  }
  const HttpFrontConfig& config = context_->config;
  Error error{ErrorCode::kBadRequest, ""};
  int status = 400;
  if (ec == bhttp::error::header_limit) {
    status = 431;
    error.detail =
        "request header larger than " + std::to_string(config.max_header_bytes) + " bytes";
  } else if (ec == bhttp::error::body_limit) {
    status = 413;
    if (is_xml(to_std(parser_->get()[bhttp::field::content_type])))
      error.code = ErrorCode::kXmlLimitExceeded;
    error.detail = "request body larger than " +
                   std::to_string(body_limit_for(parser_->get(), config)) + " bytes";
  } else {
    error.detail = "malformed HTTP request: " + ec.message();
  }
  // The rest of the stream cannot be trusted to frame requests: answer, then close.
  linger_on_close_ = true;
  std::string request_id = new_request_id();
  const std::uint64_t seq = push_slot(11, false, request_id).seq;
  complete(seq, problem_response(error, request_id, status));
}

void Session::dispatch() {
  Request request = parser_->release();
  parser_.reset();
  const bool keep_alive = request.keep_alive();
  if (!keep_alive) read_closed_ = true;
  std::string request_id = new_request_id();
  log::set_request_id(request_id);
  const std::uint64_t seq = push_slot(request.version(), keep_alive, request_id).seq;

  // The route may answer from any thread; only a weak reference travels with the lookup, so
  // a connection that has gone away is not kept alive by a slow pipeline.
  const Handler::Respond respond = [weak = weak_from_this(), seq](Handler::Deferred make) {
    auto self = weak.lock();
    if (!self) return;
    asio::post(self->strand_,
               [self, seq, make = std::move(make)] { self->complete_deferred(seq, make); });
  };
  auto now = context_->handler->handle(request, request_id, member_, respond);
  if (now) {
    complete(seq, std::move(*now));
  } else if (Slot* slot = find(seq); slot != nullptr && !slot->response) {
    slot->timer = std::make_unique<asio::steady_timer>(strand_, context_->config.request_timeout);
    slot->timer->async_wait([self = shared_from_this(), seq](const error_code& ec) {
      if (ec) return;
      const Slot* waiting = self->find(seq);
      if (waiting == nullptr || waiting->response) return;
      log::set_request_id(waiting->request_id);
      LT_LOG(warn, "no answer from the pipeline within {} ms",
             self->context_->config.request_timeout.count());
      self->complete(seq, problem_response(Error{ErrorCode::kUpstreamTimeout,
                                                 "no answer within the request timeout"},
                                           waiting->request_id));
      log::set_request_id("");
    });
  }
  log::set_request_id("");
  read_next();
}

Session::Slot& Session::push_slot(unsigned version, bool keep_alive, std::string request_id) {
  Slot& slot = queue_.emplace_back();
  slot.seq = ++next_seq_;
  slot.version = version;
  slot.keep_alive = keep_alive;
  slot.request_id = std::move(request_id);
  return slot;
}

Session::Slot* Session::find(std::uint64_t seq) {
  for (Slot& slot : queue_)
    if (slot.seq == seq) return &slot;
  return nullptr;
}

void Session::complete_deferred(std::uint64_t seq, const Handler::Deferred& make) {
  const Slot* slot = find(seq);
  if (slot == nullptr || slot->response || closed_) return;  // answered by the timeout
  log::set_request_id(slot->request_id);
  complete(seq, make());
  log::set_request_id("");
}

void Session::complete(std::uint64_t seq, Response response) {
  Slot* slot = find(seq);
  if (slot == nullptr || slot->response || closed_) return;
  if (slot->timer) slot->timer->cancel();
  response.version(slot->version);
  response.set("X-Request-Id", slot->request_id);
  response.set(bhttp::field::date, http_date(context_->clock->now()));
  response.prepare_payload();
  context_->counters->response(response.result_int());
  slot->response = std::move(response);
  write_next();
}

void Session::write_next() {
  if (writing_ || closed_ || shutting_down_ || queue_.empty() || !queue_.front().response) return;
  Slot& front = queue_.front();
  // The last answer before the connection closes says so (RFC 9112 §9.6).
  const bool more_requests_coming = reading_ && read_phase_ == ReadPhase::kBody;
  const bool close_after =
      !front.keep_alive || (read_closed_ && queue_.size() == 1 && !more_requests_coming);
  front.response->keep_alive(!close_after);
  writing_ = true;
  arm_write_timer(context_->config.request_timeout);
  bhttp::async_write(stream_, *front.response,
                     [self = shared_from_this(), close_after](const error_code& ec, std::size_t) {
                       self->on_write(ec, close_after);
                     });
}

void Session::on_write(const error_code& ec, bool close_after) {
  writing_ = false;
  write_timer_.cancel();
  if (closed_) return;
  if (ec) {
    LT_LOG(debug, "response not delivered: {}", ec.message());
    close();
    return;
  }
  queue_.pop_front();
  if (close_after) {
    read_closed_ = true;
    if (linger_on_close_)
      linger();
    else
      shutdown();
    return;
  }
  write_next();
  read_next();
  finish_if_drained();
}

void Session::on_stop() {
  if (closed_) return;
  stopping_ = true;
  if (!handshake_done_) {
    close();
    return;
  }
  read_closed_ = true;
  finish_if_drained();
}

void Session::finish_if_drained() {
  const bool body_in_progress = reading_ && read_phase_ == ReadPhase::kBody;
  if (read_closed_ && queue_.empty() && !writing_ && !body_in_progress) shutdown();
}

void Session::shutdown() {
  if (closed_ || shutting_down_) return;
  shutting_down_ = true;
  read_closed_ = true;
  // A TLS shutdown reads the peer's close_notify; with a read already pending on the stream
  // that would be two reads at once. Such a connection is idle: just close it.
  if (reading_) {
    close();
    return;
  }
  arm_write_timer(kShutdownTimeout);
  stream_.async_shutdown([self = shared_from_this()](const error_code&) { self->close(); });
}

// Closing a socket with unread input makes the kernel answer with a reset, which can destroy
// our response in the client's receive buffer before the client has read it: the client is
// typically still sending the body we refused. So: end our side (FIN after the response), then
// read and drop what still arrives until the client closes, or for a bounded time and size.
// TLS is abandoned here; the response has already been written in full.
void Session::linger() {
  if (closed_ || shutting_down_) return;
  shutting_down_ = true;
  error_code ignored;
  stream_.lowest_layer().shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
  linger_buffer_ = std::make_unique<char[]>(kLingerChunk);
  arm_write_timer(kLingerTimeout);
  drain_input();
}

void Session::drain_input() {
  stream_.next_layer().async_read_some(
      asio::buffer(linger_buffer_.get(), kLingerChunk),
      [self = shared_from_this()](const error_code& ec, std::size_t n) {
        if (self->closed_) return;
        self->lingered_bytes_ += n;
        if (ec || self->lingered_bytes_ >= kLingerBytes) return self->close();
        self->drain_input();
      });
}

void Session::close() {
  if (closed_) return;
  closed_ = true;
  error_code ignored;
  stream_.lowest_layer().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  stream_.lowest_layer().close(ignored);
  read_timer_.cancel();
  write_timer_.cancel();
  for (Slot& slot : queue_)
    if (slot.timer) slot.timer->cancel();
}

void Session::arm_read_timer(ReadPhase phase) {
  read_phase_ = phase;
  const HttpFrontConfig& config = context_->config;
  read_timer_.expires_after(phase == ReadPhase::kIdle ? config.idle_timeout
                                                      : config.request_timeout);
  read_timer_.async_wait(
      [self = shared_from_this()](const error_code& ec) { self->on_read_timer(ec); });
}

void Session::on_read_timer(const error_code& ec) {
  if (ec || closed_) return;
  // Fired just as its read completed (the handler was already queued), or re-armed since.
  const bool waiting = reading_ || (read_phase_ == ReadPhase::kHandshake && !handshake_done_);
  if (!waiting || read_timer_.expiry() > std::chrono::steady_clock::now()) return;
  if (read_phase_ == ReadPhase::kIdle && (!queue_.empty() || writing_)) {
    arm_read_timer(ReadPhase::kIdle);  // not idle: the client is waiting for our answers
    return;
  }
  LT_LOG(debug, "connection closed: {} timeout",
         read_phase_ == ReadPhase::kIdle ? "idle" : "request");
  close();
}

void Session::arm_write_timer(std::chrono::steady_clock::duration timeout) {
  write_timer_.expires_after(timeout);
  write_timer_.async_wait(
      [self = shared_from_this()](const error_code& ec) { self->on_write_timer(ec); });
}

void Session::on_write_timer(const error_code& ec) {
  if (ec || closed_) return;
  if (!(writing_ || shutting_down_) || write_timer_.expiry() > std::chrono::steady_clock::now())
    return;
  LT_LOG(debug, "connection closed: the client does not read");
  close();
}

}  // namespace lienthong::front::http
