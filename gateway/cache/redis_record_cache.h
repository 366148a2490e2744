// RecordCache on Redis (hiredis, synchronous) with a small pool of connections.
//
// - Keys: `key_prefix` + hex(HMAC-SHA256(naming key, record code)). The record code is
//   "<personal ID>.<document type>", which is personal data; Redis, its persistence files, its
//   replicas and anyone running KEYS or MONITOR would otherwise see whose records were looked up.
//   The keyed hash is stable (one key per code, so get/put/invalidate agree across gateways that
//   share the sealing key) and cannot be reversed or brute-forced over the small space of
//   personal IDs without the key.
// - Values: the record (record_codec.h) sealed with AES-256-GCM (sealing_key.h), the Redis key as
//   associated data. A value that does not open or parse is a miss, and is deleted.
// - Failure: a dead Redis costs at most one connect timeout per `reconnect_interval` (measured on
//   the Clock); calls in between fail fast with UPSTREAM_UNAVAILABLE and healthy() is false.
// Thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/cache/record_cache.h"
#include "gateway/cache/sealing_key.h"
#include "gateway/core/clock.h"

struct redisContext;

namespace lienthong::cache {

struct RedisConfig {
  // Prefer an address: a name is resolved on every connect, outside the connect timeout.
  std::string host = "127.0.0.1";
  int port = 6379;
  std::string unix_socket;  // when set, used instead of host and port
  std::string username;     // ACL user (Redis 6+); empty = AUTH with the password only
  std::string password;     // empty = no AUTH
  int db = 0;
  std::size_t pool_size = 8;
  std::chrono::milliseconds connect_timeout{200};
  std::chrono::milliseconds command_timeout{100};
  std::chrono::milliseconds reconnect_interval{1000};
  std::string key_prefix = "lt:rec:";
};

class RedisRecordCache final : public RecordCache {
 public:
  // Connects lazily: creating never touches the network. Refuses an unusable config.
  // Also makes the process ignore SIGPIPE if it did not already (hiredis writes with write(2):
  // a Redis that closes the socket would otherwise kill the gateway).
  static Result<std::shared_ptr<RedisRecordCache>> create(RedisConfig config,
                                                          std::shared_ptr<const SealingKey> key,
                                                          Clock::Ptr clock);
  ~RedisRecordCache() override;

  Result<std::optional<VerifiedRecord>> get(const std::string& code) override;
  // A ttl of zero or less stores nothing (the document type is not cached).
  Result<void> put(const VerifiedRecord& record, std::chrono::seconds ttl) override;
  Result<void> invalidate(const std::string& code) override;
  // DEL of the code's key: true when Redis had it.
  Result<bool> remove(const std::string& code) override;
  bool healthy() const override { return healthy_.load(std::memory_order_relaxed); }

  // SET key 1 NX EX ttl through the same pool: true when the key was new (the replay guard).
  Result<bool> set_if_absent(std::string_view key, std::chrono::seconds ttl);

  // The Redis key for a record code (for tests and the admin tooling).
  std::string redis_key(const std::string& code) const;

 private:
  struct ContextDeleter {
    void operator()(redisContext* c) const;
  };
  using ContextPtr = std::unique_ptr<redisContext, ContextDeleter>;
  struct Connection {
    ContextPtr context;
    std::uint64_t generation = 0;
  };
  struct Reply;

  RedisRecordCache(RedisConfig config, std::shared_ptr<const SealingKey> key, Clock::Ptr clock);

  Result<Connection> acquire();
  void release(Connection connection, bool reusable);
  Result<ContextPtr> connect() const;
  // Runs one command; UPSTREAM_UNAVAILABLE when Redis cannot be reached or answers an error.
  Result<Reply> command(const std::vector<std::string_view>& args);
  void mark_down(const std::string& reason);
  void mark_up();

  const RedisConfig config_;
  const std::shared_ptr<const SealingKey> key_;
  const Clock::Ptr clock_;

  std::mutex mutex_;
  std::condition_variable available_;
  std::vector<Connection> idle_;
  std::size_t open_ = 0;          // idle + lent + being connected
  std::uint64_t generation_ = 0;  // bumped on failure: older connections are not reused
  bool down_ = false;
  TimePoint next_attempt_{};  // while down: no connect attempt before this
  std::atomic<bool> healthy_{true};
};

}  // namespace lienthong::cache
