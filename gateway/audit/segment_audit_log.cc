#include "gateway/audit/segment_audit_log.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

#include "gateway/core/log.h"

namespace lienthong::audit {

namespace {

constexpr std::string_view kLockFile = "LOCK";
constexpr std::string_view kHeadTemp = "HEAD.tmp";

std::string errno_text(int err) { return std::strerror(err); }

tl::unexpected<Error> io_error(const std::string& what, int err) {
  return fail(ErrorCode::kInternal, "audit log: " + what + ": " + errno_text(err));
}

Result<void> write_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return io_error("write", errno);
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return {};
}

Result<void> fsync_directory(const std::filesystem::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return io_error("open directory " + dir.string(), errno);
  const int rc = ::fsync(fd);
  const int err = errno;
  ::close(fd);
  if (rc != 0) return io_error("fsync directory " + dir.string(), err);
  return {};
}

// The last complete line of a segment and where it ends. A final line without '\n' is a torn
// write; its start is returned so the caller can cut it off.
struct SegmentTail {
  std::string last_line;  // empty when the segment holds no complete line
  std::uint64_t last_line_no = 0;
  std::uint64_t good_end = 0;  // offset just after the last complete line
  bool torn = false;
};

Result<SegmentTail> scan_segment(int fd, const std::string& name) {
  LineReader reader(fd);
  SegmentTail tail;
  std::string line;
  std::uint64_t line_no = 0;
  for (;;) {
    bool terminated = false;
    const auto status = reader.next(line, terminated);
    if (status == LineReader::Status::kEnd) break;
    if (status == LineReader::Status::kError) return io_error("read " + name, errno);
    ++line_no;
    if (!terminated) {
      tail.torn = true;
      break;
    }
    if (status == LineReader::Status::kTooLong)
      return fail(ErrorCode::kInternal,
                  "audit log: " + name + " line " + std::to_string(line_no) +
                      " is longer than any entry; run `lienthong audit verify`");
    tail.last_line.swap(line);
    tail.last_line_no = line_no;
    tail.good_end = reader.offset();
  }
  return tail;
}

}  // namespace

Result<std::shared_ptr<SegmentAuditLog>> SegmentAuditLog::open(AuditLogConfig config) {
  if (config.directory.empty()) return fail(ErrorCode::kInternal, "audit log: no directory");
  if (config.max_batch == 0) config.max_batch = 1;
  if (config.segment_max_bytes == 0)
    return fail(ErrorCode::kInternal, "audit log: segment_max_bytes is 0");
  std::shared_ptr<SegmentAuditLog> log(new SegmentAuditLog(std::move(config)));
  auto recovered = log->recover();
  if (!recovered) return tl::unexpected(recovered.error());
  log->writer_ = std::thread([raw = log.get()] { raw->run(); });
  return log;
}

SegmentAuditLog::SegmentAuditLog(AuditLogConfig config) : config_(std::move(config)) {}

SegmentAuditLog::~SegmentAuditLog() {
  {
    std::lock_guard lock(queue_mutex_);
    stopping_ = true;
  }
  queue_cv_.notify_all();
  if (writer_.joinable()) writer_.join();
  if (segment_fd_ >= 0) ::close(segment_fd_);
  if (lock_fd_ >= 0) ::close(lock_fd_);  // releases the flock
}

Result<void> SegmentAuditLog::recover() {
  const auto& dir = config_.directory;
  std::error_code ec;
  if (!std::filesystem::exists(dir, ec)) {
    std::filesystem::create_directories(dir, ec);
    if (ec)
      return fail(ErrorCode::kInternal, "audit log: create " + dir.string() + ": " + ec.message());
    // Entries name citizens and officers: only the gateway's user may read them.
    std::filesystem::permissions(dir, std::filesystem::perms::owner_all, ec);
  } else if (!std::filesystem::is_directory(dir, ec)) {
    return fail(ErrorCode::kInternal, "audit log: " + dir.string() + " is not a directory");
  }

  // Two writers on one directory would fork the chain.
  const auto lock_path = dir / kLockFile;
  lock_fd_ = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (lock_fd_ < 0) return io_error("open " + lock_path.string(), errno);
  if (::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0)
    return fail(ErrorCode::kInternal, "audit log: " + dir.string() +
                                          " is in use by another process (" + kLockFile.data() +
                                          " is locked)");

  auto segments = list_segments(dir);
  if (!segments) return tl::unexpected(segments.error());

  // Find the last entry, from the last segment backwards (only the last may be empty).
  bool last_segment_empty = false;
  for (std::size_t i = segments->size(); i-- > 0;) {
    const SegmentFile& seg = (*segments)[i];
    const std::string name = seg.path.filename().string();
    const bool is_last = i + 1 == segments->size();
    const int fd = ::open(seg.path.c_str(), (is_last ? O_RDWR : O_RDONLY) | O_CLOEXEC);
    if (fd < 0) return io_error("open " + seg.path.string(), errno);
    auto tail = scan_segment(fd, name);
    if (tail && tail->torn && !is_last) {
      ::close(fd);
      return fail(ErrorCode::kInternal,
                  "audit log: " + name +
                      " ends with an incomplete line but "
                      "is not the last segment; run `lienthong audit verify`");
    }
    if (tail && tail->torn) {
      // A crash during a write: that batch was never acknowledged (callbacks run after the
      // write), so cutting it off loses no answered request.
      if (::ftruncate(fd, static_cast<off_t>(tail->good_end)) != 0 || ::fsync(fd) != 0) {
        const int err = errno;
        ::close(fd);
        return io_error("cut the torn last line of " + name, err);
      }
      LT_LOG(
          warn,
          "audit log: cut an incomplete last line from {} after line {} (a crash during a write)",
          name, tail->last_line_no);
    }
    ::close(fd);
    if (!tail) return tl::unexpected(tail.error());
    if (tail->last_line.empty()) {
      if (!is_last)
        return fail(ErrorCode::kInternal, "audit log: " + name +
                                              " is empty but is not the last "
                                              "segment; run `lienthong audit verify`");
      last_segment_empty = true;
      continue;
    }
    auto link = parse_link(tail->last_line);
    if (!link || !link->hash_ok)
      return fail(ErrorCode::kInternal, "audit log: the last entry (" + name + " line " +
                                            std::to_string(tail->last_line_no) +
                                            ") does not verify; run `lienthong audit verify`");
    last_ = ChainHead{link->seq, link->hash};
    break;
  }
  if (!segments->empty()) {
    const SegmentFile& seg = segments->back();
    if (last_segment_empty ? seg.first_seq != last_.seq + 1 : seg.first_seq > last_.seq)
      return fail(ErrorCode::kInternal, "audit log: " + seg.path.filename().string() +
                                            " does not continue the log (last entry is seq " +
                                            std::to_string(last_.seq) + ")");
    segment_fd_ = ::open(seg.path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
    if (segment_fd_ < 0) return io_error("open " + seg.path.string(), errno);
    struct stat st {};
    if (::fstat(segment_fd_, &st) != 0) return io_error("stat " + seg.path.string(), errno);
    segment_bytes_ = static_cast<std::uint64_t>(st.st_size);
  }

  // HEAD ahead of the log means entries were removed from the end: refuse to write over that.
  const auto head_path = dir / kHeadFile;
  if (std::filesystem::exists(head_path, ec)) {
    const int fd = ::open(head_path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return io_error("open " + head_path.string(), errno);
    char buf[256];
    const ssize_t n = ::read(fd, buf, sizeof buf);
    ::close(fd);
    auto head = n > 0 ? parse_head(std::string_view(buf, static_cast<std::size_t>(n)))
                      : Result<ChainHead>(fail(ErrorCode::kInternal, "HEAD is empty"));
    if (!head)
      return fail(ErrorCode::kInternal,
                  "audit log: " + head.error().detail + "; run `lienthong audit verify`");
    if (head->seq > last_.seq || (head->seq == last_.seq && head->hash != last_.hash))
      return fail(ErrorCode::kInternal,
                  "audit log: HEAD (seq " + std::to_string(head->seq) +
                      ") does not match the last entry (seq " + std::to_string(last_.seq) +
                      "): entries were removed from the end; run `lienthong audit verify`");
  } else if (last_.seq > 0) {
    return fail(ErrorCode::kInternal,
                "audit log: HEAD is missing but the log has entries; run "
                "`lienthong audit verify`");
  }
  durable_ = last_;
  if (last_.seq > 0) write_head();
  return {};
}

void SegmentAuditLog::append(AuditEntry entry, DurableCallback durable) {
  {
    std::lock_guard lock(queue_mutex_);
    queue_.push_back(Pending{std::move(entry), std::move(durable)});
  }
  queue_cv_.notify_one();
}

ChainHead SegmentAuditLog::head() const {
  std::lock_guard lock(state_mutex_);
  return last_;
}

bool SegmentAuditLog::failed() const {
  std::lock_guard lock(state_mutex_);
  return failed_;
}

void SegmentAuditLog::run() {
  for (;;) {
    std::deque<Pending> batch;
    bool done = false;
    if (config_.fsync == FsyncPolicy::kEveryBatch && config_.commit_delay.count() > 0 &&
        backlog_after_batch()) {
      // Outside the lock: append() stays a push and a notify, and no notify wakes us early.
      std::this_thread::sleep_for(config_.commit_delay);
    }
    {
      std::unique_lock lock(queue_mutex_);
      auto ready = [this] { return !queue_.empty() || stopping_; };
      if (config_.fsync == FsyncPolicy::kInterval && dirty_)
        queue_cv_.wait_until(lock, next_sync_, ready);
      else if (head_behind())
        queue_cv_.wait_until(lock, next_head_, ready);
      else
        queue_cv_.wait(lock, ready);
      const std::size_t n = std::min(queue_.size(), config_.max_batch);
      for (std::size_t i = 0; i < n; ++i) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
      done = stopping_ && queue_.empty();
    }
    if (!batch.empty()) write_batch(batch);
    if (config_.fsync == FsyncPolicy::kInterval && dirty_ &&
        (done || std::chrono::steady_clock::now() >= next_sync_)) {
      if (sync_segment()) write_head();
    }
    // kEveryBatch: HEAD catches up once its interval is up (the wait above wakes for that
    // when the log goes quiet) and at close.
    if (head_behind() && (done || std::chrono::steady_clock::now() >= next_head_)) write_head();
    if (done) break;
  }
}

void SegmentAuditLog::write_batch(std::deque<Pending>& batch) {
  while (!batch.empty()) write_chunk(batch);
}

std::size_t SegmentAuditLog::write_chunk(std::deque<Pending>& batch) {
  if (failed_) {
    const std::size_t n = batch.size();
    fail_all(batch, n, Error{ErrorCode::kInternal, "audit log failed earlier: " + failure_});
    return n;
  }
  EncodedEntry first = encode_entry(batch.front().entry, last_.seq + 1, last_.hash);
  // An entry never straddles two segments: rotate first when it does not fit.
  if (segment_fd_ < 0 ||
      (segment_bytes_ > 0 && segment_bytes_ + first.line.size() > config_.segment_max_bytes)) {
    Result<void> ready = {};
    if (segment_fd_ >= 0 && dirty_ && config_.fsync != FsyncPolicy::kNone) {
      ready = sync_segment();
      if (ready) write_head();
    }
    if (ready) ready = start_segment(last_.seq + 1);
    if (!ready) {
      const std::size_t n = batch.size();
      fail_all(batch, n, ready.error());
      return n;
    }
  }

  std::string bytes = std::move(first.line);
  ChainHead at{last_.seq + 1, std::move(first.hash)};
  std::size_t n = 1;
  for (; n < batch.size(); ++n) {
    EncodedEntry next = encode_entry(batch[n].entry, at.seq + 1, at.hash);
    if (segment_bytes_ + bytes.size() + next.line.size() > config_.segment_max_bytes) break;
    bytes += next.line;
    at = ChainHead{at.seq + 1, std::move(next.hash)};
  }

  if (auto written = write_all(segment_fd_, bytes); !written) {
    // Undo a partial write so the chain on disk still ends at last_.
    if (::ftruncate(segment_fd_, static_cast<off_t>(segment_bytes_)) != 0) {
      std::lock_guard lock(state_mutex_);
      failed_ = true;
      failure_ =
          written.error().detail + ", and could not cut the partial write: " + errno_text(errno);
      LT_LOG(error, "{}", failure_);
    }
    fail_all(batch, n, written.error());
    return n;
  }
  segment_bytes_ += bytes.size();
  {
    std::lock_guard lock(state_mutex_);
    last_ = at;
  }
  if (!dirty_) next_sync_ = std::chrono::steady_clock::now() + config_.fsync_interval;
  dirty_ = true;
  switch (config_.fsync) {
    case FsyncPolicy::kEveryBatch:
      if (auto synced = sync_segment(); !synced) {
        fail_all(batch, n, synced.error());
        return n;
      }
      if (std::chrono::steady_clock::now() >= next_head_) write_head();
      break;
    case FsyncPolicy::kInterval:
      break;  // run() syncs when the interval is up
    case FsyncPolicy::kNone:
      durable_ = last_;
      dirty_ = false;
      write_head();
      break;
  }
  for (std::size_t i = 0; i < n; ++i) {
    Pending p = std::move(batch.front());
    batch.pop_front();
    if (!p.durable) continue;
    try {
      p.durable(Result<void>{});
    } catch (const std::exception& e) {  // a throwing callback is a bug; keep the writer alive
      LT_LOG(error, "audit log: a durable callback threw: {}", e.what());
    }
  }
  return n;
}

Result<void> SegmentAuditLog::start_segment(std::uint64_t first_seq) {
  const auto path = config_.directory / segment_file_name(first_seq);
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) return io_error("create " + path.string(), errno);
  if (config_.fsync != FsyncPolicy::kNone) {
    // The new name must survive a crash, or the entries in it would be unreachable.
    auto synced = fsync_directory(config_.directory);
    if (!synced) {
      ::close(fd);
      ::unlink(path.c_str());
      return synced;
    }
  }
  if (segment_fd_ >= 0) ::close(segment_fd_);
  segment_fd_ = fd;
  segment_bytes_ = 0;
  return {};
}

Result<void> SegmentAuditLog::sync_segment() {
  if (::fdatasync(segment_fd_) != 0) {
    // After a failed fsync the kernel may have dropped the dirty pages: what is on disk is
    // unknown, so nothing more may be chained onto it.
    const int err = errno;
    std::lock_guard lock(state_mutex_);
    failed_ = true;
    failure_ = "fdatasync: " + errno_text(err);
    LT_LOG(error, "audit log: fdatasync failed ({}); the audit log accepts nothing more",
           errno_text(err));
    return fail(ErrorCode::kInternal, "audit log: " + failure_);
  }
  dirty_ = false;
  durable_ = last_;
  return {};
}

bool SegmentAuditLog::head_behind() const { return head_seq_ != durable_.seq; }

bool SegmentAuditLog::backlog_after_batch() {
  std::lock_guard lock(queue_mutex_);
  return !queue_.empty() && queue_.size() < config_.max_batch && !stopping_;
}

void SegmentAuditLog::write_head() {
  next_head_ = std::chrono::steady_clock::now() + config_.head_interval;
  const auto tmp = config_.directory / kHeadTemp;
  const std::string text = encode_head(durable_);
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  bool ok = fd >= 0 && write_all(fd, text).has_value() &&
            (config_.fsync == FsyncPolicy::kNone || ::fdatasync(fd) == 0);
  const int err = errno;
  if (fd >= 0) ::close(fd);
  ok = ok && ::rename(tmp.c_str(), (config_.directory / kHeadFile).c_str()) == 0;
  // HEAD only anchors the tail; the entries themselves are durable. Say it once, not per batch.
  if (!ok && !head_error_logged_) {
    head_error_logged_ = true;
    LT_LOG(error, "audit log: cannot update HEAD ({}); verify will report it behind",
           errno_text(err));
  }
  if (ok) {
    head_error_logged_ = false;
    head_seq_ = durable_.seq;
  }
}

void SegmentAuditLog::fail_all(std::deque<Pending>& batch, std::size_t n, const Error& error) {
  for (std::size_t i = 0; i < n && !batch.empty(); ++i) {
    Pending p = std::move(batch.front());
    batch.pop_front();
    if (!p.durable) continue;
    try {
      p.durable(tl::unexpected(error));
    } catch (const std::exception& e) {
      LT_LOG(error, "audit log: a durable callback threw: {}", e.what());
    }
  }
}

}  // namespace lienthong::audit
