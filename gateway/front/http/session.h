// One TLS connection of the HTTP front: handshake, the member from the client certificate,
// then HTTP/1.1 requests with keep-alive and pipelining. Every handler runs on the
// connection's strand; pipeline answers arrive on any thread and are posted back to it.
// Pipelined requests are handled concurrently and answered in order.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>

#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>

#include "gateway/core/error.h"
#include "gateway/core/lookup.h"
#include "gateway/front/http/handler.h"
#include "gateway/front/http/http_types.h"

namespace lienthong::front::http {

struct FrontContext;

class Session : public std::enable_shared_from_this<Session> {
 public:
  // `socket` must use a strand of the context's io_context as its executor.
  Session(std::shared_ptr<FrontContext> context, boost::asio::ip::tcp::socket socket);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // `id` is the Connections registration, removed when the session ends.
  void start(std::uint64_t id);
  // Graceful stop, from any thread: no further requests are read; those already read are
  // answered (the last response says Connection: close), then the connection closes.
  void stop();

 private:
  // A request read and not yet answered, in request order.
  struct Slot {
    std::uint64_t seq = 0;
    std::string request_id;
    unsigned version = 11;
    bool keep_alive = true;
    std::optional<Response> response;
    std::unique_ptr<boost::asio::steady_timer> timer;  // request_timeout while the route works
  };
  enum class ReadPhase { kHandshake, kIdle, kBody };

  void on_handshake(const boost::system::error_code& ec);
  void read_next();
  void on_header(const boost::system::error_code& ec);
  void read_body();
  void on_body(const boost::system::error_code& ec);
  void on_read_failed(const boost::system::error_code& ec);
  void dispatch();
  Slot& push_slot(unsigned version, bool keep_alive, std::string request_id);
  Slot* find(std::uint64_t seq);
  void complete(std::uint64_t seq, Response response);
  void complete_deferred(std::uint64_t seq, const Handler::Deferred& make);
  void write_next();
  void on_write(const boost::system::error_code& ec, bool close_after);
  void on_stop();
  void finish_if_drained();
  void shutdown();
  void linger();
  void drain_input();
  void close();
  void arm_read_timer(ReadPhase phase);
  void on_read_timer(const boost::system::error_code& ec);
  void arm_write_timer(std::chrono::steady_clock::duration timeout);
  void on_write_timer(const boost::system::error_code& ec);

  std::shared_ptr<FrontContext> context_;  // first: outlives the stream and timers below
  std::uint64_t id_ = 0;
  // The connection's strand, copied once so that other threads can post to it without
  // touching the stream.
  const boost::asio::any_io_executor strand_;
  boost::asio::ssl::stream<boost::asio::ip::tcp::socket> stream_;
  boost::asio::steady_timer read_timer_;
  boost::asio::steady_timer write_timer_;
  boost::beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  Result<Member> member_;
  std::deque<Slot> queue_;
  std::uint64_t next_seq_ = 0;
  ReadPhase read_phase_ = ReadPhase::kHandshake;
  bool handshake_done_ = false;
  bool reading_ = false;      // a read (or the 100-continue write) is pending
  bool writing_ = false;      // a response write is pending
  bool read_closed_ = false;  // no further request will be read
  bool stopping_ = false;
  bool shutting_down_ = false;
  bool closed_ = false;
  // The client may still be sending what we refused (a body over the limit): close lingering.
  bool linger_on_close_ = false;
  std::size_t lingered_bytes_ = 0;
  std::unique_ptr<char[]> linger_buffer_;
};

}  // namespace lienthong::front::http
