// DocumentInbox on Redis: the layout and the scripts are in inbox_scripts.h.
#include "gateway/documents/document_inbox.h"

#include <algorithm>
#include <charconv>
#include <nlohmann/json.hpp>
#include <optional>

#include "gateway/core/log.h"
#include "gateway/documents/inbox_scripts.h"

namespace lienthong::documents {

namespace {

using nlohmann::json;
using outbox::RedisValue;

constexpr std::size_t kMaxList = 1000;
constexpr std::size_t kRefusedCap = 1000;
constexpr std::size_t kMaxDocumentIdBytes = 256;
constexpr std::size_t kMaxOrganBytes = 64;
constexpr std::size_t kMaxReasonBytes = 300;

std::string ms_text(TimePoint t) {
  return std::to_string(
      std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count());
}

TimePoint from_ms(long long ms) {
  return TimePoint(std::chrono::duration_cast<TimePoint::duration>(std::chrono::milliseconds(ms)));
}

template <class N>
std::optional<N> to_number(std::string_view text) {
  N v{};
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || p != text.data() + text.size()) return std::nullopt;
  return v;
}

const std::string& text_of(const RedisValue& v) {
  static const std::string empty;
  return v.type == RedisValue::Type::kString || v.type == RedisValue::Type::kStatus ? v.str : empty;
}

tl::unexpected<Error> odd_reply(std::string_view what) {
  return fail(ErrorCode::kUpstreamUnavailable,
              "inbox Redis: unexpected reply to " + std::string(what));
}

// A marker "<sequence>:<received_at ms>".
struct Mark {
  std::uint64_t sequence = 0;
  TimePoint received_at{};
};
std::optional<Mark> parse_mark(std::string_view text) {
  const auto colon = text.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  auto seq = to_number<std::uint64_t>(text.substr(0, colon));
  auto at = to_number<long long>(text.substr(colon + 1));
  if (!seq || !at) return std::nullopt;
  return Mark{*seq, from_ms(*at)};
}

std::string meta_json(const IncomingDocument& d) {
  const ReceivedSummary& s = d.summary;
  return json{{"document_id", s.document_id},
              {"axis_id", s.axis_id},
              {"from", s.from_organ},
              {"code", s.code},
              {"date", s.promulgation_date},
              {"subject", s.subject},
              {"business_type", s.business_type},
              {"signer_subject", d.signer_subject},
              {"signer_fingerprint", d.signer_fingerprint}}
      .dump(-1, ' ', false, json::error_handler_t::replace);  // never throws on odd UTF-8
}

// The plaintext of a meta field is ours (sealed under our key), so a shape error means another
// writer or a bug: reported as INTERNAL, never half-read.
Result<ReceivedDocument> parse_meta(std::string_view text) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return fail(ErrorCode::kInternal, "inbox: metadata does not read");
  auto str = [&j](const char* name) {
    const auto it = j.find(name);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  ReceivedDocument d;
  d.summary.document_id = str("document_id");
  d.summary.axis_id = str("axis_id");
  d.summary.from_organ = str("from");
  d.summary.code = str("code");
  d.summary.promulgation_date = str("date");
  d.summary.subject = str("subject");
  const auto type = j.find("business_type");
  d.summary.business_type = type != j.end() && type->is_number_integer() ? type->get<int>() : 0;
  d.signer_subject = str("signer_subject");
  d.signer_fingerprint = str("signer_fingerprint");
  return d;
}

class RedisDocumentInbox final : public DocumentInbox {
 public:
  RedisDocumentInbox(InboxConfig config, std::shared_ptr<const cache::SealingKey> key,
                     Clock::Ptr clock, std::unique_ptr<outbox::RedisLink> link)
      : config_(std::move(config)),
        sealing_key_(std::move(key)),
        clock_(std::move(clock)),
        link_(std::move(link)) {}

  outbox::RedisLink& link() { return *link_; }

  Result<StoreOutcome> store(const IncomingDocument& document,
                             std::string_view recipient_organ) override {
    const std::string& document_id = document.summary.document_id;
    if (document_id.empty() || document_id.size() > kMaxDocumentIdBytes)
      return fail(ErrorCode::kBadRequest, "inbox: DocumentId empty or longer than " +
                                              std::to_string(kMaxDocumentIdBytes) + " bytes");
    if (auto ok = check_organ(recipient_organ); !ok) return tl::unexpected(ok.error());
    if (document.edxml.empty() || document.edxml.size() > config_.max_document_bytes)
      return fail(ErrorCode::kBadRequest, "inbox: document empty or larger than " +
                                              std::to_string(config_.max_document_bytes) +
                                              " bytes");
    const std::string d = document_name(document_id), o = organ_name(recipient_organ);
    const std::string doc = key("doc:" + d);
    // Keyed, so the digest cannot confirm a guess about the content without the key.
    const std::string digest =
        sealing_key_->keyed_name(std::string("inbox-body:").append(document.edxml));
    auto body = sealing_key_->seal(document.edxml, doc);
    if (!body) return tl::unexpected(body.error());
    auto meta = sealing_key_->seal(meta_json(document), doc + "#meta");
    if (!meta) return tl::unexpected(meta.error());
    const std::string now = ms_text(clock_->now());
    auto r = link_->command({"EVAL", scripts::kStore, "4", doc, key("recv:" + o), key("seq:" + o),
                             mark_key(o, d), d, digest, *body, *meta, now});
    if (!r) return tl::unexpected(r.error());
    if (r->type != RedisValue::Type::kArray || r->elements.size() != 2) return odd_reply("store");
    const std::string& verdict = text_of(r->elements[0]);
    if (verdict == "conflict")
      return fail(ErrorCode::kBadRequest,
                  "inbox: conflict: this DocumentId was stored before with another body");
    auto mark = parse_mark(text_of(r->elements[1]));
    if ((verdict != "new" && verdict != "duplicate") || !mark) return odd_reply("store");
    return StoreOutcome{mark->sequence, verdict == "duplicate"};
  }

  Result<std::vector<ReceivedSummary>> list(std::string_view recipient_organ, std::uint64_t after,
                                            std::size_t limit) override {
    if (auto ok = check_organ(recipient_organ); !ok) return tl::unexpected(ok.error());
    limit = std::min(limit, kMaxList);
    std::vector<ReceivedSummary> out;
    if (limit == 0) return out;
    const std::string o = organ_name(recipient_organ);
    auto r = link_->command({"EVAL", scripts::kList, "1", key("recv:" + o), config_.key_prefix, o,
                             std::to_string(after), std::to_string(limit)});
    if (!r) return tl::unexpected(r.error());
    if (r->type != RedisValue::Type::kArray) return odd_reply("list");
    for (const auto& row : r->elements) {
      if (row.type != RedisValue::Type::kArray || row.elements.size() != 3)
        return odd_reply("list");
      const std::string doc = key("doc:" + text_of(row.elements[0]));
      auto mark = parse_mark(text_of(row.elements[2]));
      auto meta = sealing_key_->open(text_of(row.elements[1]), doc + "#meta");
      if (!mark || !meta) {
        // Another sealing key or a damaged entry: listing the others is more useful than
        // failing the organ's whole inbox. The log names neither the document nor the organ.
        LT_LOG(error, "inbox: an entry of a recipient's index does not read ({}); skipped",
               meta ? "marker" : meta.error().detail);
        continue;
      }
      auto read = parse_meta(*meta);
      if (!read) return tl::unexpected(read.error());
      read->summary.sequence = mark->sequence;
      read->summary.received_at = mark->received_at;
      out.push_back(std::move(read->summary));
    }
    return out;
  }

  Result<ReceivedDocument> get(std::string_view recipient_organ,
                               std::string_view document_id) override {
    if (auto ok = check_organ(recipient_organ); !ok) return tl::unexpected(ok.error());
    if (document_id.empty() || document_id.size() > kMaxDocumentIdBytes)
      return fail(ErrorCode::kNotFound, "inbox: no such document for this organ");
    const std::string d = document_name(document_id), o = organ_name(recipient_organ);
    const std::string doc = key("doc:" + d);
    auto r = link_->command({"EVAL", scripts::kGet, "2", mark_key(o, d), doc});
    if (!r) return tl::unexpected(r.error());
    if (r->type != RedisValue::Type::kArray) return odd_reply("get");
    if (r->elements.empty())
      return fail(ErrorCode::kNotFound, "inbox: no such document for this organ");
    if (r->elements.size() != 3) return odd_reply("get");
    auto mark = parse_mark(text_of(r->elements[0]));
    if (!mark) return odd_reply("get (marker)");
    auto meta = sealing_key_->open(text_of(r->elements[2]), doc + "#meta");
    if (!meta) return tl::unexpected(meta.error());
    auto body = sealing_key_->open(text_of(r->elements[1]), doc);
    if (!body) return tl::unexpected(body.error());
    auto out = parse_meta(*meta);
    if (!out) return tl::unexpected(out.error());
    out->summary.sequence = mark->sequence;
    out->summary.received_at = mark->received_at;
    out->edxml = std::move(*body);
    return out;
  }

  Result<void> refuse(const RefusedIncoming& refused) override {
    const std::string list = key("refused");
    const json entry{{"axis_id", refused.axis_id.substr(0, 128)},
                     {"organ", refused.recipient_organ.substr(0, kMaxOrganBytes)},
                     {"reason", refused.reason.substr(0, kMaxReasonBytes)},
                     {"at", ms_text(refused.at == TimePoint{} ? clock_->now() : refused.at)}};
    // dump() with replacement: a reason cut inside a UTF-8 sequence must not throw.
    auto sealed =
        sealing_key_->seal(entry.dump(-1, ' ', false, json::error_handler_t::replace), list);
    if (!sealed) return tl::unexpected(sealed.error());
    auto r =
        link_->command({"EVAL", scripts::kRefuse, "1", list, *sealed, std::to_string(kRefusedCap)});
    if (!r) return tl::unexpected(r.error());
    return {};
  }

  Result<std::vector<RefusedIncoming>> refused(std::size_t limit) override {
    limit = std::min(limit, kRefusedCap);
    std::vector<RefusedIncoming> out;
    if (limit == 0) return out;
    const std::string list = key("refused");
    auto r = link_->command({"LRANGE", list, "0", std::to_string(limit - 1)});
    if (!r) return tl::unexpected(r.error());
    if (r->type != RedisValue::Type::kArray) return odd_reply("LRANGE");
    for (const auto& value : r->elements) {
      auto plain = sealing_key_->open(text_of(value), list);
      json j = plain ? json::parse(*plain, nullptr, false) : json();
      if (!j.is_object()) {
        LT_LOG(error, "inbox: a refused entry does not read; skipped");
        continue;
      }
      RefusedIncoming e;
      e.axis_id = j.value("axis_id", "");
      e.recipient_organ = j.value("organ", "");
      e.reason = j.value("reason", "");
      e.at = from_ms(to_number<long long>(j.value("at", "0")).value_or(0));
      out.push_back(std::move(e));
    }
    return out;
  }

 private:
  static Result<void> check_organ(std::string_view organ) {
    if (organ.empty() || organ.size() > kMaxOrganBytes)
      return fail(ErrorCode::kBadRequest, "inbox: recipient organ empty or longer than " +
                                              std::to_string(kMaxOrganBytes) + " bytes");
    return {};
  }
  // Keyed hashes: stable across gateways sharing the key, of bounded length and alphabet, and
  // not reversible, so Redis holds neither DocumentIds nor organ codes.
  std::string document_name(std::string_view document_id) const {
    return sealing_key_->keyed_name(std::string("inbox-document:").append(document_id));
  }
  std::string organ_name(std::string_view organ) const {
    return sealing_key_->keyed_name(std::string("inbox-organ:").append(organ));
  }
  std::string key(std::string_view suffix) const {
    return config_.key_prefix + std::string(suffix);
  }
  std::string mark_key(const std::string& o, const std::string& d) const {
    return key("mark:" + o + ":" + d);
  }

  const InboxConfig config_;
  const std::shared_ptr<const cache::SealingKey> sealing_key_;
  const Clock::Ptr clock_;
  const std::unique_ptr<outbox::RedisLink> link_;
};

}  // namespace

Result<DocumentInbox::Ptr> DocumentInbox::create(InboxConfig config,
                                                 std::shared_ptr<const cache::SealingKey> key,
                                                 Clock::Ptr clock) {
  if (!key) return fail(ErrorCode::kInternal, "inbox: no sealing key");
  if (config.key_prefix.empty()) return fail(ErrorCode::kInternal, "inbox: empty key_prefix");
  if (config.max_document_bytes == 0)
    return fail(ErrorCode::kInternal, "inbox: max_document_bytes must be > 0");
  auto link = outbox::RedisLink::create(config.redis, clock);
  if (!link) return tl::unexpected(link.error());
  const auto check = config.persistence;
  auto inbox = std::make_shared<RedisDocumentInbox>(std::move(config), std::move(key),
                                                    std::move(clock), std::move(*link));
  if (check == outbox::PersistenceCheck::kRequire) {
    auto ok = outbox::check_redis_persistence(inbox->link(), "inbox", check);
    if (!ok) return tl::unexpected(ok.error());
  }
  return inbox;
}

}  // namespace lienthong::documents
