// One synchronous hiredis connection, shared under a mutex, with replies copied into plain
// values so no hiredis type leaks out. The outbox sends one script per call and each call is
// waited for (accept() must not return before Redis has the entry), so a pool would only let
// callers queue inside Redis instead of here.
//
// A dead Redis costs at most one connect timeout per `reconnect_interval` (on the Clock); calls
// in between fail fast with UPSTREAM_UNAVAILABLE.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/core/clock.h"
#include "gateway/core/error.h"

struct redisContext;

namespace lienthong::outbox {

struct RedisLinkConfig {
  std::string host = "127.0.0.1";
  int port = 6379;
  std::string unix_socket;  // when set, used instead of host and port
  std::string username;     // ACL user; empty = AUTH with the password only
  std::string password;     // empty = no AUTH
  int db = 0;
  std::chrono::milliseconds connect_timeout{500};
  // An fsync under appendfsync always can take tens of milliseconds on a busy disk.
  std::chrono::milliseconds command_timeout{2000};
  std::chrono::milliseconds reconnect_interval{500};
};

struct RedisValue {
  enum class Type { kNil, kString, kStatus, kInteger, kArray, kError };
  Type type = Type::kNil;
  std::string str;  // kString, kStatus, kError
  long long integer = 0;
  std::vector<RedisValue> elements;

  bool is_nil() const { return type == Type::kNil; }
};

class RedisLink {
 public:
  // Refuses an unusable config; never touches the network.
  static Result<std::unique_ptr<RedisLink>> create(RedisLinkConfig config, Clock::Ptr clock);
  ~RedisLink();
  RedisLink(const RedisLink&) = delete;
  RedisLink& operator=(const RedisLink&) = delete;

  // UPSTREAM_UNAVAILABLE when Redis cannot be reached, does not answer in time (the command may
  // or may not have run: callers must be idempotent), or answers an error.
  Result<RedisValue> command(const std::vector<std::string_view>& args);

 private:
  struct ContextDeleter {
    void operator()(redisContext* c) const;
  };
  using ContextPtr = std::unique_ptr<redisContext, ContextDeleter>;

  RedisLink(RedisLinkConfig config, Clock::Ptr clock);
  Result<void> ensure_connected();  // with mutex_ held

  const RedisLinkConfig config_;
  const Clock::Ptr clock_;
  std::mutex mutex_;
  ContextPtr context_;
  bool down_ = false;
  TimePoint next_attempt_{};
};

}  // namespace lienthong::outbox
