#include "gateway/audit/audit_verifier.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

#include "gateway/audit/audit_format.h"

namespace lienthong::audit {

namespace {

// Closes a file descriptor on every path out of a scope.
struct Fd {
  int fd;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

class Verifier {
 public:
  explicit Verifier(VerifyReport& report) : report_(report) {
    report_.head_hash = std::string(kGenesisHash);
  }

  // False when the chain broke in this segment (report_.broken is set) or on an I/O error.
  Result<bool> segment(const SegmentFile& seg, bool is_last);
  Result<void> head(const std::filesystem::path& dir);

 private:
  bool broke(const std::string& file, std::uint64_t line, std::uint64_t seq, std::string problem) {
    report_.broken = VerifyBreak{file, line, seq, std::move(problem)};
    return false;
  }

  VerifyReport& report_;
  bool first_segment_ = true;
  std::string previous_file_;

 public:
  std::uint64_t watch_seq = 0;                   // HEAD's seq: remember that entry's hash
  std::optional<std::string> hash_at_watch_seq;  // …here, once seen
};

Result<bool> Verifier::segment(const SegmentFile& seg, bool is_last) {
  const std::string name = seg.path.filename().string();
  const std::uint64_t expected = report_.last_seq + 1;
  if (first_segment_ && seg.first_seq != 1)
    return broke(name, 1, seg.first_seq,
                 "log does not start at seq 1: the first segment(s) are missing");
  if (!first_segment_ && seg.first_seq != expected)
    return broke(name, 1, seg.first_seq,
                 "segment does not continue the previous one: " + previous_file_ + " ends at seq " +
                     std::to_string(report_.last_seq) +
                     ", so the next segment "
                     "should be " +
                     segment_file_name(expected));
  const bool first_of_log = first_segment_;
  const std::string previous = previous_file_;
  first_segment_ = false;
  previous_file_ = name;

  Fd file{::open(seg.path.c_str(), O_RDONLY | O_CLOEXEC)};
  if (file.fd < 0)
    return fail(ErrorCode::kInternal,
                "cannot open " + seg.path.string() + ": " + std::strerror(errno));
  LineReader reader(file.fd);
  std::string line;
  std::uint64_t line_no = 0;
  for (;;) {
    bool terminated = false;
    const auto status = reader.next(line, terminated);
    if (status == LineReader::Status::kEnd) break;
    if (status == LineReader::Status::kError)
      return fail(ErrorCode::kInternal,
                  "cannot read " + seg.path.string() + ": " + std::strerror(errno));
    ++line_no;
    const std::uint64_t want = report_.last_seq + 1;
    if (!terminated) {
      if (!is_last) return broke(name, line_no, want, "incomplete line in the middle of the log");
      report_.notes.push_back(name + " line " + std::to_string(line_no) +
                              ": incomplete last line (a crash during a write; the gateway cuts "
                              "it off when it next opens the log)");
      break;
    }
    if (status == LineReader::Status::kTooLong)
      return broke(name, line_no, want, "malformed entry: line longer than any entry");
    auto link = parse_link(line);
    if (!link) return broke(name, line_no, want, link.error().detail);
    if (!link->hash_ok) return broke(name, line_no, link->seq, "hash mismatch: entry modified");
    if (link->prev != report_.head_hash) {
      if (report_.entries == 0 && first_of_log)
        return broke(name, line_no, link->seq,
                     "prev of the first entry is not the genesis value: entries before it removed");
      if (line_no == 1)
        return broke(name, line_no, link->seq,
                     "segment does not continue the previous one: its first entry's prev does "
                     "not match the last entry of " +
                         previous);
      return broke(name, line_no, link->seq,
                   "prev does not match previous entry: entry removed or reordered");
    }
    if (link->seq != want)
      return broke(name, line_no, link->seq,
                   "sequence gap: expected seq " + std::to_string(want) + ", found " +
                       std::to_string(link->seq));
    report_.last_seq = link->seq;
    report_.head_hash = link->hash;
    ++report_.entries;
    if (link->seq == watch_seq) hash_at_watch_seq = link->hash;
  }
  if (line_no == 0 && !is_last)
    return broke(name, 1, seg.first_seq, "empty segment in the middle of the log");
  return true;
}

}  // namespace

Result<VerifyReport> verify_directory(const std::filesystem::path& dir) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec))
    return fail(ErrorCode::kInternal, dir.string() + " is not a directory");
  auto segments = list_segments(dir);
  if (!segments) return tl::unexpected(segments.error());

  VerifyReport report;
  report.segments = segments->size();
  Verifier v(report);

  // Read HEAD first so the scan can remember the hash of the entry it names (HEAD may lag the
  // log by one batch after a crash).
  const auto head_path = dir / kHeadFile;
  std::optional<ChainHead> head;
  std::string head_problem;
  const bool head_exists = std::filesystem::exists(head_path, ec);
  if (head_exists) {
    Fd file{::open(head_path.c_str(), O_RDONLY | O_CLOEXEC)};
    if (file.fd < 0)
      return fail(ErrorCode::kInternal,
                  "cannot open " + head_path.string() + ": " + std::strerror(errno));
    char buf[512];
    const ssize_t n = ::read(file.fd, buf, sizeof buf);
    if (n < 0)
      return fail(ErrorCode::kInternal,
                  "cannot read " + head_path.string() + ": " + std::strerror(errno));
    auto parsed = parse_head(std::string_view(buf, static_cast<std::size_t>(n)));
    if (parsed) {
      head = *parsed;
      v.watch_seq = head->seq;
    } else {
      head_problem = parsed.error().detail;
    }
  }

  for (std::size_t i = 0; i < segments->size(); ++i) {
    auto good = v.segment((*segments)[i], i + 1 == segments->size());
    if (!good) return tl::unexpected(good.error());
    if (!*good) return report;
  }

  const std::uint64_t last = report.last_seq;
  auto head_break = [&](std::string problem) {
    report.broken =
        VerifyBreak{std::string(kHeadFile), 1, head ? head->seq : 0, std::move(problem)};
  };
  if (!head_exists) {
    if (last > 0) head_break("HEAD is missing: entries may have been removed from the end");
  } else if (!head) {
    head_break("HEAD is unreadable (" + head_problem + ")");
  } else if (head->seq > last) {
    head_break("HEAD does not match the last entry: entries removed from the end (HEAD names seq " +
               std::to_string(head->seq) + ", the log ends at seq " + std::to_string(last) + ")");
  } else if (head->seq == last) {
    if (head->hash != report.head_hash)
      head_break("HEAD does not match the last entry: its hash differs (the tail was rewritten)");
  } else if (head->seq == 0 ? head->hash != kGenesisHash
                            : (!v.hash_at_watch_seq || *v.hash_at_watch_seq != head->hash)) {
    head_break("HEAD does not match the entry it names (seq " + std::to_string(head->seq) +
               "): the log was rewritten");
  } else {
    report.notes.push_back("HEAD is " + std::to_string(last - head->seq) +
                           " entries behind the log (a crash before HEAD was updated, or the fsync "
                           "interval); those entries are not anchored");
  }
  return report;
}

}  // namespace lienthong::audit
