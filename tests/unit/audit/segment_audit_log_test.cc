#include "gateway/audit/segment_audit_log.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <atomic>
#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "gateway/audit/audit_verifier.h"
#include "tests/unit/audit/audit_test_util.h"

namespace lienthong::audit {
namespace {

using testing::make_entry;
using testing::read_all;
using testing::read_lines;
using testing::TempDir;

// Counts callbacks and waits for them.
class Completions {
 public:
  DurableCallback callback(int i) {
    return [this, i](Result<void> r) {
      std::lock_guard lock(mutex_);
      ++calls_[i];
      if (!r) errors_.push_back(r.error().detail);
      ++total_;
      cv_.notify_all();
    };
  }
  bool wait_for(int n) {
    std::unique_lock lock(mutex_);
    return cv_.wait_for(lock, std::chrono::seconds(30), [&] { return total_ >= n; });
  }
  std::map<int, int> calls() {
    std::lock_guard lock(mutex_);
    return calls_;
  }
  std::vector<std::string> errors() {
    std::lock_guard lock(mutex_);
    return errors_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  std::map<int, int> calls_;
  std::vector<std::string> errors_;
  int total_ = 0;
};

AuditLogConfig config_for(const std::filesystem::path& dir) {
  AuditLogConfig config;
  config.directory = dir;
  config.max_batch = 16;
  return config;
}

// Appends entries [from, to), waits for every callback, and expects them all to succeed.
void append_range(SegmentAuditLog& log, int from, int to) {
  Completions done;
  for (int i = from; i < to; ++i) log.append(make_entry(i), done.callback(i));
  ASSERT_TRUE(done.wait_for(to - from));
  EXPECT_TRUE(done.errors().empty()) << done.errors().front();
}

std::shared_ptr<SegmentAuditLog> open_log(const AuditLogConfig& config) {
  auto log = SegmentAuditLog::open(config);
  EXPECT_TRUE(log) << log.error().detail;
  return log ? *log : nullptr;
}

TEST(SegmentAuditLog, ManyThreadsEveryCallbackOnceAndTheChainVerifies) {
  TempDir dir;
  constexpr int kThreads = 4, kPerThread = 250, kTotal = kThreads * kPerThread;
  Completions done;
  {
    auto log = open_log(config_for(dir.path()));
    ASSERT_TRUE(log);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t)
      threads.emplace_back([&, t] {
        for (int k = 0; k < kPerThread; ++k) {
          const int i = t * kPerThread + k;
          log->append(make_entry(i), done.callback(i));
        }
      });
    for (auto& th : threads) th.join();
    ASSERT_TRUE(done.wait_for(kTotal));
    EXPECT_EQ(log->head().seq, static_cast<std::uint64_t>(kTotal));
  }
  auto calls = done.calls();
  ASSERT_EQ(calls.size(), static_cast<std::size_t>(kTotal));
  for (const auto& [i, n] : calls) EXPECT_EQ(n, 1) << "entry " << i;
  EXPECT_TRUE(done.errors().empty());

  auto report = verify_directory(dir.path());
  ASSERT_TRUE(report) << report.error().detail;
  EXPECT_TRUE(report->ok()) << report->broken->problem;
  EXPECT_EQ(report->entries, static_cast<std::uint64_t>(kTotal));
  // Every entry is there exactly once.
  std::set<std::string> ids;
  for (const auto& line : read_lines(dir.path() / "audit-000000000001.log")) {
    auto d = decode_entry(line);
    ASSERT_TRUE(d);
    ids.insert(d->entry.request_id);
  }
  EXPECT_EQ(ids.size(), static_cast<std::size_t>(kTotal));
}

TEST(SegmentAuditLog, DestructorDrainsTheQueue) {
  TempDir dir;
  Completions done;
  {
    auto log = open_log(config_for(dir.path()));
    ASSERT_TRUE(log);
    for (int i = 0; i < 200; ++i) log->append(make_entry(i), done.callback(i));
  }
  EXPECT_EQ(done.calls().size(), 200u);
  auto report = verify_directory(dir.path());
  ASSERT_TRUE(report);
  EXPECT_EQ(report->entries, 200u);
}

TEST(SegmentAuditLog, ReopenContinuesTheChain) {
  TempDir dir;
  std::string head_before;
  {
    auto log = open_log(config_for(dir.path()));
    ASSERT_TRUE(log);
    append_range(*log, 0, 10);
    head_before = log->head().hash;
  }
  {
    auto log = open_log(config_for(dir.path()));
    ASSERT_TRUE(log);
    EXPECT_EQ(log->head().seq, 10u);
    EXPECT_EQ(log->head().hash, head_before);
    append_range(*log, 10, 25);
  }
  auto report = verify_directory(dir.path());
  ASSERT_TRUE(report);
  EXPECT_TRUE(report->ok()) << report->broken->problem;
  EXPECT_EQ(report->entries, 25u);
  EXPECT_EQ(report->segments, 1u);
  const auto lines = read_lines(dir.path() / "audit-000000000001.log");
  ASSERT_EQ(lines.size(), 25u);
  EXPECT_EQ(parse_link(lines[10])->prev, head_before);
}

TEST(SegmentAuditLog, TornLastLineIsCutOffOnOpen) {
  TempDir dir;
  const auto segment = dir.path() / "audit-000000000001.log";
  {
    auto log = open_log(config_for(dir.path()));
    ASSERT_TRUE(log);
    append_range(*log, 0, 5);
  }
  const auto intact = read_all(segment);
  // A crash in the middle of the next write: half a line, no newline.
  const auto torn = encode_entry(make_entry(5), 6, std::string(64, 'c')).line.substr(0, 60);
  {
    std::ofstream out(segment, std::ios::binary | std::ios::app);
    out << torn;
  }
  auto before = verify_directory(dir.path());
  ASSERT_TRUE(before);
  EXPECT_TRUE(before->ok());
  ASSERT_FALSE(before->notes.empty());
  EXPECT_NE(before->notes.front().find("incomplete last line"), std::string::npos);
  {
    auto log = open_log(config_for(dir.path()));
    ASSERT_TRUE(log);
    EXPECT_EQ(read_all(segment), intact);
    EXPECT_EQ(log->head().seq, 5u);
    append_range(*log, 5, 8);
  }
  auto after = verify_directory(dir.path());
  ASSERT_TRUE(after);
  EXPECT_TRUE(after->ok()) << after->broken->problem;
  EXPECT_EQ(after->entries, 8u);
  EXPECT_TRUE(after->notes.empty());
}

TEST(SegmentAuditLog, RotatesSegmentsAndTheChainCrossesThem) {
  TempDir dir;
  auto config = config_for(dir.path());
  config.segment_max_bytes = 2000;  // a few entries per segment
  {
    auto log = open_log(config);
    ASSERT_TRUE(log);
    append_range(*log, 0, 30);
  }
  {  // and again after a reopen
    auto log = open_log(config);
    ASSERT_TRUE(log);
    append_range(*log, 30, 50);
  }
  auto segments = list_segments(dir.path());
  ASSERT_TRUE(segments);
  ASSERT_GT(segments->size(), 5u);
  std::uint64_t next = 1;
  for (const auto& seg : *segments) {
    EXPECT_EQ(seg.first_seq, next);
    const auto lines = read_lines(seg.path);
    ASSERT_FALSE(lines.empty());
    EXPECT_EQ(parse_link(lines.front())->seq, seg.first_seq);
    EXPECT_LE(std::filesystem::file_size(seg.path), config.segment_max_bytes);
    next += lines.size();
  }
  EXPECT_EQ(next, 51u);
  auto report = verify_directory(dir.path());
  ASSERT_TRUE(report);
  EXPECT_TRUE(report->ok()) << report->broken->problem;
  EXPECT_EQ(report->entries, 50u);
  EXPECT_EQ(report->segments, segments->size());
}

TEST(SegmentAuditLog, IntervalAndNonePoliciesWriteTheSameChain) {
  for (auto policy : {FsyncPolicy::kInterval, FsyncPolicy::kNone}) {
    TempDir dir;
    auto config = config_for(dir.path());
    config.fsync = policy;
    config.fsync_interval = std::chrono::milliseconds(5);
    {
      auto log = open_log(config);
      ASSERT_TRUE(log);
      append_range(*log, 0, 40);
    }
    auto report = verify_directory(dir.path());
    ASSERT_TRUE(report);
    EXPECT_TRUE(report->ok()) << report->broken->problem;
    EXPECT_EQ(report->entries, 40u);
    EXPECT_TRUE(report->notes.empty());  // HEAD caught up at close
  }
}

// Under kEveryBatch HEAD is rewritten at most every head_interval (the entries are durable
// before their callbacks either way); it catches up when the log goes quiet and at close.
TEST(SegmentAuditLog, HeadFollowsAtMostEveryIntervalAndCatchesUp) {
  TempDir dir;
  const auto head_seq = [&] { return parse_head(read_all(dir.path() / "HEAD"))->seq; };
  {
    AuditLogConfig config = config_for(dir.path());
    config.head_interval = std::chrono::hours(1);
    auto log = open_log(config);
    ASSERT_TRUE(log);
    append_range(*log, 0, 1);
    EXPECT_EQ(head_seq(), 1u);  // the first durable batch writes HEAD at once
    append_range(*log, 1, 40);
    EXPECT_EQ(log->head().seq, 40u);
    EXPECT_EQ(head_seq(), 1u);  // within the interval: not rewritten per batch
  }
  EXPECT_EQ(head_seq(), 40u);  // close brings it up to date
  auto report = verify_directory(dir.path());
  ASSERT_TRUE(report) << report.error().detail;
  EXPECT_TRUE(report->ok()) << report->broken->problem;
  EXPECT_TRUE(report->notes.empty());

  AuditLogConfig config = config_for(dir.path());
  config.head_interval = std::chrono::milliseconds(20);
  auto log = open_log(config);
  ASSERT_TRUE(log);
  append_range(*log, 40, 45);
  // The log is quiet now: HEAD catches up on its own, without another append or a close.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (head_seq() != 45u && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  EXPECT_EQ(head_seq(), 45u);
}

TEST(SegmentAuditLog, FilesArePrivate) {
  TempDir parent;
  const auto dir = parent.path() / "audit";
  {
    auto log = open_log(config_for(dir));
    ASSERT_TRUE(log);
    append_range(*log, 0, 3);
  }
  struct stat st {};
  ASSERT_EQ(::stat(dir.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  for (const char* name : {"audit-000000000001.log", "HEAD"}) {
    ASSERT_EQ(::stat((dir / name).c_str(), &st), 0) << name;
    EXPECT_EQ(st.st_mode & 077, 0u) << name;
  }
}

TEST(SegmentAuditLog, OneWriterPerDirectory) {
  TempDir dir;
  auto first = open_log(config_for(dir.path()));
  ASSERT_TRUE(first);
  auto second = SegmentAuditLog::open(config_for(dir.path()));
  ASSERT_FALSE(second);
  EXPECT_NE(second.error().detail.find("in use"), std::string::npos);
}

TEST(SegmentAuditLog, RefusesToOpenWhenTheTailWasRemoved) {
  TempDir dir;
  {
    auto log = open_log(config_for(dir.path()));
    ASSERT_TRUE(log);
    append_range(*log, 0, 10);
  }
  const auto segment = dir.path() / "audit-000000000001.log";
  auto lines = read_lines(segment);
  lines.resize(7);
  testing::write_lines(segment, lines);
  auto log = SegmentAuditLog::open(config_for(dir.path()));
  ASSERT_FALSE(log);
  EXPECT_NE(log.error().detail.find("removed from the end"), std::string::npos);
}

TEST(SegmentAuditLog, RefusesToOpenOnATamperedLastEntry) {
  TempDir dir;
  {
    auto log = open_log(config_for(dir.path()));
    ASSERT_TRUE(log);
    append_range(*log, 0, 4);
  }
  const auto segment = dir.path() / "audit-000000000001.log";
  auto lines = read_lines(segment);
  lines.back().replace(lines.back().find("\"OK\""), 4, "\"NO\"");
  testing::write_lines(segment, lines);
  EXPECT_FALSE(SegmentAuditLog::open(config_for(dir.path())));
}

}  // namespace
}  // namespace lienthong::audit
