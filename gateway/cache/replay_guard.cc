#include "gateway/cache/replay_guard.h"

#include "gateway/cache/redis_record_cache.h"
#include "gateway/core/encoding.h"

namespace lienthong::cache {
namespace {

std::string member_jti(std::string_view member, std::string_view jti) {
  std::string key;
  key.reserve(member.size() + 1 + jti.size());
  key.append(member).append(1, '\n').append(jti);
  return key;
}

tl::unexpected<Error> replayed() {
  return fail(ErrorCode::kReplayed, "this jti was already used by this member");
}

}  // namespace

MemoryReplayGuard::MemoryReplayGuard(Clock::Ptr clock, std::size_t capacity)
    : clock_(std::move(clock)), capacity_(capacity) {}

Result<void> MemoryReplayGuard::claim(std::string_view member, std::string_view jti,
                                      std::chrono::seconds remember_for) {
  const TimePoint now = clock_->now();
  std::string key = member_jti(member, jti);
  std::lock_guard lock(mutex_);
  auto it = until_.find(key);
  if (it != until_.end() && it->second > now) return replayed();
  if (it == until_.end() && until_.size() >= capacity_) {
    std::erase_if(until_, [now](const auto& entry) { return entry.second <= now; });
    if (until_.size() >= capacity_) {
      return fail(ErrorCode::kInternal, "replay guard full: cannot remember another jti");
    }
  }
  until_[std::move(key)] = now + remember_for;
  return {};
}

RedisReplayGuard::RedisReplayGuard(std::shared_ptr<RedisRecordCache> redis,
                                   std::string key_prefix)
    : redis_(std::move(redis)), key_prefix_(std::move(key_prefix)) {}

Result<void> RedisReplayGuard::claim(std::string_view member, std::string_view jti,
                                     std::chrono::seconds remember_for) {
  // Hashed: bounded key length whatever the jti, and no organ codes in KEYS output.
  const std::string key = key_prefix_ + sha256_hex(member_jti(member, jti));
  auto fresh = redis_->set_if_absent(key, remember_for);
  if (!fresh) {
    return fail(ErrorCode::kInternal, "replay check unavailable: " + fresh.error().detail);
  }
  if (!*fresh) return replayed();
  return {};
}

}  // namespace lienthong::cache
