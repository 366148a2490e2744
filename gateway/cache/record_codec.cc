#include "gateway/cache/record_codec.h"

#include <openssl/evp.h>

#include <chrono>
#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <span>

#include "gateway/core/encoding.h"

namespace lienthong::cache {

namespace {

using nlohmann::json;

// Whole seconds since the epoch that a system_clock time point can hold on every platform we
// build for (nanosecond ticks in int64 reach the year 2262).
constexpr std::uint64_t kMaxSeconds = 9'000'000'000;

constexpr const char* kKeys[] = {"v",      "code",     "subject",     "doc_type",  "fields",
                                 "source", "evidence", "verified_at", "expires_at"};
constexpr const char* kEvidenceKeys[] = {"kind", "signed_bytes", "signer", "signer_fingerprint"};

// Strict UTF-8 (no overlong forms, no surrogates, nothing above U+10FFFF): nlohmann refuses the
// same, and checking first means dumping can never throw.
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

bool is_base64_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
         c == '/';
}

Result<std::string> base64_decode(std::string_view text) {
  // EVP_DecodeBlock tolerates surrounding blanks and zero-fills padding, so check the alphabet
  // and padding here and cut the padding's bytes afterwards.
  if (text.size() % 4 != 0)
    return fail(ErrorCode::kInternal, "cached record: evidence is not base64");
  std::size_t pad = 0;
  while (pad < 2 && pad < text.size() && text[text.size() - 1 - pad] == '=') ++pad;
  for (std::size_t i = 0; i + pad < text.size(); ++i)
    if (!is_base64_char(text[i]))
      return fail(ErrorCode::kInternal, "cached record: evidence is not base64");
  if (text.empty()) return std::string();
  if (text.size() > static_cast<std::size_t>(std::numeric_limits<int>::max()))
    return fail(ErrorCode::kInternal, "cached record: evidence too large");
  std::string out(3 * (text.size() / 4), '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(text.data()),
                                static_cast<int>(text.size()));
  if (n < 0 || static_cast<std::size_t>(n) < pad)
    return fail(ErrorCode::kInternal, "cached record: evidence is not base64");
  out.resize(static_cast<std::size_t>(n) - pad);
  return out;
}

std::uint64_t to_seconds(TimePoint at) {
  const auto s = std::chrono::duration_cast<std::chrono::seconds>(at.time_since_epoch()).count();
  return s < 0 ? 0 : static_cast<std::uint64_t>(s);
}

tl::unexpected<Error> malformed(std::string_view what) {
  return fail(ErrorCode::kInternal, "cached record: " + std::string(what));
}

// The string member `key` of `obj`, checked for type, size and encoding.
Result<std::string> string_member(const json& obj, const char* key, std::size_t max_bytes) {
  auto it = obj.find(key);
  if (it == obj.end()) return malformed(std::string("missing \"") + key + "\"");
  if (!it->is_string()) return malformed(std::string("\"") + key + "\" is not a string");
  const auto& s = it->get_ref<const std::string&>();
  if (s.size() > max_bytes) return malformed(std::string("\"") + key + "\" too long");
  return s;
}

Result<TimePoint> time_member(const json& obj, const char* key) {
  auto it = obj.find(key);
  if (it == obj.end()) return malformed(std::string("missing \"") + key + "\"");
  if (!it->is_number_unsigned())
    return malformed(std::string("\"") + key + "\" is not a non-negative integer");
  const auto s = it->get<std::uint64_t>();
  if (s > kMaxSeconds) return malformed(std::string("\"") + key + "\" out of range");
  return TimePoint(std::chrono::seconds(static_cast<std::int64_t>(s)));
}

// Unknown members are refused: a version-1 record has exactly these.
bool only_known_keys(const json& obj, std::span<const char* const> keys) {
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    bool known = false;
    for (const char* k : keys) known = known || it.key() == k;
    if (!known) return false;
  }
  return true;
}

}  // namespace

Result<std::string> encode_record(const VerifiedRecord& record) {
  const std::string_view strings[] = {record.code,
                                      record.subject,
                                      record.doc_type,
                                      record.source,
                                      record.evidence.kind,
                                      record.evidence.signer,
                                      record.evidence.signer_fingerprint};
  for (auto s : strings)
    if (!valid_utf8(s)) return fail(ErrorCode::kInternal, "record not cached: text is not UTF-8");
  // decode_record checks the same, so a record that could never come back is not stored.
  if (record.code != record_code(record.subject, record.doc_type))
    return fail(ErrorCode::kInternal, "record not cached: code is not <subject>.<document type>");
  json fields = json::array();
  for (const auto& [name, value] : record.fields) {
    if (!valid_utf8(name) || !valid_utf8(value))
      return fail(ErrorCode::kInternal, "record not cached: a field is not UTF-8");
    fields.push_back(json::array({name, value}));
  }
  json out = {
      {"v", kRecordFormatVersion},
      {"code", record.code},
      {"subject", record.subject},
      {"doc_type", record.doc_type},
      {"fields", std::move(fields)},
      {"source", record.source},
      {"evidence",
       {{"kind", record.evidence.kind},
        {"signed_bytes", base64_encode(record.evidence.signed_bytes)},
        {"signer", record.evidence.signer},
        {"signer_fingerprint", record.evidence.signer_fingerprint}}},
      {"verified_at", to_seconds(record.verified_at)},
      {"expires_at", to_seconds(record.expires_at)},
  };
  // `replace` is never used (everything was checked above); it only rules out a throw.
  return out.dump(-1, ' ', false, json::error_handler_t::replace);
}

Result<VerifiedRecord> decode_record(std::string_view bytes, const RecordCodecLimits& limits) {
  if (bytes.size() > limits.max_bytes) return malformed("too large");
  const json doc = json::parse(bytes.begin(), bytes.end(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return malformed("not JSON");
  if (!doc.is_object()) return malformed("not an object");
  auto version = doc.find("v");
  if (version == doc.end() || !version->is_number_unsigned() ||
      version->get<std::uint64_t>() != static_cast<std::uint64_t>(kRecordFormatVersion))
    return malformed("unsupported format version");
  if (!only_known_keys(doc, kKeys)) return malformed("unknown member");

  VerifiedRecord record;
  const std::size_t max = limits.max_string_bytes;
  auto code = string_member(doc, "code", max);
  if (!code) return tl::unexpected(code.error());
  auto subject = string_member(doc, "subject", max);
  if (!subject) return tl::unexpected(subject.error());
  auto doc_type = string_member(doc, "doc_type", max);
  if (!doc_type) return tl::unexpected(doc_type.error());
  auto source = string_member(doc, "source", max);
  if (!source) return tl::unexpected(source.error());
  if (*code != record_code(*subject, *doc_type))
    return malformed("code does not match subject and document type");
  record.code = std::move(*code);
  record.subject = std::move(*subject);
  record.doc_type = std::move(*doc_type);
  record.source = std::move(*source);

  auto fields = doc.find("fields");
  if (fields == doc.end() || !fields->is_array()) return malformed("\"fields\" is not an array");
  if (fields->size() > limits.max_fields) return malformed("too many fields");
  record.fields.reserve(fields->size());
  for (const auto& field : *fields) {
    if (!field.is_array() || field.size() != 2 || !field[0].is_string() || !field[1].is_string())
      return malformed("a field is not a [name, value] pair of strings");
    const auto& name = field[0].get_ref<const std::string&>();
    const auto& value = field[1].get_ref<const std::string&>();
    if (name.empty() || name.size() > max || value.size() > max)
      return malformed("a field name or value has a bad length");
    record.fields.emplace_back(name, value);
  }

  auto evidence = doc.find("evidence");
  if (evidence == doc.end() || !evidence->is_object())
    return malformed("\"evidence\" is not an object");
  if (!only_known_keys(*evidence, kEvidenceKeys)) return malformed("unknown evidence member");
  auto kind = string_member(*evidence, "kind", max);
  if (!kind) return tl::unexpected(kind.error());
  auto signed_b64 = string_member(*evidence, "signed_bytes", limits.max_bytes);
  if (!signed_b64) return tl::unexpected(signed_b64.error());
  auto signed_bytes = base64_decode(*signed_b64);
  if (!signed_bytes) return tl::unexpected(signed_bytes.error());
  auto signer = string_member(*evidence, "signer", max);
  if (!signer) return tl::unexpected(signer.error());
  auto fingerprint = string_member(*evidence, "signer_fingerprint", max);
  if (!fingerprint) return tl::unexpected(fingerprint.error());
  record.evidence = Evidence{std::move(*kind), std::move(*signed_bytes), std::move(*signer),
                             std::move(*fingerprint)};

  auto verified_at = time_member(doc, "verified_at");
  if (!verified_at) return tl::unexpected(verified_at.error());
  auto expires_at = time_member(doc, "expires_at");
  if (!expires_at) return tl::unexpected(expires_at.error());
  record.verified_at = *verified_at;
  record.expires_at = *expires_at;
  return record;
}

}  // namespace lienthong::cache
