// VerifiedRecord <-> bytes for the record cache. The bytes come back from Redis, which is outside
// the process: decoding checks every length and bound and answers a typed error, never a crash,
// never a read past the end, never an allocation the input and the limits do not justify.
//
// Format (version 2), length-prefixed binary; integers little-endian; str = u32 length + bytes:
//   "LTR" 0x02                                  magic and version
//   str code, str subject, str doc_type
//   u32 field count, then per field: str name, str value
//   str source
//   str evidence.kind, str evidence.signed_bytes, str evidence.signer,
//   str evidence.signer_fingerprint
//   i64 verified_at, i64 expires_at             unix seconds
// and nothing after. Binary rather than JSON (version 1) because serialising and parsing the
// base64 evidence inside JSON cost ~14% of the gateway's CPU on cache hits
// (docs/perf/cached-path.md); the evidence now travels as raw bytes, kept exactly as received.
// Every other string is UTF-8, checked both ways. Times keep whole seconds (sub-second parts are
// dropped; a time before the epoch is stored as 0, as in version 1).
//
// A version-1 value (JSON, starts with '{') is refused like any other bad value: the cache
// treats a decode error as a miss, so entries written by an older gateway are refetched and
// overwritten; no migration is needed.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "gateway/core/error.h"
#include "gateway/core/record.h"

namespace lienthong::cache {

inline constexpr int kRecordFormatVersion = 2;

struct RecordCodecLimits {
  std::size_t max_bytes = 8u << 20;  // the whole encoded record (and so the evidence)
  std::size_t max_fields = 4096;
  std::size_t max_string_bytes = 1u << 20;  // any one string other than the evidence
};

// INTERNAL when a string (other than the evidence) is not valid UTF-8, the code is not
// "<subject>.<doc type>", or a time lies past what decode_record accepts: such a record could
// not come back, so it is not cached rather than altered. Size limits are the reader's: a record
// over them encodes, and reads back as a miss.
Result<std::string> encode_record(const VerifiedRecord& record);

// INTERNAL with a detail naming what is wrong (never a value from the bytes) when the bytes are
// not a version-2 record within `limits`.
Result<VerifiedRecord> decode_record(std::string_view bytes, const RecordCodecLimits& limits = {});

}  // namespace lienthong::cache
