#include "gateway/cache/redis_record_cache.h"

#include <hiredis/hiredis.h>
#include <sys/time.h>

#include <algorithm>
#include <string_view>

#include "gateway/cache/ignore_sigpipe.h"
#include "gateway/cache/record_codec.h"
#include "gateway/core/log.h"

namespace lienthong::cache {

namespace {

constexpr std::string_view kUnavailable = "record cache unavailable: ";

timeval to_timeval(std::chrono::milliseconds ms) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(ms.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((ms.count() % 1000) * 1000);
  return tv;
}

tl::unexpected<Error> unavailable(std::string_view why) {
  return fail(ErrorCode::kUpstreamUnavailable, std::string(kUnavailable) + std::string(why));
}

// A Redis error reply, shortened: error replies name the failing condition (WRONGTYPE, OOM,
// NOAUTH, …), never our key or value, but keep the log line bounded anyway.
std::string reply_error(const redisReply* reply) {
  std::string text(reply->str != nullptr ? std::string_view(reply->str, reply->len) : "");
  if (text.size() > 120) text.resize(120);
  return "Redis answered an error: " + text;
}

}  // namespace

struct RedisRecordCache::Reply {
  struct Deleter {
    void operator()(redisReply* r) const { freeReplyObject(r); }
  };
  std::unique_ptr<redisReply, Deleter> reply;
};

void RedisRecordCache::ContextDeleter::operator()(redisContext* c) const { redisFree(c); }

Result<std::shared_ptr<RedisRecordCache>> RedisRecordCache::create(
    RedisConfig config, std::shared_ptr<const SealingKey> key, Clock::Ptr clock) {
  if (!key) return fail(ErrorCode::kInternal, "record cache: no sealing key");
  if (!clock) return fail(ErrorCode::kInternal, "record cache: no clock");
  if (config.unix_socket.empty() &&
      (config.host.empty() || config.port <= 0 || config.port > 65535))
    return fail(ErrorCode::kInternal, "record cache: Redis host and port (1-65535) required");
  if (config.pool_size == 0)
    return fail(ErrorCode::kInternal, "record cache: pool_size must be > 0");
  if (config.db < 0) return fail(ErrorCode::kInternal, "record cache: db must be >= 0");
  if (config.connect_timeout.count() <= 0 || config.command_timeout.count() <= 0)
    return fail(ErrorCode::kInternal, "record cache: timeouts must be positive");
  if (config.reconnect_interval.count() < 0)
    return fail(ErrorCode::kInternal, "record cache: reconnect_interval must be >= 0");
  ignore_sigpipe_once();
  return std::shared_ptr<RedisRecordCache>(
      new RedisRecordCache(std::move(config), std::move(key), std::move(clock)));
}

RedisRecordCache::RedisRecordCache(RedisConfig config, std::shared_ptr<const SealingKey> key,
                                   Clock::Ptr clock)
    : config_(std::move(config)), key_(std::move(key)), clock_(std::move(clock)) {}

RedisRecordCache::~RedisRecordCache() = default;

std::string RedisRecordCache::redis_key(const std::string& code) const {
  return config_.key_prefix + key_->keyed_name(code);
}

Result<RedisRecordCache::ContextPtr> RedisRecordCache::connect() const {
  const timeval connect_tv = to_timeval(config_.connect_timeout);
  ContextPtr c(config_.unix_socket.empty()
                   ? redisConnectWithTimeout(config_.host.c_str(), config_.port, connect_tv)
                   : redisConnectUnixWithTimeout(config_.unix_socket.c_str(), connect_tv));
  if (!c) return unavailable("cannot allocate a connection");
  if (c->err != 0) return unavailable(std::string("connect: ") + c->errstr);
  if (redisSetTimeout(c.get(), to_timeval(config_.command_timeout)) != REDIS_OK)
    return unavailable(std::string("set timeout: ") + c->errstr);

  auto setup = [&c](std::vector<std::string> args) -> Result<void> {
    std::vector<const char*> argv;
    std::vector<size_t> lens;
    for (const auto& a : args) {
      argv.push_back(a.data());
      lens.push_back(a.size());
    }
    Reply r{std::unique_ptr<redisReply, Reply::Deleter>(static_cast<redisReply*>(
        redisCommandArgv(c.get(), static_cast<int>(argv.size()), argv.data(), lens.data())))};
    if (!r.reply) return unavailable(std::string(args[0]) + ": " + c->errstr);
    if (r.reply->type == REDIS_REPLY_ERROR)
      return unavailable(args[0] + ": " + reply_error(r.reply.get()));
    return {};
  };
  if (!config_.password.empty()) {
    auto auth = config_.username.empty() ? setup({"AUTH", config_.password})
                                         : setup({"AUTH", config_.username, config_.password});
    if (!auth) return tl::unexpected(auth.error());
  }
  if (config_.db != 0) {
    auto select = setup({"SELECT", std::to_string(config_.db)});
    if (!select) return tl::unexpected(select.error());
  }
  return c;
}

Result<RedisRecordCache::Connection> RedisRecordCache::acquire() {
  std::unique_lock lock(mutex_);
  // Waiting for a lent connection is bounded by what one command may take.
  const auto give_up =
      std::chrono::steady_clock::now() + config_.connect_timeout + config_.command_timeout;
  for (;;) {
    if (!idle_.empty()) {
      Connection c = std::move(idle_.back());
      idle_.pop_back();
      return c;
    }
    if (down_) {
      const TimePoint now = clock_->now();
      if (now < next_attempt_) return unavailable("Redis unreachable, next attempt pending");
      // This caller makes the one attempt of this interval; the others keep failing fast.
      next_attempt_ = now + config_.reconnect_interval;
      break;
    }
    if (open_ < config_.pool_size) break;
    if (available_.wait_until(lock, give_up) == std::cv_status::timeout && idle_.empty())
      return unavailable("all " + std::to_string(config_.pool_size) + " connections busy");
  }
  ++open_;
  const std::uint64_t generation = generation_;
  lock.unlock();

  auto context = connect();
  if (!context) {
    {
      std::lock_guard relock(mutex_);
      --open_;
    }
    available_.notify_one();
    std::string_view reason = context.error().detail;
    if (reason.starts_with(kUnavailable)) reason.remove_prefix(kUnavailable.size());
    mark_down(std::string(reason));
    return tl::unexpected(context.error());
  }
  return Connection{std::move(*context), generation};
}

void RedisRecordCache::release(Connection connection, bool reusable) {
  {
    std::lock_guard lock(mutex_);
    if (reusable && connection.generation == generation_ && connection.context->err == 0) {
      idle_.push_back(std::move(connection));
    } else {
      --open_;
    }
  }
  available_.notify_one();
  // A connection not kept is closed here, outside the lock.
}

void RedisRecordCache::mark_down(const std::string& reason) {
  std::vector<Connection> closing;
  bool was_up = false;
  {
    std::lock_guard lock(mutex_);
    was_up = !down_;
    down_ = true;
    next_attempt_ = clock_->now() + config_.reconnect_interval;
    // Every idle connection went to the same dead server: drop them all now rather than let
    // each caller discover it in turn; connections lent out are dropped when they come back.
    ++generation_;
    open_ -= idle_.size();
    closing.swap(idle_);
  }
  healthy_.store(false, std::memory_order_relaxed);
  available_.notify_all();
  if (was_up)
    LT_LOG(warn, "record cache: Redis unreachable ({}); retrying at most every {} ms", reason,
           config_.reconnect_interval.count());
}

void RedisRecordCache::mark_up() {
  bool was_down = false;
  {
    std::lock_guard lock(mutex_);
    was_down = down_;
    down_ = false;
  }
  healthy_.store(true, std::memory_order_relaxed);
  if (was_down) LT_LOG(info, "record cache: Redis reachable again");
}

Result<RedisRecordCache::Reply> RedisRecordCache::command(
    const std::vector<std::string_view>& args) {
  auto connection = acquire();
  if (!connection) return tl::unexpected(connection.error());
  std::vector<const char*> argv;
  std::vector<size_t> lens;
  argv.reserve(args.size());
  lens.reserve(args.size());
  for (auto a : args) {
    argv.push_back(a.data());
    lens.push_back(a.size());
  }
  redisContext* c = connection->context.get();
  Reply r{std::unique_ptr<redisReply, Reply::Deleter>(static_cast<redisReply*>(
      redisCommandArgv(c, static_cast<int>(argv.size()), argv.data(), lens.data())))};
  if (!r.reply) {
    // The context is unusable after an I/O error or a timeout (the reply may still arrive).
    const std::string reason = c->errstr[0] != '\0' ? c->errstr : "no reply";
    release(std::move(*connection), false);
    mark_down(reason);
    return unavailable(reason);
  }
  release(std::move(*connection), true);
  if (r.reply->type == REDIS_REPLY_ERROR) {
    // Redis is reachable but refuses (OOM, MISCONF, NOAUTH…): the cache is not working either.
    healthy_.store(false, std::memory_order_relaxed);
    return unavailable(reply_error(r.reply.get()));
  }
  mark_up();
  return r;
}

Result<bool> RedisRecordCache::set_if_absent(std::string_view key, std::chrono::seconds ttl) {
  const std::string seconds = std::to_string(std::max<std::int64_t>(1, ttl.count()));
  auto reply = command({"SET", key, "1", "NX", "EX", seconds});
  if (!reply) return tl::unexpected(reply.error());
  // "+OK" when set, a nil reply when the key was already there.
  return reply->reply->type != REDIS_REPLY_NIL;
}

Result<std::optional<VerifiedRecord>> RedisRecordCache::get(const std::string& code) {
  const std::string key = redis_key(code);
  auto reply = command({"GET", key});
  if (!reply) return tl::unexpected(reply.error());
  const redisReply* r = reply->reply.get();
  if (r->type == REDIS_REPLY_NIL) return std::optional<VerifiedRecord>();
  if (r->type != REDIS_REPLY_STRING)
    return unavailable("unexpected reply type " + std::to_string(r->type) + " to GET");

  auto plain = key_->open(std::string_view(r->str, r->len), key);
  Result<VerifiedRecord> record = plain ? decode_record(*plain) : tl::unexpected(plain.error());
  if (record && record->code != code)
    record = fail(ErrorCode::kInternal, "cached record: holds another code");
  if (!record) {
    // Not an outage: an old key, a tampered or truncated value. Drop it so the next lookup
    // stores a fresh one. The detail never quotes the value.
    LT_LOG(warn, "record cache: discarded a value that could not be used: {}",
           record.error().detail);
    (void)command({"DEL", key});
    return std::optional<VerifiedRecord>();
  }
  return std::optional<VerifiedRecord>(std::move(*record));
}

Result<void> RedisRecordCache::put(const VerifiedRecord& record, std::chrono::seconds ttl) {
  if (ttl.count() <= 0) return {};
  auto bytes = encode_record(record);
  if (!bytes) return tl::unexpected(bytes.error());
  const std::string key = redis_key(record.code);
  auto sealed = key_->seal(*bytes, key);
  if (!sealed) return tl::unexpected(sealed.error());
  const std::string seconds = std::to_string(ttl.count());
  auto reply = command({"SET", key, *sealed, "EX", seconds});
  if (!reply) return tl::unexpected(reply.error());
  return {};
}

Result<void> RedisRecordCache::invalidate(const std::string& code) {
  auto reply = command({"DEL", redis_key(code)});
  if (!reply) return tl::unexpected(reply.error());
  return {};
}

Result<bool> RedisRecordCache::remove(const std::string& code) {
  auto reply = command({"DEL", redis_key(code)});
  if (!reply) return tl::unexpected(reply.error());
  const redisReply* r = reply->reply.get();
  return r != nullptr && r->type == REDIS_REPLY_INTEGER && r->integer > 0;
}

}  // namespace lienthong::cache
