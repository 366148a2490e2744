// The audit log's on-disk format (gateway/audit/README.md): segment names, one JSON line per
// entry chained by SHA-256, the HEAD anchor, and a bounded line reader. Shared by the writer
// (SegmentAuditLog) and the verifier so that both read the same definition.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/audit/audit_sink.h"
#include "gateway/core/encoding.h"
#include "gateway/core/error.h"

namespace lienthong::audit {

// `prev` of entry 1.
inline constexpr std::string_view kGenesisHash =
    "0000000000000000000000000000000000000000000000000000000000000000";
inline constexpr std::size_t kMaxLineBytes = 1u << 20;
inline constexpr std::string_view kHeadFile = "HEAD";

// Lowercase hex SHA-256.
using lienthong::sha256_hex;  // gateway/core/encoding.h

// "audit-000000000042.log" for the segment whose first entry is seq 42.
std::string segment_file_name(std::uint64_t first_seq);
// The first seq from a segment file name; nullopt for any other name.
std::optional<std::uint64_t> parse_segment_file_name(std::string_view name);

struct SegmentFile {
  std::filesystem::path path;
  std::uint64_t first_seq = 0;
};
// The segment files of `dir`, in order. Other files are ignored.
Result<std::vector<SegmentFile>> list_segments(const std::filesystem::path& dir);

// One encoded entry: the line (ending in '\n') and its hash.
struct EncodedEntry {
  std::string line;
  std::string hash;
};
// Canonical bytes = the JSON object with every field but "hash", keys in the documented order,
// no whitespace; hash = SHA-256(canonical bytes); the line is the canonical bytes with
// `,"hash":"<hash>"` inserted before the closing brace.
EncodedEntry encode_entry(const AuditEntry& entry, std::uint64_t seq, std::string_view prev);

// The chain fields of one line (without its '\n'), and whether its hash is right.
struct ChainLink {
  std::uint64_t seq = 0;
  std::string prev;
  std::string hash;      // as stored in the line
  bool hash_ok = false;  // stored hash == SHA-256 of the canonical bytes
};
// INTERNAL with a reason when the line is not an entry at all (no hash suffix, not JSON, no
// seq/prev). A well-formed line whose hash is wrong parses, with hash_ok false.
Result<ChainLink> parse_link(std::string_view line);

// Every field of an entry line (for queries over the audit). Does not check the hash.
struct DecodedEntry {
  AuditEntry entry;
  ChainLink link;
};
Result<DecodedEntry> decode_entry(std::string_view line);

// HEAD: `{"seq":N,"hash":"<hex>"}` and a newline: the last entry known to be durable.
struct ChainHead {
  std::uint64_t seq = 0;
  std::string hash{kGenesisHash};
};
std::string encode_head(const ChainHead& head);
Result<ChainHead> parse_head(std::string_view text);

// "2026-11-22T10:00:00.123456Z" (UTC, microseconds) and back.
std::string format_audit_time(TimePoint at);
std::optional<TimePoint> parse_audit_time(std::string_view text);

// Reads a file line by line through a fixed buffer, so a segment is never loaded whole and a
// line longer than kMaxLineBytes is reported instead of read.
class LineReader {
 public:
  enum class Status { kLine, kEnd, kTooLong, kError };
  explicit LineReader(int fd) : fd_(fd) {}
  // kLine: `line` holds the next line without '\n'; `terminated` is false for a final line that
  // has no '\n' (a torn write). kTooLong: the line was skipped. kError: read(2) failed (errno).
  Status next(std::string& line, bool& terminated);
  // Bytes consumed so far: after a terminated line, the offset where the next line starts.
  std::uint64_t offset() const { return offset_; }

 private:
  bool fill();

  int fd_;
  std::string buffer_ = std::string(std::size_t{64} << 10, '\0');
  std::size_t begin_ = 0, end_ = 0;
  std::uint64_t offset_ = 0;
  bool eof_ = false;
};

}  // namespace lienthong::audit
