#include "gateway/audit/index_files.h"

#include <openssl/sha.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

namespace lienthong::audit::index {

namespace {

constexpr std::string_view kTailMagic = "LTIDXT01";
constexpr std::string_view kSortedMagic = "LTIDXS01";
constexpr std::string_view kSubjectKey = ",\"subject\":\"";
constexpr std::string_view kHashKey = ",\"hash\":\"";
constexpr std::size_t kHashSuffixBytes = kHashKey.size() + 64 + 2;  // ,"hash":"<64>"}

void put64(std::string& out, std::uint64_t v) {
  char b[8];
  for (int i = 0; i < 8; ++i) b[i] = static_cast<char>((v >> (8 * i)) & 0xff);
  out.append(b, 8);
}

std::uint64_t get64(const char* p) {
  std::uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}

// Tail records are checked one by one on every query of the open segment (~100k of them for a
// 64 MiB segment), so they carry a cheap mix rather than a SHA-256: it guards against torn
// writes and bit rot, not against someone who can write the index (README: what it cannot do).
std::uint64_t mix(std::uint64_t h, std::uint64_t v) {
  h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
  h ^= h >> 31;
  h *= 0xbf58476d1ce4e5b9ull;
  h ^= h >> 29;
  return h;
}

std::uint64_t record_check(const Record& r) {
  return mix(mix(mix(mix(0x4c54494458543031ull, r.key), r.offset), r.length), r.tag);
}

std::optional<std::uint64_t> hex16(std::string_view s) {
  std::uint64_t v = 0;
  for (char c : s) {
    int d;
    if (c >= '0' && c <= '9')
      d = c - '0';
    else if (c >= 'a' && c <= 'f')
      d = c - 'a' + 10;
    else
      return std::nullopt;
    v = (v << 4) | static_cast<std::uint64_t>(d);
  }
  return v;
}

tl::unexpected<Error> broken(const std::string& why) {
  return fail(ErrorCode::kInternal, "subject index: " + why);
}

Result<void> pread_all(int fd, char* into, std::size_t n, std::uint64_t at) {
  while (n > 0) {
    const ssize_t got = ::pread(fd, into, n, static_cast<off_t>(at));
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return broken(std::string("read: ") + std::strerror(errno));
    if (got == 0) return broken("file shorter than its header says");
    into += got;
    n -= static_cast<std::size_t>(got);
    at += static_cast<std::uint64_t>(got);
  }
  return {};
}

std::string numbered(std::uint64_t first_seq, const char* suffix) {
  char buf[48];
  (void)std::snprintf(buf, sizeof buf, "audit-%012llu.%s",
                      static_cast<unsigned long long>(first_seq), suffix);
  return buf;
}

}  // namespace

std::uint64_t check64(std::string_view bytes) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), digest);
  return get64(reinterpret_cast<const char*>(digest));
}

std::uint64_t subject_key(std::string_view subject) {
  const std::uint64_t key = check64(subject);
  return key == 0 ? 1 : key;
}

std::optional<LineFields> scan_line(std::string_view line) {
  constexpr std::string_view kSeqKey = "{\"seq\":";
  if (!line.starts_with(kSeqKey) || line.size() < kHashSuffixBytes + kSeqKey.size() + 1)
    return std::nullopt;
  LineFields out;
  std::size_t i = kSeqKey.size();
  const std::size_t digits_start = i;
  while (i < line.size() && i - digits_start < 20 && line[i] >= '0' && line[i] <= '9')
    out.seq = out.seq * 10 + static_cast<std::uint64_t>(line[i++] - '0');
  if (i == digits_start || i >= line.size() || line[i] != ',') return std::nullopt;
  const std::string_view suffix = line.substr(line.size() - kHashSuffixBytes);
  if (!suffix.starts_with(kHashKey) || !suffix.ends_with("\"}")) return std::nullopt;
  auto tag = hex16(suffix.substr(kHashKey.size(), 16));
  if (!tag) return std::nullopt;
  out.tag = *tag;
  const std::size_t at = line.find(kSubjectKey);
  if (at == std::string_view::npos) return std::nullopt;
  const std::size_t begin = at + kSubjectKey.size();
  const std::size_t close = line.find('"', begin);
  if (close == std::string_view::npos) return std::nullopt;
  out.subject = line.substr(begin, close - begin);
  return out;
}

std::string tail_file_name(std::uint64_t first_seq) { return numbered(first_seq, "tidx"); }
std::string sorted_file_name(std::uint64_t first_seq) { return numbered(first_seq, "sidx"); }

std::optional<IndexFileName> parse_index_file_name(std::string_view name) {
  // Same shape as a segment name ("audit-<12 digits>.log") with another suffix.
  if (name.size() != 23 || !name.starts_with("audit-") || name[18] != '.') return std::nullopt;
  IndexFileName out;
  const std::string_view suffix = name.substr(19);
  if (suffix == "sidx")
    out.sorted = true;
  else if (suffix != "tidx")
    return std::nullopt;
  for (char c : name.substr(6, 12)) {
    if (c < '0' || c > '9') return std::nullopt;
    out.first_seq = out.first_seq * 10 + static_cast<std::uint64_t>(c - '0');
  }
  if (out.first_seq == 0) return std::nullopt;
  return out;
}

std::string encode_tail_header(std::uint64_t first_seq) {
  std::string out(kTailMagic);
  put64(out, first_seq);
  put64(out, 0);
  put64(out, check64(out));
  return out;
}

std::string encode_tail_record(const Record& r) {
  std::string out;
  out.reserve(kTailRecordBytes);
  put64(out, r.key);
  put64(out, r.offset);
  put64(out, r.length);
  put64(out, r.tag);
  put64(out, record_check(r));
  return out;
}

TailContents decode_tail(std::string_view bytes, std::uint64_t first_seq) {
  TailContents out;
  if (bytes.size() < kTailHeaderBytes ||
      bytes.substr(0, kTailHeaderBytes) != encode_tail_header(first_seq))
    return out;
  out.header_ok = true;
  out.valid_bytes = kTailHeaderBytes;
  std::uint64_t next_offset = 0;
  std::size_t pos = kTailHeaderBytes;
  for (; pos + kTailRecordBytes <= bytes.size(); pos += kTailRecordBytes) {
    const char* p = bytes.data() + pos;
    Record r{get64(p), get64(p + 8), get64(p + 16), get64(p + 24)};
    if (get64(p + 32) != record_check(r) || r.offset != next_offset) break;
    out.records.push_back(r);
    next_offset = r.end();
    out.valid_bytes = pos + kTailRecordBytes;
  }
  out.complete = out.valid_bytes == bytes.size();
  return out;
}

std::string encode_sorted(SortedHeader header, std::vector<Record> records) {
  std::sort(records.begin(), records.end(), [](const Record& a, const Record& b) {
    return a.key != b.key ? a.key < b.key : a.offset < b.offset;
  });
  header.records = records.size();
  header.blocks = (records.size() + kBlockRecords - 1) / kBlockRecords;
  std::string data;
  data.reserve(records.size() * kSortedRecordBytes);
  for (const auto& r : records) {
    put64(data, r.key);
    put64(data, r.offset << 24 | r.length);
  }
  std::string table;
  for (std::uint64_t b = 0; b < header.blocks; ++b) {
    const std::size_t begin = b * kBlockRecords * kSortedRecordBytes;
    const std::size_t size = std::min(kBlockRecords * kSortedRecordBytes, data.size() - begin);
    put64(table, records[b * kBlockRecords].key);
    put64(table, check64(std::string_view(data).substr(begin, size)));
  }
  std::string out(kSortedMagic);
  for (std::uint64_t v : {header.first_seq, header.segment_bytes, header.last_seq, header.records,
                          header.unreadable, header.blocks})
    put64(out, v);
  put64(out, check64(out + table));
  return out + table + data;
}

Result<SortedReader> SortedReader::open(int fd, std::uint64_t file_bytes, std::uint64_t first_seq) {
  if (file_bytes < kSortedHeaderBytes) return broken("sorted file shorter than its header");
  std::string head(kSortedHeaderBytes, '\0');
  if (auto r = pread_all(fd, head.data(), head.size(), 0); !r) return tl::unexpected(r.error());
  if (!head.starts_with(kSortedMagic)) return broken("sorted file has no magic");
  SortedReader reader;
  reader.fd_ = fd;
  SortedHeader& h = reader.header_;
  const char* p = head.data() + 8;
  h.first_seq = get64(p);
  h.segment_bytes = get64(p + 8);
  h.last_seq = get64(p + 16);
  h.records = get64(p + 24);
  h.unreadable = get64(p + 32);
  h.blocks = get64(p + 40);
  if (h.first_seq != first_seq) return broken("sorted file names another segment");
  if (h.records > kMaxOffset || h.blocks != (h.records + kBlockRecords - 1) / kBlockRecords ||
      file_bytes != kSortedHeaderBytes + 16 * h.blocks + kSortedRecordBytes * h.records)
    return broken("sorted file size does not match its header");
  std::string table(16 * h.blocks, '\0');
  if (auto r = pread_all(fd, table.data(), table.size(), kSortedHeaderBytes); !r)
    return tl::unexpected(r.error());
  if (check64(head.substr(0, kSortedHeaderBytes - 8) + table) != get64(head.data() + 56))
    return broken("sorted file header check failed");
  reader.first_keys_.reserve(h.blocks);
  reader.block_checks_.reserve(h.blocks);
  for (std::uint64_t b = 0; b < h.blocks; ++b) {
    reader.first_keys_.push_back(get64(table.data() + 16 * b));
    reader.block_checks_.push_back(get64(table.data() + 16 * b + 8));
    if (b > 0 && reader.first_keys_[b] < reader.first_keys_[b - 1])
      return broken("sorted file block table out of order");
  }
  return reader;
}

Result<std::vector<Record>> SortedReader::find(std::uint64_t key) const {
  std::vector<Record> out;
  // Blocks [first, last) can hold `key`: the one before the first block starting at or after
  // it (a run may begin mid-block), through the last block starting at it.
  const auto lower = std::lower_bound(first_keys_.begin(), first_keys_.end(), key);
  const auto upper = std::upper_bound(lower, first_keys_.end(), key);
  std::size_t first = static_cast<std::size_t>(lower - first_keys_.begin());
  const std::size_t last = static_cast<std::size_t>(upper - first_keys_.begin());
  if (first > 0) --first;
  if (first >= last) return out;
  const std::uint64_t data_at = kSortedHeaderBytes + 16 * header_.blocks;
  const std::uint64_t from = first * kBlockRecords;
  const std::uint64_t to = std::min<std::uint64_t>(last * kBlockRecords, header_.records);
  std::string bytes((to - from) * kSortedRecordBytes, '\0');
  if (auto r = pread_all(fd_, bytes.data(), bytes.size(), data_at + from * kSortedRecordBytes); !r)
    return tl::unexpected(r.error());
  std::uint64_t previous_key = 0;
  for (std::size_t b = first; b < last; ++b) {
    const std::size_t begin = (b - first) * kBlockRecords * kSortedRecordBytes;
    const std::size_t size = std::min(kBlockRecords * kSortedRecordBytes, bytes.size() - begin);
    const std::string_view block = std::string_view(bytes).substr(begin, size);
    if (check64(block) != block_checks_[b] || get64(block.data()) != first_keys_[b])
      return broken("sorted file block " + std::to_string(b) + " check failed");
    for (std::size_t i = 0; i < size; i += kSortedRecordBytes) {
      const std::uint64_t k = get64(block.data() + i);
      if (k < previous_key) return broken("sorted file records out of order");
      previous_key = k;
      if (k != key) continue;
      const std::uint64_t packed = get64(block.data() + i + 8);
      out.push_back(Record{k, packed >> 24, packed & kMaxLength, 0});
    }
  }
  return out;
}

}  // namespace lienthong::audit::index
