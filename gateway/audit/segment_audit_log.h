// AuditSink on local segment files, hash-chained (format: gateway/audit/README.md).
//
// One writer thread: append() only queues; the writer takes up to `max_batch` entries, writes
// their lines with one write(2), makes them durable per the fsync policy, then runs each entry's
// callback; HEAD follows (at most every head_interval under kEveryBatch). A write error fails that batch's callbacks and the log goes on; an fsync
// error fails the log for good (what reached the disk is unknown, so the chain cannot continue
// safely): every later callback gets INTERNAL and failed() turns true.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "gateway/audit/audit_format.h"
#include "gateway/audit/audit_sink.h"

namespace lienthong::audit {

enum class FsyncPolicy {
  kEveryBatch,  // group commit: fdatasync before the callbacks (an answered request is on disk)
  kInterval,    // fdatasync every fsync_interval; callbacks run after the write
  kNone,        // never fdatasync (tests and benchmarks only)
};

struct AuditLogConfig {
  std::filesystem::path directory;  // created 0700 if missing
  std::uint64_t segment_max_bytes = 64ull << 20;
  FsyncPolicy fsync = FsyncPolicy::kEveryBatch;
  std::chrono::milliseconds fsync_interval{100};  // kInterval only
  // kEveryBatch: HEAD is rewritten at most this often, and as soon as the writer is idle. Each
  // rewrite is a second fdatasync and a rename; per batch they cost as much as the batch's own
  // fsync. After a crash HEAD lags by at most this, which the verifier accepts with a note
  // (README "HEAD may lag"); the entries themselves are durable before any callback runs.
  std::chrono::milliseconds head_interval{100};
  std::size_t max_batch = 1024;
  // kEveryBatch under load: when entries were already waiting as the last batch finished (so
  // requests are arriving faster than one fdatasync takes), wait this long for more before
  // taking the next batch. Fewer, larger group commits: at ~2,000 misses/s batches averaged
  // 1.5 entries and the fdatasyncs (each a VM exit here) were a tenth of the gateway's CPU. A
  // lone request never waits: the queue was empty, so the writer was blocked and takes it at
  // once. 0 disables.
  std::chrono::microseconds commit_delay{1000};
};

class SegmentAuditLog final : public AuditSink {
 public:
  // Takes the directory's lock (one writer per directory), recovers seq and the last hash from
  // the last segment (a torn last line from a crash is cut off and logged), and starts the
  // writer. Refuses when the last entry does not verify or HEAD is ahead of the log (entries
  // were removed from the end): an operator must look first.
  static Result<std::shared_ptr<SegmentAuditLog>> open(AuditLogConfig config);
  // Writes everything queued, then stops the writer.
  ~SegmentAuditLog() override;

  void append(AuditEntry entry, DurableCallback durable) override;

  // The last entry written (seq 0 and the genesis hash for an empty log).
  ChainHead head() const;
  // True once an fsync failed: the log accepts nothing more.
  bool failed() const;

 private:
  struct Pending {
    AuditEntry entry;
    DurableCallback durable;
  };

  explicit SegmentAuditLog(AuditLogConfig config);
  Result<void> recover();
  void run();
  void write_batch(std::deque<Pending>& batch);
  // Writes as many entries from the front of `batch` as fit the current segment; returns how
  // many it consumed (their callbacks have run).
  std::size_t write_chunk(std::deque<Pending>& batch);
  Result<void> start_segment(std::uint64_t first_seq);
  Result<void> sync_segment();
  void write_head();
  bool head_behind() const;  // writer thread
  // Entries already queued (but not a full batch) as the writer comes round: load is high.
  bool backlog_after_batch();
  void fail_all(std::deque<Pending>& batch, std::size_t n, const Error& error);

  const AuditLogConfig config_;
  int lock_fd_ = -1;
  int segment_fd_ = -1;
  std::uint64_t segment_bytes_ = 0;

  // Writer-thread state (also read by head() under state_mutex_).
  mutable std::mutex state_mutex_;
  ChainHead last_;     // last entry written
  ChainHead durable_;  // last entry known durable (what HEAD says)
  bool failed_ = false;
  std::string failure_;
  bool dirty_ = false;  // written since the last fdatasync
  std::chrono::steady_clock::time_point next_sync_{};
  bool head_error_logged_ = false;
  std::uint64_t head_seq_ = 0;  // the seq HEAD last named (kEveryBatch: may trail durable_)
  std::chrono::steady_clock::time_point next_head_{};

  std::mutex queue_mutex_;
  std::condition_variable queue_cv_;
  std::deque<Pending> queue_;
  bool stopping_ = false;
  std::thread writer_;
};

}  // namespace lienthong::audit
