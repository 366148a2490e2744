// What the HTTP front's listener and every connection share. Held by shared_ptr from each
// session, so the io_context outlives every socket, whatever order things end in.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <vector>

#include "gateway/core/clock.h"
#include "gateway/front/http/handler.h"
#include "gateway/front/http/http_counters.h"
#include "gateway/front/http/http_front.h"

namespace lienthong::front::http {

class Session;

// The open connections: how many (max_connections) and which (a graceful stop reaches each).
class Connections {
 public:
  // Registers a session; nullopt once stopping.
  std::optional<std::uint64_t> add(std::weak_ptr<Session> session);
  void remove(std::uint64_t id);
  std::size_t size() const;
  // Refuses further sessions and returns those still alive.
  std::vector<std::shared_ptr<Session>> stop_accepting();
  // Waits until every session has ended or `deadline`; returns how many remain.
  std::size_t wait_until_empty(std::chrono::steady_clock::time_point deadline);

 private:
  mutable std::mutex mutex_;
  std::condition_variable empty_;
  std::unordered_map<std::uint64_t, std::weak_ptr<Session>> sessions_;
  std::uint64_t next_id_ = 1;
  bool stopping_ = false;
};

struct FrontContext {
  FrontContext(HttpFrontConfig config_in, Handler::Ptr handler_in,
               std::shared_ptr<HttpCounters> counters_in, Clock::Ptr clock_in)
      : ioc(static_cast<int>(config_in.threads)),
        config(std::move(config_in)),
        handler(std::move(handler_in)),
        counters(std::move(counters_in)),
        clock(std::move(clock_in)) {}

  boost::asio::io_context ioc;  // first member: destroyed last
  boost::asio::ssl::context ssl{boost::asio::ssl::context::tls_server};
  const HttpFrontConfig config;
  const Handler::Ptr handler;  // the lookup Router, or the admin API's router
  const std::shared_ptr<HttpCounters> counters;
  const Clock::Ptr clock;
  Connections connections;
};

}  // namespace lienthong::front::http
