#include "gateway/audit/audit_index.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <set>
#include <system_error>

#include "gateway/audit/index_files.h"

namespace lienthong::audit {

namespace {

namespace fs = std::filesystem;
using index::Record;

constexpr std::string_view kLockFile = "LOCK";

tl::unexpected<Error> io_error(const std::string& what, int err) {
  return fail(ErrorCode::kInternal, "subject index: " + what + ": " + std::strerror(err));
}

class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  Fd(Fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  Fd& operator=(Fd&& other) noexcept {
    std::swap(fd_, other.fd_);
    return *this;
  }
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }
  bool ok() const { return fd_ >= 0; }

 private:
  int fd_;
};

// flock on DIR/index/LOCK: exclusive to change the index, shared to read it.
class IndexLock {
 public:
  static Result<IndexLock> open(const fs::path& index_dir) {
    const fs::path path = index_dir / kLockFile;
    Fd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
    if (!fd.ok()) return io_error("open " + path.string(), errno);
    IndexLock lock;
    lock.fd_ = std::move(fd);
    return lock;
  }
  Result<void> exclusive() { return take(LOCK_EX); }
  Result<void> shared() { return take(LOCK_SH); }

 private:
  Result<void> take(int how) {
    while (::flock(fd_.get(), how) != 0) {
      if (errno != EINTR) return io_error("flock index LOCK", errno);
    }
    return {};
  }
  Fd fd_;
};

Result<void> ensure_index_dir(const fs::path& index_dir) {
  std::error_code ec;
  if (!fs::exists(index_dir, ec)) {
    fs::create_directories(index_dir, ec);
    if (ec)
      return fail(ErrorCode::kInternal,
                  "subject index: cannot create " + index_dir.string() + ": " + ec.message());
    fs::permissions(index_dir, fs::perms::owner_all, ec);
  }
  return {};
}

Result<std::uint64_t> size_of(const fs::path& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return io_error("stat " + path.string(), errno);
  return static_cast<std::uint64_t>(st.st_size);
}

// The whole file, or nullopt when it does not exist.
Result<std::optional<std::string>> read_whole(const fs::path& path) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.ok()) {
    if (errno == ENOENT) return std::optional<std::string>{};
    return io_error("open " + path.string(), errno);
  }
  std::string out;
  char buf[1 << 16];
  for (;;) {
    const ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return io_error("read " + path.string(), errno);
    if (n == 0) break;
    out.append(buf, static_cast<std::size_t>(n));
  }
  return std::optional<std::string>{std::move(out)};
}

Result<void> write_all(int fd, std::string_view bytes, const fs::path& path) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return io_error("write " + path.string(), errno);
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return {};
}

// Written beside, synced, then renamed: a reader sees the old file or the whole new one. (A
// crash can still leave a bad file behind on some file systems; readers validate anyway.)
Result<void> replace_file(const fs::path& path, std::string_view bytes) {
  const fs::path tmp = path.string() + ".tmp";
  {
    Fd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
    if (!fd.ok()) return io_error("create " + tmp.string(), errno);
    if (auto r = write_all(fd.get(), bytes, tmp); !r) return r;
    if (::fdatasync(fd.get()) != 0) return io_error("fdatasync " + tmp.string(), errno);
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) return io_error("rename " + tmp.string(), errno);
  return {};
}

Result<void> append_file(const fs::path& path, std::string_view bytes) {
  Fd fd(::open(path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC));
  if (!fd.ok()) return io_error("open " + path.string(), errno);
  return write_all(fd.get(), bytes, path);
}

void remove_quietly(const fs::path& path) {
  std::error_code ec;
  fs::remove(path, ec);
}

// Reads `length` bytes of line and its '\n' at `offset`; nullopt when the segment does not hold
// a complete line there.
Result<std::optional<std::string>> read_line_at(int fd, std::uint64_t offset,
                                                std::uint64_t length) {
  if (length > kMaxLineBytes) return std::optional<std::string>{};
  std::string buf(length + 1, '\0');
  std::size_t got = 0;
  while (got < buf.size()) {
    const ssize_t n =
        ::pread(fd, buf.data() + got, buf.size() - got, static_cast<off_t>(offset + got));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return io_error("read segment", errno);
    if (n == 0) return std::optional<std::string>{};
    got += static_cast<std::size_t>(n);
  }
  if (buf.back() != '\n' || std::memchr(buf.data(), '\n', length) != nullptr)
    return std::optional<std::string>{};
  buf.pop_back();
  return std::optional<std::string>{std::move(buf)};
}

// Indexes the complete lines of a segment from `from` (a line start) on.
struct Scan {
  std::vector<Record> records;
  std::uint64_t last_seq = 0;  // of the last readable line scanned (0 when none)
};

Result<Scan> scan_segment_from(const fs::path& segment, std::uint64_t from) {
  Fd fd(::open(segment.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.ok()) return io_error("open " + segment.string(), errno);
  if (::lseek(fd.get(), static_cast<off_t>(from), SEEK_SET) < 0)
    return io_error("seek " + segment.string(), errno);
  LineReader reader(fd.get());
  Scan scan;
  std::string line;
  for (;;) {
    const std::uint64_t offset = from + reader.offset();
    bool terminated = false;
    const auto status = reader.next(line, terminated);
    if (status == LineReader::Status::kEnd) break;
    if (status == LineReader::Status::kError) return io_error("read " + segment.string(), errno);
    // A line without '\n' is still being written (or torn): it is left for a later call.
    if (!terminated) break;
    const std::uint64_t length = from + reader.offset() - offset - 1;
    if (offset > index::kMaxOffset)
      return fail(ErrorCode::kInternal, "subject index: segment larger than 1 TiB");
    Record r{0, offset, length, 0};
    if (status == LineReader::Status::kLine) {
      if (auto fields = index::scan_line(line)) {
        r.key = index::subject_key(fields->subject);
        r.tag = fields->tag;
        scan.last_seq = fields->seq;
      }
    }
    scan.records.push_back(r);
  }
  return scan;
}

std::uint64_t readable(const std::vector<Record>& records) {
  return static_cast<std::uint64_t>(
      std::count_if(records.begin(), records.end(), [](const Record& r) { return r.key != 0; }));
}

// A tail file as found, checked against its segment.
struct Tail {
  std::vector<Record> records;
  std::uint64_t last_seq = 0;
  bool intact = false;  // the file exists and every byte of it was valid: append to it
};

// Checks that the last readable line the tail names is still that line (same place, same
// hash): the chain then vouches for every line before it. A writer that cut back a failed
// write and wrote other entries at the same offsets is caught here.
Result<bool> tail_matches_segment(const fs::path& segment, std::vector<Record>& records,
                                  std::uint64_t& last_seq) {
  if (records.empty()) return true;
  auto size = size_of(segment);
  if (!size) return tl::unexpected(size.error());
  if (records.back().end() > *size) return false;
  auto last = std::find_if(records.rbegin(), records.rend(), [](const Record& r) { return r.key; });
  if (last == records.rend()) return true;
  Fd fd(::open(segment.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.ok()) return io_error("open " + segment.string(), errno);
  auto line = read_line_at(fd.get(), last->offset, last->length);
  if (!line) return tl::unexpected(line.error());
  if (!*line) return false;
  auto fields = index::scan_line(**line);
  if (!fields || fields->tag != last->tag || index::subject_key(fields->subject) != last->key)
    return false;
  last_seq = fields->seq;
  return true;
}

Result<Tail> load_tail(const fs::path& tail_path, const SegmentFile& segment, IndexStatus& status) {
  auto bytes = read_whole(tail_path);
  if (!bytes) return tl::unexpected(bytes.error());
  Tail tail;
  if (!*bytes) return tail;
  auto contents = index::decode_tail(**bytes, segment.first_seq);
  tail.records = std::move(contents.records);
  tail.intact = contents.complete;
  auto matches = tail_matches_segment(segment.path, tail.records, tail.last_seq);
  if (!matches) return tl::unexpected(matches.error());
  if (!*matches) {
    tail.records.clear();
    tail.intact = false;
  }
  if (!tail.intact) ++status.rebuilt;
  return tail;
}

// What the index holds for one segment after a catch-up.
struct SegmentIndex {
  SegmentFile segment;
  bool sorted = false;  // else a tail file (or nothing yet)
};

struct CatchUp {
  IndexStatus status;
  std::vector<SegmentIndex> segments;
};

Result<SegmentIndex> catch_up_segment(const fs::path& index_dir, const SegmentFile& segment,
                                      bool closed, IndexStatus& status) {
  const fs::path sorted_path = index_dir / index::sorted_file_name(segment.first_seq);
  const fs::path tail_path = index_dir / index::tail_file_name(segment.first_seq);
  auto segment_bytes = size_of(segment.path);
  if (!segment_bytes) return tl::unexpected(segment_bytes.error());
  if (closed) {
    Fd fd(::open(sorted_path.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd.ok()) {
      auto size = size_of(sorted_path);
      if (!size) return tl::unexpected(size.error());
      auto reader = index::SortedReader::open(fd.get(), *size, segment.first_seq);
      if (reader && reader->header().segment_bytes == *segment_bytes) {
        remove_quietly(tail_path);  // left by a crash between the rename and this removal
        status.entries += reader->header().records;
        status.unreadable += reader->header().unreadable;
        status.through_seq = std::max(status.through_seq, reader->header().last_seq);
        return SegmentIndex{segment, true};
      }
      ++status.rebuilt;  // broken, or a segment that changed since: never answer from it
    } else if (errno != ENOENT) {
      return io_error("open " + sorted_path.string(), errno);
    }
  }
  auto tail = load_tail(tail_path, segment, status);
  if (!tail) return tl::unexpected(tail.error());
  const std::uint64_t from = tail->records.empty() ? 0 : tail->records.back().end();
  auto scan = scan_segment_from(segment.path, from);
  if (!scan) return tl::unexpected(scan.error());
  status.indexed += readable(scan->records);
  const std::uint64_t last_seq = scan->last_seq ? scan->last_seq : tail->last_seq;
  std::vector<Record>& all = tail->records;
  if (closed) {
    all.insert(all.end(), scan->records.begin(), scan->records.end());
    index::SortedHeader header;
    header.first_seq = segment.first_seq;
    header.segment_bytes = *segment_bytes;
    header.last_seq = last_seq;
    header.unreadable = all.size() - readable(all);
    std::erase_if(all, [](const Record& r) { return r.key == 0; });
    status.entries += all.size();
    status.unreadable += header.unreadable;
    if (auto r = replace_file(sorted_path, index::encode_sorted(header, std::move(all))); !r)
      return tl::unexpected(r.error());
    remove_quietly(tail_path);
  } else {
    std::string bytes;
    if (!tail->intact) {
      // Rewritten whole: the valid prefix (possibly nothing) and what was just read.
      bytes = index::encode_tail_header(segment.first_seq);
      for (const auto& r : all) bytes += index::encode_tail_record(r);
    }
    for (const auto& r : scan->records) bytes += index::encode_tail_record(r);
    if (!tail->intact) {
      if (auto r = replace_file(tail_path, bytes); !r) return tl::unexpected(r.error());
    } else if (!bytes.empty()) {
      if (auto r = append_file(tail_path, bytes); !r) return tl::unexpected(r.error());
    }
    all.insert(all.end(), scan->records.begin(), scan->records.end());
    const std::uint64_t good = readable(all);
    status.entries += good;
    status.unreadable += all.size() - good;
  }
  status.through_seq = std::max(status.through_seq, last_seq);
  return SegmentIndex{segment, closed};
}

// Index files of segments that are gone (archived), and leftovers of interrupted writes.
void remove_stale_files(const fs::path& index_dir, const std::vector<SegmentFile>& segments) {
  std::set<std::uint64_t> present;
  for (const auto& s : segments) present.insert(s.first_seq);
  std::error_code ec;
  for (const auto& item : fs::directory_iterator(index_dir, ec)) {
    const std::string name = item.path().filename().string();
    auto parsed = index::parse_index_file_name(name);
    if ((parsed && !present.contains(parsed->first_seq)) || name.ends_with(".tmp"))
      remove_quietly(item.path());
  }
}

// Under the exclusive lock.
Result<CatchUp> catch_up_locked(const fs::path& dir, const fs::path& index_dir) {
  auto segments = list_segments(dir);
  if (!segments) return tl::unexpected(segments.error());
  CatchUp out;
  remove_stale_files(index_dir, *segments);
  for (std::size_t i = 0; i < segments->size(); ++i) {
    const bool closed = i + 1 < segments->size();
    auto one = catch_up_segment(index_dir, (*segments)[i], closed, out.status);
    if (!one) return tl::unexpected(one.error());
    out.segments.push_back(std::move(*one));
  }
  return out;
}

// The candidate records for `key` in one segment's index; nullopt when the index file is broken.
Result<std::optional<std::vector<Record>>> candidates(const fs::path& index_dir,
                                                      const SegmentIndex& s, std::uint64_t key) {
  using Found = std::optional<std::vector<Record>>;
  if (s.sorted) {
    const fs::path path = index_dir / index::sorted_file_name(s.segment.first_seq);
    Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd.ok()) return Found{};
    auto size = size_of(path);
    if (!size) return tl::unexpected(size.error());
    auto reader = index::SortedReader::open(fd.get(), *size, s.segment.first_seq);
    if (!reader) return Found{};
    auto found = reader->find(key);
    if (!found) return Found{};
    return Found{std::move(*found)};
  }
  auto bytes = read_whole(index_dir / index::tail_file_name(s.segment.first_seq));
  if (!bytes) return tl::unexpected(bytes.error());
  if (!*bytes) return Found(std::vector<Record>{});  // nothing indexed in this segment yet
  auto contents = index::decode_tail(**bytes, s.segment.first_seq);
  if (!contents.complete) return Found{};
  std::erase_if(contents.records, [key](const Record& r) { return r.key != key; });
  return Found{std::move(contents.records)};
}

bool in_range(const SubjectQuery& q, TimePoint at) {
  return (!q.from || at >= *q.from) && (!q.until || at < *q.until);
}

// Reads the lines the index names in one segment. False when the index named a line that is
// not there or is not of this key: the index file is wrong.
Result<bool> read_candidates(const SegmentFile& segment, const std::vector<Record>& records,
                             const SubjectQuery& q, SubjectAnswer& answer) {
  if (records.empty()) return true;
  Fd fd(::open(segment.path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.ok()) return io_error("open " + segment.path.string(), errno);
  const std::string file = segment.path.filename().string();
  for (const auto& r : records) {
    auto line = read_line_at(fd.get(), r.offset, r.length);
    if (!line) return tl::unexpected(line.error());
    if (!*line) return false;
    auto fields = index::scan_line(**line);
    if (!fields || index::subject_key(fields->subject) != r.key) {
      // A whole line indexed under this subject's key that now names another subject and fails
      // its hash: the entry was altered after it was indexed (e.g. its subject changed). That
      // is this citizen's evidence: report it rather than rebuild it away.
      auto link = parse_link(**line);
      if (fields && link && !link->hash_ok) {
        answer.tampered.push_back({file, r.offset, link->seq,
                                   "hash mismatch: entry modified (its subject no longer "
                                   "matches the index)"});
        continue;
      }
      return false;  // the index names something else: rebuild it
    }
    if (fields->subject != q.subject) continue;  // another subject whose key collides
    auto decoded = decode_entry(**line);
    if (!decoded) {
      answer.tampered.push_back({file, r.offset, fields->seq, decoded.error().detail});
      continue;
    }
    if (!decoded->link.hash_ok) {
      answer.tampered.push_back(
          {file, r.offset, decoded->link.seq, "hash mismatch: entry modified"});
      continue;
    }
    if (decoded->entry.subject != q.subject) continue;
    if (!in_range(q, decoded->entry.at)) continue;
    answer.entries.push_back(IndexedEntry{file, r.offset, std::move(*decoded)});
  }
  return true;
}

}  // namespace

Result<IndexStatus> update_index(const fs::path& dir) {
  const fs::path index_dir = dir / kIndexDirectory;
  if (auto segments = list_segments(dir); !segments) return tl::unexpected(segments.error());
  if (auto r = ensure_index_dir(index_dir); !r) return tl::unexpected(r.error());
  auto lock = IndexLock::open(index_dir);
  if (!lock) return tl::unexpected(lock.error());
  if (auto r = lock->exclusive(); !r) return tl::unexpected(r.error());
  auto caught = catch_up_locked(dir, index_dir);
  if (!caught) return tl::unexpected(caught.error());
  return caught->status;
}

Result<SubjectAnswer> query_subject(const fs::path& dir, const SubjectQuery& query) {
  const fs::path index_dir = dir / kIndexDirectory;
  if (auto segments = list_segments(dir); !segments) return tl::unexpected(segments.error());
  if (auto r = ensure_index_dir(index_dir); !r) return tl::unexpected(r.error());
  auto lock = IndexLock::open(index_dir);
  if (!lock) return tl::unexpected(lock.error());
  const std::uint64_t key = index::subject_key(query.subject);
  std::uint64_t rebuilt = 0;
  // Second round only after a broken index file was removed (and so rebuilt from the log).
  for (int round = 0; round < 2; ++round) {
    if (auto r = lock->exclusive(); !r) return tl::unexpected(r.error());
    auto caught = catch_up_locked(dir, index_dir);
    if (!caught) return tl::unexpected(caught.error());
    // Converting to shared lets other queries read at the same time; no one changes the index
    // while we read it.
    if (auto r = lock->shared(); !r) return tl::unexpected(r.error());
    SubjectAnswer answer;
    answer.index = caught->status;
    std::vector<fs::path> broken;
    for (const auto& s : caught->segments) {
      auto found = candidates(index_dir, s, key);
      if (!found) return tl::unexpected(found.error());
      bool ok = found->has_value();
      if (ok) {
        auto read = read_candidates(s.segment, **found, query, answer);
        if (!read) return tl::unexpected(read.error());
        ok = *read;
      }
      if (!ok)
        broken.push_back(index_dir / (s.sorted ? index::sorted_file_name(s.segment.first_seq)
                                               : index::tail_file_name(s.segment.first_seq)));
    }
    if (broken.empty()) {
      std::sort(answer.entries.begin(), answer.entries.end(),
                [](const IndexedEntry& a, const IndexedEntry& b) {
                  return a.decoded.link.seq < b.decoded.link.seq;
                });
      answer.index.rebuilt += rebuilt;
      return answer;
    }
    if (auto r = lock->exclusive(); !r) return tl::unexpected(r.error());
    for (const auto& path : broken) remove_quietly(path);
    rebuilt += broken.size();
  }
  return fail(ErrorCode::kInternal,
              "subject index: still inconsistent with the log after a rebuild; run `lienthong "
              "audit verify`");
}

nlohmann::ordered_json who_json_entry(const IndexedEntry& hit) {
  const auto& e = hit.decoded.entry;
  return {{"at", format_audit_time(e.at)},
          {"member", e.member},
          {"member_certificate", e.member_certificate},
          {"officer_id", e.officer_id},
          {"officer_account", e.officer_account},
          {"document_type", e.document_type},
          {"dossier_code", e.dossier_code},
          {"procedure_code", e.procedure_code},
          {"front", e.front},
          {"outcome", e.outcome},
          {"cache_hit", e.cache_hit},
          {"request_id", e.request_id},
          {"seq", hit.decoded.link.seq}};
}

}  // namespace lienthong::audit
