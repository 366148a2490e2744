#include "gateway/outbox/redis_link.h"

#include <hiredis/hiredis.h>
#include <sys/time.h>

#include "gateway/cache/ignore_sigpipe.h"
#include "gateway/core/log.h"

namespace lienthong::outbox {

namespace {

timeval to_timeval(std::chrono::milliseconds ms) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(ms.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((ms.count() % 1000) * 1000);
  return tv;
}

tl::unexpected<Error> unavailable(std::string why) {
  return fail(ErrorCode::kUpstreamUnavailable, "outbox Redis: " + why);
}

// Error replies name the failing condition (NOSCRIPT, OOM, MISCONF…), not our data; bounded.
std::string bounded(std::string_view text) { return std::string(text.substr(0, 160)); }

RedisValue convert(const redisReply* r) {
  RedisValue v;
  switch (r->type) {
    case REDIS_REPLY_STRING:
      v.type = RedisValue::Type::kString;
      v.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_STATUS:
      v.type = RedisValue::Type::kStatus;
      v.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_ERROR:
      v.type = RedisValue::Type::kError;
      v.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_INTEGER:
      v.type = RedisValue::Type::kInteger;
      v.integer = r->integer;
      break;
    case REDIS_REPLY_ARRAY:
      v.type = RedisValue::Type::kArray;
      v.elements.reserve(r->elements);
      for (size_t i = 0; i < r->elements; ++i) v.elements.push_back(convert(r->element[i]));
      break;
    default:
      v.type = RedisValue::Type::kNil;
  }
  return v;
}

struct ReplyDeleter {
  void operator()(redisReply* r) const { freeReplyObject(r); }
};
using ReplyPtr = std::unique_ptr<redisReply, ReplyDeleter>;

ReplyPtr run(redisContext* c, const std::vector<std::string_view>& args) {
  std::vector<const char*> argv;
  std::vector<size_t> lens;
  argv.reserve(args.size());
  lens.reserve(args.size());
  for (auto a : args) {
    argv.push_back(a.data());
    lens.push_back(a.size());
  }
  return ReplyPtr(static_cast<redisReply*>(
      redisCommandArgv(c, static_cast<int>(argv.size()), argv.data(), lens.data())));
}

}  // namespace

void RedisLink::ContextDeleter::operator()(redisContext* c) const { redisFree(c); }

Result<std::unique_ptr<RedisLink>> RedisLink::create(RedisLinkConfig config, Clock::Ptr clock) {
  if (!clock) return fail(ErrorCode::kInternal, "outbox Redis: no clock");
  if (config.unix_socket.empty() &&
      (config.host.empty() || config.port <= 0 || config.port > 65535))
    return fail(ErrorCode::kInternal, "outbox Redis: host and port (1-65535) required");
  if (config.db < 0) return fail(ErrorCode::kInternal, "outbox Redis: db must be >= 0");
  if (config.connect_timeout.count() <= 0 || config.command_timeout.count() <= 0)
    return fail(ErrorCode::kInternal, "outbox Redis: timeouts must be positive");
  if (config.reconnect_interval.count() < 0)
    return fail(ErrorCode::kInternal, "outbox Redis: reconnect_interval must be >= 0");
  cache::ignore_sigpipe_once();
  return std::unique_ptr<RedisLink>(new RedisLink(std::move(config), std::move(clock)));
}

RedisLink::RedisLink(RedisLinkConfig config, Clock::Ptr clock)
    : config_(std::move(config)), clock_(std::move(clock)) {}

RedisLink::~RedisLink() = default;

Result<void> RedisLink::ensure_connected() {
  if (context_) return {};
  const TimePoint now = clock_->now();
  if (down_ && now < next_attempt_) return unavailable("unreachable, next attempt pending");
  next_attempt_ = now + config_.reconnect_interval;

  const timeval tv = to_timeval(config_.connect_timeout);
  ContextPtr c(config_.unix_socket.empty()
                   ? redisConnectWithTimeout(config_.host.c_str(), config_.port, tv)
                   : redisConnectUnixWithTimeout(config_.unix_socket.c_str(), tv));
  auto refuse = [this](std::string why) -> Result<void> {
    if (!down_) LT_LOG(warn, "outbox: Redis unreachable ({})", why);
    down_ = true;
    return unavailable(std::move(why));
  };
  if (!c) return refuse("cannot allocate a connection");
  if (c->err != 0) return refuse(std::string("connect: ") + c->errstr);
  if (redisSetTimeout(c.get(), to_timeval(config_.command_timeout)) != REDIS_OK)
    return refuse(std::string("set timeout: ") + c->errstr);
  auto setup = [&](const std::vector<std::string_view>& args) -> Result<void> {
    ReplyPtr r = run(c.get(), args);
    if (!r) return unavailable(std::string(args[0]) + ": " + c->errstr);
    if (r->type == REDIS_REPLY_ERROR)
      return unavailable(std::string(args[0]) + ": " + bounded({r->str, r->len}));
    return {};
  };
  if (!config_.password.empty()) {
    auto auth = config_.username.empty() ? setup({"AUTH", config_.password})
                                         : setup({"AUTH", config_.username, config_.password});
    if (!auth) return refuse(auth.error().detail);
  }
  if (config_.db != 0) {
    const std::string db = std::to_string(config_.db);
    auto select = setup({"SELECT", db});
    if (!select) return refuse(select.error().detail);
  }
  if (down_) LT_LOG(info, "outbox: Redis reachable again");
  down_ = false;
  context_ = std::move(c);
  return {};
}

Result<RedisValue> RedisLink::command(const std::vector<std::string_view>& args) {
  std::lock_guard lock(mutex_);
  if (auto ok = ensure_connected(); !ok) return tl::unexpected(ok.error());
  ReplyPtr r = run(context_.get(), args);
  if (!r) {
    // After an I/O error or a timeout the context is unusable (a late reply would be read as the
    // answer to the next command): drop it and reconnect on the next call.
    const std::string reason = context_->errstr[0] != '\0' ? context_->errstr : "no reply";
    context_.reset();
    down_ = true;
    next_attempt_ = TimePoint{};  // the next call may try at once: Redis may just have restarted
    return unavailable(reason);
  }
  RedisValue v = convert(r.get());
  if (v.type == RedisValue::Type::kError) return unavailable("error reply: " + bounded(v.str));
  return v;
}

}  // namespace lienthong::outbox
