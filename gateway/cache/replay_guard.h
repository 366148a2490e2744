// Remembers the ids of signed requests (jti) so that a captured request cannot be sent again
// (DESIGN.md §3 "Signed JSON"). A jti is remembered per member for as long as its iat could
// still be accepted; after that the iat window refuses the request anyway.
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "gateway/core/clock.h"
#include "gateway/core/error.h"

namespace lienthong::cache {

class RedisRecordCache;

class ReplayGuard {
 public:
  using Ptr = std::shared_ptr<ReplayGuard>;
  virtual ~ReplayGuard() = default;
  // OK the first time `jti` is presented by `member` within `remember_for`; REPLAYED after.
  // When the store cannot answer, INTERNAL: a signed request is never let through unchecked.
  virtual Result<void> claim(std::string_view member, std::string_view jti,
                             std::chrono::seconds remember_for) = 0;
};

// In one process, for a gateway without Redis and for tests. Bounded: when `capacity` ids are
// remembered and none has expired, new ones are refused (INTERNAL) rather than forgetting one
// that could still be replayed.
class MemoryReplayGuard final : public ReplayGuard {
 public:
  explicit MemoryReplayGuard(Clock::Ptr clock, std::size_t capacity = 1'000'000);
  Result<void> claim(std::string_view member, std::string_view jti,
                     std::chrono::seconds remember_for) override;

 private:
  Clock::Ptr clock_;
  std::size_t capacity_;
  std::mutex mutex_;
  std::map<std::string, TimePoint, std::less<>> until_;  // member '\n' jti → forget after
};

// Shared by every gateway on the same Redis: SET <prefix><sha256(member, jti)> 1 NX EX.
class RedisReplayGuard final : public ReplayGuard {
 public:
  explicit RedisReplayGuard(std::shared_ptr<RedisRecordCache> redis,
                            std::string key_prefix = "lt:jti:");
  Result<void> claim(std::string_view member, std::string_view jti,
                     std::chrono::seconds remember_for) override;

 private:
  std::shared_ptr<RedisRecordCache> redis_;
  std::string key_prefix_;
};

}  // namespace lienthong::cache
