#include "gateway/outbox/document_outbox.h"

#include <algorithm>
#include <charconv>

#include "gateway/core/log.h"
#include "gateway/outbox/outbox_scripts.h"

namespace lienthong::outbox {

namespace {

constexpr std::size_t kMaxList = 1000;

std::string ms_text(TimePoint t) {
  return std::to_string(
      std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count());
}

std::optional<long long> to_number(std::string_view text) {
  long long v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || p != text.data() + text.size()) return std::nullopt;
  return v;
}

std::optional<TimePoint> to_time(std::string_view text) {
  auto v = to_number(text);
  if (!v) return std::nullopt;
  return TimePoint(std::chrono::duration_cast<TimePoint::duration>(std::chrono::milliseconds(*v)));
}

const std::string& text_of(const RedisValue& v) {
  static const std::string empty;
  return v.type == RedisValue::Type::kString || v.type == RedisValue::Type::kStatus ? v.str : empty;
}

tl::unexpected<Error> odd_reply(std::string_view what) {
  return fail(ErrorCode::kUpstreamUnavailable,
              "outbox Redis: unexpected reply to " + std::string(what));
}

// The set that holds a document in `state`.
std::string_view set_of(OutboxState state) {
  switch (state) {
    case OutboxState::kAccepted:
      return "due";
    case OutboxState::kDelivering:
      return "lease";
    case OutboxState::kDelivered:
      return "delivered";
    case OutboxState::kDead:
      return "dead";
  }
  return "due";
}

}  // namespace

std::string_view state_name(OutboxState state) {
  switch (state) {
    case OutboxState::kAccepted:
      return "accepted";
    case OutboxState::kDelivering:
      return "delivering";
    case OutboxState::kDelivered:
      return "delivered";
    case OutboxState::kDead:
      return "dead";
  }
  return "accepted";
}

std::optional<OutboxState> parse_state(std::string_view name) {
  for (auto s : {OutboxState::kAccepted, OutboxState::kDelivering, OutboxState::kDelivered,
                 OutboxState::kDead})
    if (state_name(s) == name) return s;
  return std::nullopt;
}

Result<DocumentOutbox::Ptr> DocumentOutbox::create(OutboxConfig config,
                                                   std::shared_ptr<const cache::SealingKey> key,
                                                   Clock::Ptr clock) {
  if (!key) return fail(ErrorCode::kInternal, "outbox: no sealing key");
  if (config.key_prefix.empty()) return fail(ErrorCode::kInternal, "outbox: empty key_prefix");
  if (config.max_document_bytes == 0 || config.max_document_id_bytes == 0 ||
      config.max_sender_bytes == 0)
    return fail(ErrorCode::kInternal, "outbox: limits must be > 0");
  auto link = RedisLink::create(config.redis, clock);
  if (!link) return tl::unexpected(link.error());
  Ptr outbox(
      new DocumentOutbox(std::move(config), std::move(key), std::move(clock), std::move(*link)));
  if (outbox->config_.persistence == PersistenceCheck::kRequire) {
    auto ok = check_redis_persistence(*outbox->link_, "outbox", PersistenceCheck::kRequire);
    if (!ok) return tl::unexpected(ok.error());
  }
  return outbox;
}

DocumentOutbox::DocumentOutbox(OutboxConfig config, std::shared_ptr<const cache::SealingKey> key,
                               Clock::Ptr clock, std::unique_ptr<RedisLink> link)
    : config_(std::move(config)),
      sealing_key_(std::move(key)),
      clock_(std::move(clock)),
      link_(std::move(link)) {}

Result<PersistenceReport> check_redis_persistence(RedisLink& link, std::string_view component,
                                                  PersistenceCheck check) {
  const std::string who(component);
  PersistenceReport report;
  for (std::string_view name : {"appendonly", "appendfsync"}) {
    auto r = link.command({"CONFIG", "GET", name});
    if (!r) return tl::unexpected(r.error());
    if (r->type != RedisValue::Type::kArray || r->elements.size() != 2)
      return odd_reply("CONFIG GET");
    const std::string& value = text_of(r->elements[1]);
    if (name == "appendonly")
      report.appendonly = value == "yes";
    else
      report.appendfsync = value;
  }
  auto info = link.command({"INFO", "server"});
  if (!info) return tl::unexpected(info.error());
  const std::string& text = text_of(*info);
  if (auto at = text.find("redis_version:"); at != std::string::npos) {
    const auto start = at + 14;
    report.version = text.substr(start, text.find_first_of("\r\n", start) - start);
  }
  if (check == PersistenceCheck::kSkip) return report;
  // Without AOF a Redis restart forgets every write since the last RDB snapshot: the caller
  // was told "stored", so that would be a silent loss. Refuse to start.
  if (!report.appendonly)
    return fail(ErrorCode::kInternal,
                who +
                    ": Redis has appendonly no; what it stored would be lost on a restart. Set "
                    "appendonly yes and appendfsync always (gateway/outbox/README.md)");
  if (report.appendfsync == "always") return report;
  if (report.appendfsync == "everysec") {
    LT_LOG(warn,
           "{}: Redis {} has appendfsync everysec: writes answered in the last ~1-2 s before a "
           "power loss or kernel crash of the Redis host can be lost (a Redis process crash "
           "alone loses nothing). Use appendfsync always in production (gateway/outbox/"
           "README.md)",
           who, report.version);
    return report;
  }
  return fail(ErrorCode::kInternal, who + ": Redis has appendfsync " + report.appendfsync + "; " +
                                        who +
                                        " requires always (or everysec, gateway/outbox/README.md)");
}

Result<PersistenceReport> DocumentOutbox::persistence() {
  return check_redis_persistence(*link_, "outbox", PersistenceCheck::kSkip);
}

std::string DocumentOutbox::name_of(std::string_view document_id) const {
  // A keyed hash: stable across gateways sharing the key, of bounded length and alphabet
  // whatever the DocumentId holds.
  return sealing_key_->keyed_name(std::string("outbox-document:").append(document_id));
}

std::string DocumentOutbox::document_key(std::string_view document_id) const {
  return key("doc:") + name_of(document_id);
}

Result<AcceptedDocument> DocumentOutbox::accept(std::string_view document_id,
                                                std::string_view sender_organ,
                                                std::string edxml_bytes) {
  if (document_id.empty() || document_id.size() > config_.max_document_id_bytes)
    return fail(ErrorCode::kBadRequest, "outbox: DocumentId empty or longer than " +
                                            std::to_string(config_.max_document_id_bytes) +
                                            " bytes");
  if (sender_organ.empty() || sender_organ.size() > config_.max_sender_bytes)
    return fail(ErrorCode::kBadRequest, "outbox: sender organ empty or longer than " +
                                            std::to_string(config_.max_sender_bytes) + " bytes");
  if (edxml_bytes.empty() || edxml_bytes.size() > config_.max_document_bytes)
    return fail(ErrorCode::kBadRequest, "outbox: document empty or larger than " +
                                            std::to_string(config_.max_document_bytes) + " bytes");
  const std::string name = name_of(document_id);
  const std::string doc = key("doc:") + name;
  // Keyed, so the digest cannot confirm a guess about the content without the key.
  const std::string digest = sealing_key_->keyed_name("outbox-body:" + edxml_bytes);
  auto sealed = sealing_key_->seal(edxml_bytes, doc);
  if (!sealed) return tl::unexpected(sealed.error());
  const std::string due = key("due"), seq = key("seq"), now = ms_text(clock_->now());
  auto r = link_->command({"EVAL", scripts::kAccept, "3", doc, due, seq, name, document_id,
                           sender_organ, digest, *sealed, now});
  if (!r) return tl::unexpected(r.error());
  if (r->type != RedisValue::Type::kArray || r->elements.size() != 3) return odd_reply("accept");
  const std::string& verdict = text_of(r->elements[0]);
  AcceptedDocument out;
  out.outbox_id = text_of(r->elements[1]);
  out.state = parse_state(text_of(r->elements[2])).value_or(OutboxState::kAccepted);
  if (verdict == "conflict")
    return fail(ErrorCode::kBadRequest, "outbox: conflict: this DocumentId was accepted as " +
                                            out.outbox_id + " with another body or sender");
  if (verdict != "new" && verdict != "duplicate") return odd_reply("accept");
  out.duplicate = verdict == "duplicate";
  return out;
}

Result<OutboxStatus> DocumentOutbox::read_status(const std::string& name) {
  auto r = link_->command({"HMGET", key("doc:") + name, "outbox_id", "document_id", "sender",
                           "state", "attempts", "axis_id", "axis_duplicate", "last_error",
                           "accepted_at", "next_at", "lease_until", "finished_at"});
  if (!r) return tl::unexpected(r.error());
  if (r->type != RedisValue::Type::kArray || r->elements.size() != 12) return odd_reply("HMGET");
  const auto& e = r->elements;
  if (e[0].is_nil()) return fail(ErrorCode::kNotFound, "outbox: no such document");
  OutboxStatus s;
  s.outbox_id = text_of(e[0]);
  s.document_id = text_of(e[1]);
  s.sender_organ = text_of(e[2]);
  auto state = parse_state(text_of(e[3]));
  if (!state) return odd_reply("HMGET (state)");
  s.state = *state;
  s.attempts = static_cast<int>(to_number(text_of(e[4])).value_or(0));
  s.axis_id = text_of(e[5]);
  s.axis_duplicate = text_of(e[6]) == "1";
  s.last_error = text_of(e[7]);
  s.accepted_at = to_time(text_of(e[8])).value_or(TimePoint{});
  s.next_attempt_at = to_time(text_of(e[9]));
  s.lease_until = to_time(text_of(e[10]));
  s.finished_at = to_time(text_of(e[11]));
  return s;
}

Result<OutboxStatus> DocumentOutbox::status(std::string_view document_id) {
  return read_status(name_of(document_id));
}

Result<std::vector<OutboxStatus>> DocumentOutbox::list(OutboxState state, std::size_t limit) {
  limit = std::min(limit, kMaxList);
  std::vector<OutboxStatus> out;
  if (limit == 0) return out;
  const std::string stop = std::to_string(limit - 1);
  auto r = link_->command({"ZRANGE", key(set_of(state)), "0", stop});
  if (!r) return tl::unexpected(r.error());
  if (r->type != RedisValue::Type::kArray) return odd_reply("ZRANGE");
  for (const auto& member : r->elements) {
    auto s = read_status(text_of(member));
    if (!s && s.error().code == ErrorCode::kNotFound) continue;  // removed meanwhile
    if (!s) return tl::unexpected(s.error());
    out.push_back(std::move(*s));
  }
  return out;
}

Result<OutboxCounts> DocumentOutbox::counts() {
  OutboxCounts out;
  for (auto state : {OutboxState::kAccepted, OutboxState::kDelivering, OutboxState::kDelivered,
                     OutboxState::kDead}) {
    auto r = link_->command({"ZCARD", key(set_of(state))});
    if (!r) return tl::unexpected(r.error());
    if (r->type != RedisValue::Type::kInteger) return odd_reply("ZCARD");
    out.of(state) = static_cast<std::size_t>(r->integer);
  }
  return out;
}

Result<void> DocumentOutbox::retry_dead(std::string_view document_id) {
  const std::string name = name_of(document_id);
  const std::string now = ms_text(clock_->now());
  auto r = link_->command(
      {"EVAL", scripts::kRetryDead, "3", key("doc:") + name, key("dead"), key("due"), name, now});
  if (!r) return tl::unexpected(r.error());
  const std::string& verdict = text_of(*r);
  if (verdict == "ok") return {};
  if (verdict == "missing") return fail(ErrorCode::kNotFound, "outbox: no such document");
  return fail(ErrorCode::kBadRequest, "outbox: the document is " + verdict + ", not dead");
}

Result<std::vector<OutboxEntry>> DocumentOutbox::claim(std::string_view owner, std::size_t limit,
                                                       std::chrono::milliseconds lease,
                                                       int max_attempts) {
  if (owner.empty() || limit == 0 || lease.count() <= 0 || max_attempts <= 0)
    return fail(ErrorCode::kInternal, "outbox: claim needs an owner, a limit, a lease, attempts");
  const TimePoint now = clock_->now();
  const std::string now_ms = ms_text(now), until = ms_text(now + lease),
                    limit_text = std::to_string(limit), max_text = std::to_string(max_attempts);
  auto r = link_->command({"EVAL", scripts::kClaim, "3", key("due"), key("lease"), key("dead"),
                           config_.key_prefix, now_ms, until, owner, limit_text, max_text});
  if (!r) return tl::unexpected(r.error());
  if (r->type != RedisValue::Type::kArray) return odd_reply("claim");
  std::vector<OutboxEntry> out;
  for (const auto& row : r->elements) {
    if (row.type != RedisValue::Type::kArray || row.elements.size() != 7) return odd_reply("claim");
    OutboxEntry e;
    e.member = text_of(row.elements[0]);
    e.outbox_id = text_of(row.elements[1]);
    e.document_id = text_of(row.elements[2]);
    e.sender_organ = text_of(row.elements[3]);
    e.attempt = static_cast<int>(to_number(text_of(row.elements[5])).value_or(0));
    e.lease = text_of(row.elements[6]);
    auto plain = sealing_key_->open(text_of(row.elements[4]), key("doc:") + e.member);
    if (!plain) {
      // Another sealing key, or a tampered value: no retry can help; an admin must look. The
      // reason names neither the document nor the bytes.
      LT_LOG(error, "outbox: {} does not open ({}); dead-lettered", e.outbox_id,
             plain.error().detail);
      auto f = failed(e, "the sealed body does not open: " + plain.error().detail, true, now,
                      max_attempts);
      if (!f) return tl::unexpected(f.error());
      continue;
    }
    e.edxml = std::move(*plain);
    out.push_back(std::move(e));
  }
  return out;
}

Result<void> DocumentOutbox::delivered(const OutboxEntry& entry, const AxisReceipt& receipt) {
  const std::string now = ms_text(clock_->now());
  auto r = link_->command({"EVAL", scripts::kDelivered, "5", key("doc:") + entry.member,
                           key("lease"), key("due"), key("dead"), key("delivered"), entry.member,
                           now, receipt.axis_id, receipt.duplicate ? "1" : "0"});
  if (!r) return tl::unexpected(r.error());
  if (text_of(*r) == "missing") return fail(ErrorCode::kNotFound, "outbox: no such document");
  return {};
}

Result<OutboxState> DocumentOutbox::failed(const OutboxEntry& entry, std::string_view reason,
                                           bool permanent, TimePoint next_attempt,
                                           int max_attempts) {
  const std::string now = ms_text(clock_->now()), next = ms_text(next_attempt),
                    max_text = std::to_string(max_attempts);
  const std::string bounded(reason.substr(0, 300));
  auto r = link_->command({"EVAL", scripts::kFailed, "4", key("doc:") + entry.member, key("lease"),
                           key("due"), key("dead"), entry.member, entry.lease, now, next, bounded,
                           max_text, permanent ? "1" : "0"});
  if (!r) return tl::unexpected(r.error());
  const std::string& verdict = text_of(*r);
  if (verdict == "retry") return OutboxState::kAccepted;
  if (verdict == "dead") return OutboxState::kDead;
  if (verdict == "stale") return OutboxState::kDelivering;
  return odd_reply("failed");
}

}  // namespace lienthong::outbox
