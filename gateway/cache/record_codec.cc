#include "gateway/cache/record_codec.h"

#include <chrono>
#include <cstdint>
#include <limits>

namespace lienthong::cache {

namespace {

constexpr std::string_view kMagic{"LTR\x02", 4};
static_assert(kRecordFormatVersion == 2, "kMagic carries the version byte");

constexpr std::size_t kLengthBytes = 4;  // u32 before every string, and the field count
constexpr std::size_t kTimeBytes = 8;

// Whole seconds since the epoch that a system_clock time point can hold on every platform we
// build for (nanosecond ticks in int64 reach the year 2262).
constexpr std::int64_t kMaxSeconds = 9'000'000'000;

// Strict UTF-8 (no overlong forms, no surrogates, nothing above U+10FFFF), the same rule version 1
// had through its JSON parser. No library we link offers a plain validator.
bool valid_utf8(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const auto* end = p + s.size();
  while (p < end) {
    const unsigned char c = *p;
    if (c < 0x80) {
      ++p;
      continue;
    }
    int extra = 0;
    std::uint32_t cp = 0;
    if (c >= 0xC2 && c <= 0xDF) {
      extra = 1;
      cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
      extra = 2;
      cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      extra = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (end - p <= extra) return false;
    for (int i = 1; i <= extra; ++i) {
      if ((p[i] & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (p[i] & 0x3F);
    }
    if ((extra == 2 && cp < 0x800) || (extra == 3 && cp < 0x10000) || cp > 0x10FFFF ||
        (cp >= 0xD800 && cp <= 0xDFFF))
      return false;
    p += extra + 1;
  }
  return true;
}

// record_code(subject, doc_type) == code, without building the string.
bool is_code_of(std::string_view code, std::string_view subject, std::string_view doc_type) {
  return code.size() == subject.size() + 1 + doc_type.size() && code.starts_with(subject) &&
         code[subject.size()] == '.' && code.ends_with(doc_type);
}

std::int64_t to_seconds(TimePoint at) {
  const auto s = std::chrono::duration_cast<std::chrono::seconds>(at.time_since_epoch()).count();
  return s < 0 ? 0 : static_cast<std::int64_t>(s);
}

void put_u32(std::string& out, std::uint32_t v) {
  const char b[kLengthBytes] = {static_cast<char>(v), static_cast<char>(v >> 8),
                                static_cast<char>(v >> 16), static_cast<char>(v >> 24)};
  out.append(b, sizeof b);
}

void put_i64(std::string& out, std::int64_t v) {
  const auto u = static_cast<std::uint64_t>(v);
  char b[kTimeBytes];
  for (std::size_t i = 0; i < kTimeBytes; ++i) b[i] = static_cast<char>(u >> (8 * i));
  out.append(b, sizeof b);
}

// Callers checked that s.size() fits in a u32.
void put_str(std::string& out, std::string_view s) {
  put_u32(out, static_cast<std::uint32_t>(s.size()));
  out.append(s);
}

tl::unexpected<Error> malformed(std::string_view what) {
  return fail(ErrorCode::kInternal, "cached record: " + std::string(what));
}

// Reads the format front to back. Every length is compared with its limit and with what remains
// before anything is read, so nothing past the end is touched and nothing is allocated here: the
// strings are views into the input. `what` names the part for the error, never its value.
class Reader {
 public:
  explicit Reader(std::string_view bytes) : rest_(bytes) {}

  std::size_t remaining() const { return rest_.size(); }

  Result<std::uint32_t> u32(std::string_view what) {
    if (rest_.size() < kLengthBytes) return truncated(what);
    std::uint32_t v = 0;
    for (std::size_t i = 0; i < kLengthBytes; ++i)
      v |= static_cast<std::uint32_t>(static_cast<unsigned char>(rest_[i])) << (8 * i);
    rest_.remove_prefix(kLengthBytes);
    return v;
  }

  // Seconds within [0, kMaxSeconds], as a TimePoint.
  Result<TimePoint> time(std::string_view what) {
    if (rest_.size() < kTimeBytes) return truncated(what);
    std::uint64_t u = 0;
    for (std::size_t i = 0; i < kTimeBytes; ++i)
      u |= static_cast<std::uint64_t>(static_cast<unsigned char>(rest_[i])) << (8 * i);
    rest_.remove_prefix(kTimeBytes);
    const auto s = static_cast<std::int64_t>(u);
    if (s < 0 || s > kMaxSeconds) return malformed(std::string(what) + " out of range");
    return TimePoint(std::chrono::seconds(s));
  }

  // Raw bytes (the evidence), at most `max` of them.
  Result<std::string_view> bytes(std::string_view what, std::size_t max) {
    auto size = u32(what);
    if (!size) return tl::unexpected(size.error());
    if (*size > max) return malformed(std::string(what) + " too long");
    if (*size > rest_.size()) return truncated(what);
    const std::string_view out = rest_.substr(0, *size);
    rest_.remove_prefix(*size);
    return out;
  }

  // A UTF-8 string of at most `max` bytes.
  Result<std::string_view> text(std::string_view what, std::size_t max) {
    auto s = bytes(what, max);
    if (s && !valid_utf8(*s)) return malformed(std::string(what) + " is not UTF-8");
    return s;
  }

 private:
  static tl::unexpected<Error> truncated(std::string_view what) {
    return malformed(std::string(what) + " truncated");
  }

  std::string_view rest_;
};

}  // namespace

Result<std::string> encode_record(const VerifiedRecord& record) {
  const std::string_view texts[] = {record.code,
                                    record.subject,
                                    record.doc_type,
                                    record.source,
                                    record.evidence.kind,
                                    record.evidence.signer,
                                    record.evidence.signer_fingerprint};
  constexpr std::size_t kMaxLength = std::numeric_limits<std::uint32_t>::max();
  // Size first, so that the output is allocated once.
  std::size_t size = kMagic.size() + kLengthBytes * (std::size(texts) + 2) + 2 * kTimeBytes +
                     record.evidence.signed_bytes.size();
  for (auto s : texts) {
    if (!valid_utf8(s)) return fail(ErrorCode::kInternal, "record not cached: text is not UTF-8");
    if (s.size() > kMaxLength) return fail(ErrorCode::kInternal, "record not cached: text too long");
    size += s.size();
  }
  // decode_record checks the same, so a record that could never come back is not stored.
  if (!is_code_of(record.code, record.subject, record.doc_type))
    return fail(ErrorCode::kInternal, "record not cached: code is not <subject>.<document type>");
  for (const auto& [name, value] : record.fields) {
    if (!valid_utf8(name) || !valid_utf8(value))
      return fail(ErrorCode::kInternal, "record not cached: a field is not UTF-8");
    if (name.empty()) return fail(ErrorCode::kInternal, "record not cached: a field has no name");
    if (name.size() > kMaxLength || value.size() > kMaxLength)
      return fail(ErrorCode::kInternal, "record not cached: a field is over 4 GiB");
    size += 2 * kLengthBytes + name.size() + value.size();
  }
  if (record.fields.size() > kMaxLength)
    return fail(ErrorCode::kInternal, "record not cached: too many fields");
  if (record.evidence.signed_bytes.size() > kMaxLength)
    return fail(ErrorCode::kInternal, "record not cached: evidence is over 4 GiB");
  const std::int64_t verified_at = to_seconds(record.verified_at);
  const std::int64_t expires_at = to_seconds(record.expires_at);
  if (verified_at > kMaxSeconds || expires_at > kMaxSeconds)
    return fail(ErrorCode::kInternal, "record not cached: a time is out of range");

  std::string out;
  out.reserve(size);
  out.append(kMagic);
  put_str(out, record.code);
  put_str(out, record.subject);
  put_str(out, record.doc_type);
  put_u32(out, static_cast<std::uint32_t>(record.fields.size()));
  for (const auto& [name, value] : record.fields) {
    put_str(out, name);
    put_str(out, value);
  }
  put_str(out, record.source);
  put_str(out, record.evidence.kind);
  put_str(out, record.evidence.signed_bytes);
  put_str(out, record.evidence.signer);
  put_str(out, record.evidence.signer_fingerprint);
  put_i64(out, verified_at);
  put_i64(out, expires_at);
  return out;
}

Result<VerifiedRecord> decode_record(std::string_view bytes, const RecordCodecLimits& limits) {
  if (bytes.size() > limits.max_bytes) return malformed("too large");
  if (!bytes.starts_with(kMagic)) {
    if (bytes.starts_with('{')) return malformed("not a version-2 record (version-1 JSON)");
    if (bytes.size() >= kMagic.size() && bytes.starts_with(kMagic.substr(0, 3)))
      return malformed("not a version-2 record (unsupported format version)");
    return malformed("not a version-2 record (no magic)");
  }
  Reader in(bytes.substr(kMagic.size()));
  const std::size_t max = limits.max_string_bytes;

  auto code = in.text("code", max);
  if (!code) return tl::unexpected(code.error());
  auto subject = in.text("subject", max);
  if (!subject) return tl::unexpected(subject.error());
  auto doc_type = in.text("doc_type", max);
  if (!doc_type) return tl::unexpected(doc_type.error());
  if (!is_code_of(*code, *subject, *doc_type))
    return malformed("code does not match subject and document type");

  auto count = in.u32("field count");
  if (!count) return tl::unexpected(count.error());
  if (*count > limits.max_fields) return malformed("too many fields");
  // Each field takes at least its two lengths: a count that the rest cannot hold is refused
  // before reserving for it.
  if (*count > in.remaining() / (2 * kLengthBytes)) return malformed("fields truncated");
  RecordFields fields;
  fields.reserve(*count);
  for (std::uint32_t i = 0; i < *count; ++i) {
    auto name = in.text("a field name", max);
    if (!name) return tl::unexpected(name.error());
    if (name->empty()) return malformed("a field name is empty");
    auto value = in.text("a field value", max);
    if (!value) return tl::unexpected(value.error());
    fields.emplace_back(*name, *value);
  }

  auto source = in.text("source", max);
  if (!source) return tl::unexpected(source.error());
  auto kind = in.text("evidence kind", max);
  if (!kind) return tl::unexpected(kind.error());
  // Bounded by max_bytes through the check on the whole.
  auto signed_bytes = in.bytes("evidence bytes", limits.max_bytes);
  if (!signed_bytes) return tl::unexpected(signed_bytes.error());
  auto signer = in.text("evidence signer", max);
  if (!signer) return tl::unexpected(signer.error());
  auto fingerprint = in.text("evidence signer fingerprint", max);
  if (!fingerprint) return tl::unexpected(fingerprint.error());
  auto verified_at = in.time("verified_at");
  if (!verified_at) return tl::unexpected(verified_at.error());
  auto expires_at = in.time("expires_at");
  if (!expires_at) return tl::unexpected(expires_at.error());
  if (in.remaining() != 0) return malformed("trailing bytes");

  VerifiedRecord record;
  record.code = *code;
  record.subject = *subject;
  record.doc_type = *doc_type;
  record.fields = std::move(fields);
  record.source = *source;
  record.evidence = Evidence{std::string(*kind), std::string(*signed_bytes), std::string(*signer),
                             std::string(*fingerprint)};
  record.verified_at = *verified_at;
  record.expires_at = *expires_at;
  return record;
}

}  // namespace lienthong::cache
