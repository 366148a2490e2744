#include "gateway/audit/audit_format.h"

#include <openssl/sha.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <nlohmann/json.hpp>
#include <system_error>

namespace lienthong::audit {

namespace {

using nlohmann::json;

constexpr std::string_view kSegmentPrefix = "audit-";
constexpr std::string_view kSegmentSuffix = ".log";
constexpr std::size_t kSeqDigits = 12;
constexpr std::string_view kHashKey = ",\"hash\":\"";
// `,"hash":"` + 64 hex digits + `"}`
constexpr std::size_t kHashSuffixBytes = kHashKey.size() + 64 + 2;

bool is_lower_hex(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

bool is_hash(std::string_view s) { return s.size() == 64 && is_lower_hex(s); }

tl::unexpected<Error> malformed(std::string why) {
  return fail(ErrorCode::kInternal, "malformed entry: " + std::move(why));
}

// The canonical bytes of a line: the line without its hash member.
std::optional<std::string> canonical_of(std::string_view line, std::string_view& stored_hash) {
  if (line.size() < kHashSuffixBytes + 2 || line.back() != '}') return std::nullopt;
  const std::string_view suffix = line.substr(line.size() - kHashSuffixBytes);
  if (suffix.substr(0, kHashKey.size()) != kHashKey || suffix.substr(kHashSuffixBytes - 2) != "\"}")
    return std::nullopt;
  stored_hash = suffix.substr(kHashKey.size(), 64);
  std::string canonical(line.substr(0, line.size() - kHashSuffixBytes));
  canonical += '}';
  return canonical;
}

}  // namespace


std::string segment_file_name(std::uint64_t first_seq) {
  char buf[40];
  // Cannot fail or truncate: at most 20 digits fit in the buffer.
  (void)std::snprintf(buf, sizeof buf, "audit-%012llu.log",
                      static_cast<unsigned long long>(first_seq));
  return buf;
}

std::optional<std::uint64_t> parse_segment_file_name(std::string_view name) {
  if (name.size() != kSegmentPrefix.size() + kSeqDigits + kSegmentSuffix.size() ||
      !name.starts_with(kSegmentPrefix) || !name.ends_with(kSegmentSuffix))
    return std::nullopt;
  const std::string_view digits = name.substr(kSegmentPrefix.size(), kSeqDigits);
  std::uint64_t seq = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
    seq = seq * 10 + static_cast<std::uint64_t>(c - '0');
  }
  if (seq == 0) return std::nullopt;
  return seq;
}

Result<std::vector<SegmentFile>> list_segments(const std::filesystem::path& dir) {
  std::error_code ec;
  std::vector<SegmentFile> out;
  std::filesystem::directory_iterator it(dir, ec);
  if (ec)
    return fail(ErrorCode::kInternal, "audit directory " + dir.string() + ": " + ec.message());
  for (const auto& item : it) {
    auto seq = parse_segment_file_name(item.path().filename().string());
    if (seq) out.push_back(SegmentFile{item.path(), *seq});
  }
  std::sort(out.begin(), out.end(),
            [](const SegmentFile& a, const SegmentFile& b) { return a.first_seq < b.first_seq; });
  return out;
}

std::string format_audit_time(TimePoint at) {
  const auto us = std::chrono::floor<std::chrono::microseconds>(at);
  const auto s = std::chrono::floor<std::chrono::seconds>(us);
  std::string text = format_utc_time(s);  // "YYYY-MM-DDTHH:MM:SSZ"
  if (!text.empty() && text.back() == 'Z') text.pop_back();
  char frac[16];
  (void)std::snprintf(frac, sizeof frac, ".%06lldZ", static_cast<long long>((us - s).count()));
  return text + frac;
}

std::optional<TimePoint> parse_audit_time(std::string_view text) {
  // "YYYY-MM-DDTHH:MM:SS" ".uuuuuu" "Z"
  if (text.size() != 27 || text[19] != '.' || text[26] != 'Z' || text[10] != 'T')
    return std::nullopt;
  auto seconds = parse_utc_time(text.substr(0, 19));
  if (!seconds) return std::nullopt;
  std::int64_t us = 0;
  for (char c : text.substr(20, 6)) {
    if (c < '0' || c > '9') return std::nullopt;
    us = us * 10 + (c - '0');
  }
  return *seconds + std::chrono::microseconds(us);
}

EncodedEntry encode_entry(const AuditEntry& e, std::uint64_t seq, std::string_view prev) {
  // ordered_json keeps insertion order: this is the documented key order.
  nlohmann::ordered_json j;
  j["seq"] = seq;
  j["prev"] = prev;
  j["at"] = format_audit_time(e.at);
  j["request_id"] = e.request_id;
  j["front"] = e.front;
  j["member"] = e.member;
  j["member_certificate"] = e.member_certificate;
  j["officer_id"] = e.officer_id;
  j["officer_account"] = e.officer_account;
  j["subject"] = e.subject;
  j["document_type"] = e.document_type;
  j["dossier_code"] = e.dossier_code;
  j["procedure_code"] = e.procedure_code;
  if (!e.client_request_id.empty()) j["client_request_id"] = e.client_request_id;
  if (!e.request_jti.empty()) j["request_jti"] = e.request_jti;
  j["adapter"] = e.adapter;
  j["outcome"] = e.outcome;
  j["cache_hit"] = e.cache_hit;
  j["latency_us"] = e.latency_us;
  // Invalid UTF-8 (never expected: every field was validated upstream) becomes U+FFFD rather
  // than an exception; the hash covers what is written either way.
  std::string canonical = j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
  EncodedEntry out;
  out.hash = sha256_hex(canonical);
  out.line = std::move(canonical);
  out.line.pop_back();  // the closing brace
  out.line.append(kHashKey).append(out.hash).append("\"}\n");
  return out;
}

Result<ChainLink> parse_link(std::string_view line) {
  std::string_view stored;
  auto canonical = canonical_of(line, stored);
  if (!canonical) return malformed("no hash member at the end of the line");
  if (!is_lower_hex(stored)) return malformed("hash is not 64 lowercase hex digits");
  const json j = json::parse(*canonical, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return malformed("not a JSON object");
  if (j.contains("hash")) return malformed("more than one hash member");
  auto seq = j.find("seq");
  if (seq == j.end() || !seq->is_number_unsigned() || seq->get<std::uint64_t>() == 0)
    return malformed("seq is not a positive integer");
  auto prev = j.find("prev");
  if (prev == j.end() || !prev->is_string() || !is_hash(prev->get_ref<const std::string&>()))
    return malformed("prev is not 64 lowercase hex digits");
  ChainLink link;
  link.seq = seq->get<std::uint64_t>();
  link.prev = prev->get<std::string>();
  link.hash = std::string(stored);
  link.hash_ok = sha256_hex(*canonical) == stored;
  return link;
}

Result<DecodedEntry> decode_entry(std::string_view line) {
  auto link = parse_link(line);
  if (!link) return tl::unexpected(link.error());
  std::string_view stored;
  const json j = json::parse(*canonical_of(line, stored), nullptr, false);
  DecodedEntry out;
  out.link = std::move(*link);
  auto text = [&j](const char* key, std::string& into) {
    auto it = j.find(key);
    if (it == j.end() || !it->is_string()) return false;
    into = it->get<std::string>();
    return true;
  };
  std::string at;
  AuditEntry& e = out.entry;
  if (!text("at", at) || !text("request_id", e.request_id) || !text("front", e.front) ||
      !text("member", e.member) || !text("member_certificate", e.member_certificate) ||
      !text("officer_id", e.officer_id) || !text("officer_account", e.officer_account) ||
      !text("subject", e.subject) || !text("document_type", e.document_type) ||
      !text("dossier_code", e.dossier_code) || !text("procedure_code", e.procedure_code) ||
      !text("adapter", e.adapter) || !text("outcome", e.outcome))
    return malformed("a text field is missing or not a string");
  for (auto [key, into] : {std::pair{"client_request_id", &e.client_request_id},
                            std::pair{"request_jti", &e.request_jti}}) {
    if (auto it = j.find(key); it != j.end()) {
      if (!it->is_string()) return malformed(std::string(key) + " is not a string");
      *into = it->get<std::string>();
    }
  }
  auto when = parse_audit_time(at);
  if (!when) return malformed("at is not a UTC time with microseconds");
  e.at = *when;
  auto hit = j.find("cache_hit");
  auto latency = j.find("latency_us");
  if (hit == j.end() || !hit->is_boolean() || latency == j.end() || !latency->is_number_integer())
    return malformed("cache_hit or latency_us missing or mistyped");
  e.cache_hit = hit->get<bool>();
  e.latency_us = latency->get<std::int64_t>();
  return out;
}

std::string encode_head(const ChainHead& head) {
  return "{\"seq\":" + std::to_string(head.seq) + ",\"hash\":\"" + head.hash + "\"}\n";
}

Result<ChainHead> parse_head(std::string_view text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.remove_suffix(1);
  const json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object())
    return fail(ErrorCode::kInternal, "HEAD is not a JSON object");
  auto seq = j.find("seq");
  auto hash = j.find("hash");
  if (seq == j.end() || !seq->is_number_unsigned() || hash == j.end() || !hash->is_string() ||
      !is_hash(hash->get_ref<const std::string&>()))
    return fail(ErrorCode::kInternal, "HEAD lacks seq or a 64-hex hash");
  return ChainHead{seq->get<std::uint64_t>(), hash->get<std::string>()};
}

bool LineReader::fill() {
  for (;;) {
    const ssize_t n = ::read(fd_, buffer_.data(), buffer_.size());
    if (n < 0 && errno == EINTR) continue;
    begin_ = 0;
    end_ = n > 0 ? static_cast<std::size_t>(n) : 0;
    if (n == 0) eof_ = true;
    return n > 0;
  }
}

LineReader::Status LineReader::next(std::string& line, bool& terminated) {
  line.clear();
  terminated = false;
  bool started = false, too_long = false;
  for (;;) {
    if (begin_ == end_) {
      if (eof_ || !fill()) {
        if (!eof_) return Status::kError;
        if (!started) return Status::kEnd;
        return too_long ? Status::kTooLong : Status::kLine;  // a last line with no '\n'
      }
    }
    started = true;
    const char* base = buffer_.data();
    const void* nl = std::memchr(base + begin_, '\n', end_ - begin_);
    const std::size_t stop =
        nl ? static_cast<std::size_t>(static_cast<const char*>(nl) - base) : end_;
    const std::size_t n = stop - begin_;
    if (!too_long && line.size() + n > kMaxLineBytes) {
      too_long = true;
      line.clear();
    }
    if (!too_long) line.append(base + begin_, n);
    offset_ += n;
    begin_ = stop;
    if (nl) {
      ++begin_;
      ++offset_;
      terminated = true;
      return too_long ? Status::kTooLong : Status::kLine;
    }
  }
}

}  // namespace lienthong::audit
