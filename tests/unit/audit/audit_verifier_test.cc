// Tampering with an audit directory: each kind of change is found, at the right place.
#include "gateway/audit/audit_verifier.h"

#include <gtest/gtest.h>

#include "gateway/audit/audit_format.h"
#include "gateway/audit/segment_audit_log.h"
#include "tests/unit/audit/audit_test_util.h"

namespace lienthong::audit {
namespace {

using testing::make_entry;
using testing::read_lines;
using testing::TempDir;
using testing::write_lines;

// Writes `n` entries (seq 1..n) with the given segment size and closes the log.
void write_log(const std::filesystem::path& dir, int n, std::uint64_t segment_max = 64u << 20) {
  AuditLogConfig config;
  config.directory = dir;
  config.segment_max_bytes = segment_max;
  config.fsync = FsyncPolicy::kNone;  // the format is the same; keep the tests fast
  auto log = SegmentAuditLog::open(config);
  ASSERT_TRUE(log) << log.error().detail;
  for (int i = 0; i < n; ++i) (*log)->append(make_entry(i), nullptr);
}

VerifyReport verify(const std::filesystem::path& dir) {
  auto report = verify_directory(dir);
  EXPECT_TRUE(report) << report.error().detail;
  return report ? *report : VerifyReport{};
}

void expect_break(const VerifyReport& report, const std::string& file, std::uint64_t line,
                  std::uint64_t seq, const std::string& problem) {
  ASSERT_FALSE(report.ok()) << "tampering not detected";
  EXPECT_EQ(report.broken->file, file);
  EXPECT_EQ(report.broken->line, line);
  EXPECT_EQ(report.broken->seq, seq);
  EXPECT_NE(report.broken->problem.find(problem), std::string::npos) << report.broken->problem;
}

const char* kFirst = "audit-000000000001.log";

TEST(AuditVerifier, IntactLogIsOk) {
  TempDir dir;
  write_log(dir.path(), 20);
  const auto report = verify(dir.path());
  EXPECT_TRUE(report.ok());
  EXPECT_EQ(report.entries, 20u);
  EXPECT_EQ(report.segments, 1u);
  EXPECT_EQ(report.last_seq, 20u);
  EXPECT_EQ(parse_head(testing::read_all(dir.path() / "HEAD"))->hash, report.head_hash);
}

TEST(AuditVerifier, EmptyDirectoryIsAnEmptyLog) {
  TempDir dir;
  const auto report = verify(dir.path());
  EXPECT_TRUE(report.ok());
  EXPECT_EQ(report.entries, 0u);
  EXPECT_EQ(report.head_hash, kGenesisHash);
}

TEST(AuditVerifier, MissingDirectoryIsAnError) {
  TempDir dir;
  EXPECT_FALSE(verify_directory(dir.path() / "nope"));
}

TEST(AuditVerifier, ModifiedFieldInTheMiddle) {
  TempDir dir;
  write_log(dir.path(), 20);
  auto lines = read_lines(dir.path() / kFirst);
  auto& line = lines[9];  // seq 10
  const auto at = line.find("\"outcome\":\"OK\"");
  ASSERT_NE(at, std::string::npos);
  line.replace(at, 14, "\"outcome\":\"NOT_FOUND\"");
  write_lines(dir.path() / kFirst, lines);
  expect_break(verify(dir.path()), kFirst, 10, 10, "hash mismatch: entry modified");
}

TEST(AuditVerifier, ModifiedAndRehashedEntryBreaksTheNextLink) {
  TempDir dir;
  write_log(dir.path(), 20);
  auto lines = read_lines(dir.path() / kFirst);
  // Re-encode entry 10 with another subject but its own seq and prev: its hash is right again.
  auto link = parse_link(lines[9]);
  ASSERT_TRUE(link);
  auto forged = make_entry(9);
  forged.subject = "001099999999";
  auto enc = encode_entry(forged, link->seq, link->prev);
  lines[9] = enc.line.substr(0, enc.line.size() - 1);
  write_lines(dir.path() / kFirst, lines);
  expect_break(verify(dir.path()), kFirst, 11, 11, "prev does not match previous entry");
}

TEST(AuditVerifier, DeletedLine) {
  TempDir dir;
  write_log(dir.path(), 20);
  auto lines = read_lines(dir.path() / kFirst);
  lines.erase(lines.begin() + 9);  // seq 10 gone
  write_lines(dir.path() / kFirst, lines);
  expect_break(verify(dir.path()), kFirst, 10, 11,
               "prev does not match previous entry: entry removed or reordered");
}

TEST(AuditVerifier, SwappedLines) {
  TempDir dir;
  write_log(dir.path(), 20);
  auto lines = read_lines(dir.path() / kFirst);
  std::swap(lines[4], lines[5]);  // seq 5 and 6
  write_lines(dir.path() / kFirst, lines);
  expect_break(verify(dir.path()), kFirst, 5, 6,
               "prev does not match previous entry: entry removed or reordered");
}

TEST(AuditVerifier, DuplicatedLine) {
  TempDir dir;
  write_log(dir.path(), 20);
  auto lines = read_lines(dir.path() / kFirst);
  lines.insert(lines.begin() + 7, lines[6]);  // seq 7 twice
  write_lines(dir.path() / kFirst, lines);
  expect_break(verify(dir.path()), kFirst, 8, 7, "prev does not match previous entry");
}

TEST(AuditVerifier, DeletedFirstLine) {
  TempDir dir;
  write_log(dir.path(), 5);
  auto lines = read_lines(dir.path() / kFirst);
  lines.erase(lines.begin());
  write_lines(dir.path() / kFirst, lines);
  expect_break(verify(dir.path()), kFirst, 1, 2, "genesis");
}

TEST(AuditVerifier, GarbageLine) {
  TempDir dir;
  write_log(dir.path(), 5);
  auto lines = read_lines(dir.path() / kFirst);
  lines[2] = "{\"seq\":3,\"note\":\"hello\"}";
  write_lines(dir.path() / kFirst, lines);
  expect_break(verify(dir.path()), kFirst, 3, 3, "malformed entry");
}

TEST(AuditVerifier, DeletedMiddleSegment) {
  TempDir dir;
  write_log(dir.path(), 40, 2000);
  auto segments = list_segments(dir.path());
  ASSERT_TRUE(segments);
  ASSERT_GE(segments->size(), 4u);
  const auto removed = (*segments)[2];
  const auto next = (*segments)[3];
  std::filesystem::remove(removed.path);
  expect_break(verify(dir.path()), next.path.filename().string(), 1, next.first_seq,
               "segment does not continue the previous one");
}

TEST(AuditVerifier, RenamedSegmentToHideAGap) {
  TempDir dir;
  write_log(dir.path(), 40, 2000);
  auto segments = list_segments(dir.path());
  ASSERT_TRUE(segments);
  ASSERT_GE(segments->size(), 4u);
  // Remove segment 2 and rename segment 3 so the names still follow on.
  const auto removed = (*segments)[2];
  const auto next = (*segments)[3];
  std::filesystem::remove(removed.path);
  std::filesystem::rename(next.path, removed.path);
  expect_break(verify(dir.path()), removed.path.filename().string(), 1, next.first_seq,
               "segment does not continue the previous one");
}

TEST(AuditVerifier, DeletedFirstSegment) {
  TempDir dir;
  write_log(dir.path(), 40, 2000);
  auto segments = list_segments(dir.path());
  ASSERT_TRUE(segments);
  std::filesystem::remove(segments->front().path);
  const auto& second = (*segments)[1];
  expect_break(verify(dir.path()), second.path.filename().string(), 1, second.first_seq,
               "does not start at seq 1");
}

TEST(AuditVerifier, TruncatedTailIsCaughtByHead) {
  TempDir dir;
  write_log(dir.path(), 20);
  auto lines = read_lines(dir.path() / kFirst);
  lines.resize(17);
  write_lines(dir.path() / kFirst, lines);
  const auto report = verify(dir.path());
  expect_break(report, "HEAD", 1, 20,
               "HEAD does not match the last entry: entries removed from the end");
  EXPECT_EQ(report.entries, 17u);
}

TEST(AuditVerifier, DeletedLastSegmentIsCaughtByHead) {
  TempDir dir;
  write_log(dir.path(), 40, 2000);
  auto segments = list_segments(dir.path());
  ASSERT_TRUE(segments);
  std::filesystem::remove(segments->back().path);
  expect_break(verify(dir.path()), "HEAD", 1, 40, "entries removed from the end");
}

TEST(AuditVerifier, MissingHeadIsABreak) {
  TempDir dir;
  write_log(dir.path(), 3);
  std::filesystem::remove(dir.path() / "HEAD");
  expect_break(verify(dir.path()), "HEAD", 1, 0, "HEAD is missing");
}

TEST(AuditVerifier, HeadBehindButConsistentIsANote) {
  TempDir dir;
  write_log(dir.path(), 10);
  const auto lines = read_lines(dir.path() / kFirst);
  auto link = parse_link(lines[7]);  // seq 8
  ASSERT_TRUE(link);
  write_lines(dir.path() / "HEAD", {encode_head({link->seq, link->hash})});
  auto report = verify(dir.path());
  EXPECT_TRUE(report.ok()) << report.broken->problem;
  ASSERT_EQ(report.notes.size(), 1u);
  EXPECT_NE(report.notes[0].find("2 entries behind"), std::string::npos);

  // The same seq with another hash is not a lag but a rewrite.
  write_lines(dir.path() / "HEAD", {encode_head({8, std::string(64, 'e')})});
  expect_break(verify(dir.path()), "HEAD", 1, 8, "does not match");
}

}  // namespace
}  // namespace lienthong::audit
