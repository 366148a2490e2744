// VerifiedRecord <-> bytes for the record cache. The bytes come back from Redis, which is outside
// the process: decoding checks every type and size and answers a typed error, never a crash.
// Format (version 1), one JSON object:
//   {"v":1,"code":…,"subject":…,"doc_type":…,"fields":[[name,value],…],"source":…,
//    "evidence":{"kind":…,"signed_bytes":<base64>,"signer":…,"signer_fingerprint":…},
//    "verified_at":<unix seconds>,"expires_at":<unix seconds>}
// Times keep whole seconds (sub-second parts are dropped); the evidence bytes are base64 because
// they are kept exactly as received, whatever their encoding. Every other string is UTF-8.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "gateway/core/error.h"
#include "gateway/core/record.h"

namespace lienthong::cache {

inline constexpr int kRecordFormatVersion = 1;

struct RecordCodecLimits {
  std::size_t max_bytes = 8u << 20;  // the whole encoded record
  std::size_t max_fields = 4096;
  std::size_t max_string_bytes = 1u << 20;  // any one string other than the evidence
};

// INTERNAL when a string (other than the evidence) is not valid UTF-8: such a record is not
// cached rather than altered.
Result<std::string> encode_record(const VerifiedRecord& record);

// INTERNAL with a detail naming what is wrong (never a value from the bytes) when the bytes are
// not a version-1 record within `limits`.
Result<VerifiedRecord> decode_record(std::string_view bytes, const RecordCodecLimits& limits = {});

}  // namespace lienthong::cache
