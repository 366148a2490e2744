// Accepts TCP connections for the HTTP front, each onto its own strand, and refuses those over
// max_connections by closing them at once (before any TLS work is spent on them).
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <cstdint>
#include <memory>

#include "gateway/core/error.h"

namespace lienthong::front::http {

struct FrontContext;

class Listener : public std::enable_shared_from_this<Listener> {
 public:
  // Binds and listens on the configured address and port.
  static Result<std::shared_ptr<Listener>> bind(std::shared_ptr<FrontContext> context);

  std::uint16_t port() const { return port_; }
  void start();
  void stop();  // from any thread: closes the acceptor

 private:
  explicit Listener(std::shared_ptr<FrontContext> context);
  void accept();
  void on_accept(const boost::system::error_code& ec, boost::asio::ip::tcp::socket socket);

  std::shared_ptr<FrontContext> context_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer retry_timer_;
  std::uint16_t port_ = 0;
};

}  // namespace lienthong::front::http
