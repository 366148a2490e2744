// The on-disk files of the subject index (gateway/audit/README.md, "Subject index"): per
// segment either an append-only tail file (the open segment) or an immutable sorted file (a
// closed one). This header knows their bytes and how to validate them; audit_index.h decides
// when to write or rebuild which. Every number is a little-endian u64.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/core/error.h"

namespace lienthong::audit::index {

// 8 bytes of SHA-256(subject): the index never holds a subject in clear. Never 0: a record
// with key 0 stands for a line that could not be read as an entry (it still advances the index).
std::uint64_t subject_key(std::string_view subject);

// What the indexer needs from a raw line (without its '\n'), found without parsing JSON: the
// query re-reads the line, decodes it fully and checks its hash, so this only has to be right
// for well-formed lines. A JSON string cannot hold an unescaped quote, so the first
// `,"subject":"` in a well-formed line is the member itself.
struct LineFields {
  std::string_view subject;  // raw bytes between the quotes
  std::uint64_t seq = 0;
  std::uint64_t tag = 0;  // the first 16 hex digits of the line's stored hash
};
std::optional<LineFields> scan_line(std::string_view line);

// One indexed line of a segment: [offset, offset + length) is the line without its '\n'.
struct Record {
  std::uint64_t key = 0;  // subject_key, or 0 for an unreadable line
  std::uint64_t offset = 0;
  std::uint64_t length = 0;
  std::uint64_t tag = 0;  // LineFields::tag (tail files only)
  std::uint64_t end() const { return offset + length + 1; }
};

// ---- tail file: "audit-<N>.tidx", for the segment still being written --------------------
// Header (32 bytes): magic "LTIDXT01", first_seq, 0, check. Then 40-byte records
// {key, offset, length, tag, check}, one per complete line in log order, the first at offset 0
// and each starting where the previous ended: a record that breaks this or its own check ends
// the valid prefix.
inline constexpr std::size_t kTailHeaderBytes = 32;
inline constexpr std::size_t kTailRecordBytes = 40;
std::string encode_tail_header(std::uint64_t first_seq);
std::string encode_tail_record(const Record& record);

struct TailContents {
  std::vector<Record> records;    // the valid prefix
  std::uint64_t valid_bytes = 0;  // header + the valid records (the rest is to be cut off)
  bool header_ok = false;
  bool complete = false;  // every byte of the file was valid
};
TailContents decode_tail(std::string_view bytes, std::uint64_t first_seq);

// ---- sorted file: "audit-<N>.sidx", for a closed segment, written once -------------------
// Header (64 bytes): magic "LTIDXS01", first_seq, segment_bytes (the segment's size when
// indexed), last_seq, records, unreadable, blocks, check (over the header's first 56 bytes and
// the block table). Block table: per block {first key, check of the block}. Then the records
// {key, offset << 24 | length}, sorted by (key, offset), in blocks of kBlockRecords.
inline constexpr std::size_t kSortedHeaderBytes = 64;
inline constexpr std::size_t kBlockRecords = 256;
inline constexpr std::size_t kSortedRecordBytes = 16;
inline constexpr std::uint64_t kMaxLength = (1u << 24) - 1;
inline constexpr std::uint64_t kMaxOffset = (std::uint64_t{1} << 40) - 1;

struct SortedHeader {
  std::uint64_t first_seq = 0;
  std::uint64_t segment_bytes = 0;
  std::uint64_t last_seq = 0;
  std::uint64_t records = 0;
  std::uint64_t unreadable = 0;
  std::uint64_t blocks = 0;
};
// `records` are the readable lines of the segment in any order (sorted here).
std::string encode_sorted(SortedHeader header, std::vector<Record> records);

// Reads a sorted file through an open descriptor: the header and block table once (validated
// by open), then only the blocks that can hold a key (each validated when read).
class SortedReader {
 public:
  // INTERNAL when the file is not a valid sorted index for `first_seq`.
  static Result<SortedReader> open(int fd, std::uint64_t file_bytes, std::uint64_t first_seq);
  const SortedHeader& header() const { return header_; }
  // The records with this key, by offset. INTERNAL when a block read fails its check.
  Result<std::vector<Record>> find(std::uint64_t key) const;

 private:
  int fd_ = -1;
  SortedHeader header_;
  std::vector<std::uint64_t> first_keys_, block_checks_;
};

// Truncated SHA-256 of some bytes: the check of headers and blocks.
std::uint64_t check64(std::string_view bytes);

// "audit-<N>.tidx" / "audit-<N>.sidx" and back.
std::string tail_file_name(std::uint64_t first_seq);
std::string sorted_file_name(std::uint64_t first_seq);
struct IndexFileName {
  std::uint64_t first_seq = 0;
  bool sorted = false;
};
std::optional<IndexFileName> parse_index_file_name(std::string_view name);

}  // namespace lienthong::audit::index
