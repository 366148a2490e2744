// The subject index (audit_index.h): its answers equal a full scan of the log, it catches up
// incrementally, and a deleted, truncated or corrupted index never yields a wrong answer.
#include "gateway/audit/audit_index.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <atomic>
#include <map>
#include <random>
#include <set>
#include <thread>

#include "gateway/audit/index_files.h"
#include "gateway/audit/segment_audit_log.h"
#include "tests/unit/audit/audit_test_util.h"

namespace lienthong::audit {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

constexpr std::string_view kHeavy = "001203104510";   // every 50th entry; no other has it
constexpr std::string_view kNobody = "079203000001";  // never in the log

// Many subjects with a few entries each, and one with many.
std::string subject_for(int i) {
  if (i % 50 == 0) return std::string(kHeavy);
  char buf[16];
  std::snprintf(buf, sizeof buf, "0012030%05d", (i * 7919) % 20000);
  return buf;
}

AuditEntry entry_for(int i) {
  AuditEntry e = testing::make_entry(i);
  e.subject = subject_for(i);
  return e;
}

void append_entries(const fs::path& dir, int from, int to, std::uint64_t segment_max_bytes) {
  AuditLogConfig config;
  config.directory = dir;
  config.segment_max_bytes = segment_max_bytes;
  config.fsync = FsyncPolicy::kNone;
  auto log = SegmentAuditLog::open(config);
  ASSERT_TRUE(log) << log.error().detail;
  for (int i = from; i < to; ++i) (*log)->append(entry_for(i), nullptr);
}

// The reference: every line of every segment, decoded.
std::vector<std::uint64_t> full_scan(const fs::path& dir, const SubjectQuery& q) {
  std::vector<std::uint64_t> seqs;
  const std::string needle = "\"subject\":\"" + q.subject + "\"";
  const auto segments = list_segments(dir);
  for (const auto& seg : *segments) {
    for (const auto& line : testing::read_lines(seg.path)) {
      if (line.find(needle) == std::string::npos) continue;
      auto d = decode_entry(line);
      if (!d || d->entry.subject != q.subject) continue;
      if ((q.from && d->entry.at < *q.from) || (q.until && d->entry.at >= *q.until)) continue;
      seqs.push_back(d->link.seq);
    }
  }
  std::sort(seqs.begin(), seqs.end());  // the index answers oldest first
  return seqs;
}

// The same reference for many queries, in one pass over the log.
class FullScan {
 public:
  explicit FullScan(const fs::path& dir) {
    const auto segments = list_segments(dir);
    for (const auto& seg : *segments)
      for (const auto& line : testing::read_lines(seg.path)) {
        // Plain string search (decoding 100k lines takes seconds in a Debug build); the test
        // log is untampered and its strings hold no quotes.
        by_subject_[field(line, "subject")].emplace_back(std::stoull(field(line, "seq")),
                                                         *parse_audit_time(field(line, "at")));
      }
  }
  std::vector<std::uint64_t> answer(const SubjectQuery& q) const {
    std::vector<std::uint64_t> seqs;
    auto it = by_subject_.find(q.subject);
    if (it == by_subject_.end()) return seqs;
    for (const auto& [seq, at] : it->second)
      if ((!q.from || at >= *q.from) && (!q.until || at < *q.until)) seqs.push_back(seq);
    std::sort(seqs.begin(), seqs.end());
    return seqs;
  }

 private:
  static std::string field(const std::string& line, const std::string& name) {
    const std::string key = "\"" + name + "\":";
    std::size_t at = line.find(key) + key.size();
    if (line[at] == '"') {
      ++at;
      return line.substr(at, line.find('"', at) - at);
    }
    return line.substr(at, line.find(',', at) - at);
  }
  std::map<std::string, std::vector<std::pair<std::uint64_t, TimePoint>>> by_subject_;
};

std::vector<std::uint64_t> seqs_of(const SubjectAnswer& a) {
  std::vector<std::uint64_t> out;
  for (const auto& e : a.entries) out.push_back(e.decoded.link.seq);
  return out;
}

SubjectAnswer ask(const fs::path& dir, const SubjectQuery& q) {
  auto a = query_subject(dir, q);
  EXPECT_TRUE(a) << a.error().detail;
  return a ? *a : SubjectAnswer{};
}

SubjectQuery for_subject(std::string_view s) { return SubjectQuery{std::string(s), {}, {}}; }

TimePoint at_of(int i) { return testing::make_entry(i).at; }

std::vector<fs::path> index_files(const fs::path& dir, std::string_view suffix) {
  std::vector<fs::path> out;
  for (const auto& item : fs::directory_iterator(dir / kIndexDirectory))
    if (item.path().string().ends_with(suffix)) out.push_back(item.path());
  std::sort(out.begin(), out.end());
  return out;
}

void flip_byte(const fs::path& file, std::uint64_t at) {
  std::string bytes = testing::read_all(file);
  ASSERT_LT(at, bytes.size());
  bytes[at] ^= 0x01;
  std::ofstream(file, std::ios::binary | std::ios::trunc) << bytes;
}

void truncate_to(const fs::path& file, std::uint64_t size) { fs::resize_file(file, size); }

TEST(AuditIndex, MatchesAFullScanOver100kEntries) {
  TempDir dir;
  constexpr std::uint64_t kEntries = 100'000;
  append_entries(dir.path(), 0, static_cast<int>(kEntries), 4u << 20);
  ASSERT_GE(list_segments(dir.path())->size(), 5u);

  auto status = update_index(dir.path());
  ASSERT_TRUE(status) << status.error().detail;
  EXPECT_EQ(status->indexed, kEntries);
  EXPECT_EQ(status->entries, kEntries);
  EXPECT_EQ(status->through_seq, kEntries);
  EXPECT_EQ(status->unreadable, 0u);
  // Closed segments got sorted files, the open one a tail.
  EXPECT_EQ(index_files(dir.path(), ".sidx").size(), list_segments(dir.path())->size() - 1);
  EXPECT_EQ(index_files(dir.path(), ".tidx").size(), 1u);
  // Index files hold no subject in clear.
  for (const auto& f : index_files(dir.path(), "idx"))
    EXPECT_EQ(testing::read_all(f).find(kHeavy), std::string::npos) << f;
  struct stat st {};
  ASSERT_EQ(::stat((dir.path() / kIndexDirectory).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);

  std::vector<SubjectQuery> queries = {for_subject(kHeavy), for_subject(kNobody)};
  std::mt19937 rng(42);
  for (int n = 0; n < 25; ++n)
    queries.push_back(for_subject(subject_for(static_cast<int>(1 + rng() % kEntries))));
  // Time ranges whose bounds fall exactly on entries: `from` is inclusive, `until` exclusive.
  SubjectQuery ranged = for_subject(kHeavy);
  ranged.from = at_of(5000);    // entry 5000 is the heavy subject's
  ranged.until = at_of(60000);  // so is 60000: excluded
  queries.push_back(ranged);
  SubjectQuery only_from = for_subject(kHeavy);
  only_from.from = at_of(99950);
  queries.push_back(only_from);
  SubjectQuery only_until = for_subject(kHeavy);
  only_until.until = at_of(0) + std::chrono::microseconds{1};
  queries.push_back(only_until);

  const FullScan reference(dir.path());
  std::vector<SubjectAnswer> answers;
  for (const auto& q : queries) {
    answers.push_back(ask(dir.path(), q));
    const auto& answer = answers.back();
    EXPECT_EQ(seqs_of(answer), reference.answer(q)) << q.subject;
    EXPECT_FALSE(reference.answer(q).empty() && q.subject != kNobody) << q.subject;
    EXPECT_TRUE(answer.tampered.empty());
    EXPECT_EQ(answer.index.indexed, 0u);  // nothing new since the update
  }
  // queries: heavy, nobody, 25 random, ranged, only_from, only_until.
  EXPECT_EQ(answers[0].entries.size(), kEntries / 50);
  EXPECT_TRUE(answers[1].entries.empty());
  const auto ranged_seqs = seqs_of(answers[27]);
  ASSERT_FALSE(ranged_seqs.empty());
  EXPECT_EQ(ranged_seqs.front(), 5001u);
  EXPECT_EQ(ranged_seqs.back(), 59951u);
  EXPECT_EQ(seqs_of(answers[29]), std::vector<std::uint64_t>{1});
  // An entry's fields come back as written.
  const auto& first = answers[0].entries.front();
  EXPECT_EQ(first.decoded.entry.dossier_code, entry_for(0).dossier_code);
  EXPECT_EQ(first.file, "audit-000000000001.log");
  EXPECT_EQ(first.offset, 0u);
}

TEST(AuditIndex, CatchesUpWithWhatWasAppended) {
  TempDir dir;
  append_entries(dir.path(), 0, 3000, 64u << 10);
  auto first = ask(dir.path(), for_subject(kHeavy));
  EXPECT_EQ(first.index.indexed, 3000u);
  EXPECT_EQ(first.entries.size(), 60u);

  append_entries(dir.path(), 3000, 5000, 64u << 10);
  auto second = ask(dir.path(), for_subject(kHeavy));
  EXPECT_EQ(second.index.indexed, 2000u);  // only what was not indexed yet was read
  EXPECT_EQ(second.index.through_seq, 5000u);
  EXPECT_EQ(second.index.rebuilt, 0u);
  EXPECT_EQ(seqs_of(second), full_scan(dir.path(), for_subject(kHeavy)));
  EXPECT_EQ(second.entries.size(), 100u);

  auto again = update_index(dir.path());
  ASSERT_TRUE(again);
  EXPECT_EQ(again->indexed, 0u);
  EXPECT_EQ(again->entries, 5000u);
}

TEST(AuditIndex, DeletedIndexIsRebuilt) {
  TempDir dir;
  append_entries(dir.path(), 0, 3000, 64u << 10);
  const auto before = seqs_of(ask(dir.path(), for_subject(kHeavy)));
  fs::remove_all(dir.path() / kIndexDirectory);
  const auto after = ask(dir.path(), for_subject(kHeavy));
  EXPECT_EQ(after.index.indexed, 3000u);
  EXPECT_EQ(seqs_of(after), before);
  EXPECT_EQ(seqs_of(after), full_scan(dir.path(), for_subject(kHeavy)));
}

// Whatever happens to an index file, the answer is the full scan's, and the file is rebuilt.
class AuditIndexDamage : public ::testing::Test {
 protected:
  void SetUp() override {
    append_entries(dir_.path(), 0, 3000, 64u << 10);
    ASSERT_TRUE(update_index(dir_.path()));
    expected_ = full_scan(dir_.path(), for_subject(kHeavy));
    ASSERT_EQ(expected_.size(), 60u);
  }
  void ExpectCorrectAndRebuilt() {
    const auto answer = ask(dir_.path(), for_subject(kHeavy));
    EXPECT_EQ(seqs_of(answer), expected_);
    EXPECT_GE(answer.index.rebuilt, 1u);
    EXPECT_TRUE(answer.tampered.empty());
    // Rebuilt for good: the next query finds nothing to repair.
    const auto next = ask(dir_.path(), for_subject(kHeavy));
    EXPECT_EQ(seqs_of(next), expected_);
    EXPECT_EQ(next.index.rebuilt, 0u);
  }
  fs::path sorted(std::size_t i) { return index_files(dir_.path(), ".sidx").at(i); }
  fs::path tail() { return index_files(dir_.path(), ".tidx").at(0); }

  TempDir dir_;
  std::vector<std::uint64_t> expected_;
};

TEST_F(AuditIndexDamage, TruncatedSortedFile) {
  truncate_to(sorted(0), fs::file_size(sorted(0)) - 7);
  ExpectCorrectAndRebuilt();
}

TEST_F(AuditIndexDamage, EmptySortedFile) {
  truncate_to(sorted(1), 0);
  ExpectCorrectAndRebuilt();
}

TEST_F(AuditIndexDamage, FlippedByteInASortedBlock) {
  // Every block of every closed segment: whichever holds the subject is caught when read.
  for (const auto& f : index_files(dir_.path(), ".sidx")) flip_byte(f, fs::file_size(f) - 20);
  const auto answer = ask(dir_.path(), for_subject(kHeavy));
  EXPECT_EQ(seqs_of(answer), expected_);
}

TEST_F(AuditIndexDamage, FlippedByteInASortedHeader) {
  flip_byte(sorted(0), 20);
  ExpectCorrectAndRebuilt();
}

TEST_F(AuditIndexDamage, SortedFileOfAnotherSegment) {
  fs::copy_file(sorted(0), sorted(1), fs::copy_options::overwrite_existing);
  ExpectCorrectAndRebuilt();
}

TEST_F(AuditIndexDamage, TailCutMidRecord) {
  truncate_to(tail(), fs::file_size(tail()) - 13);
  ExpectCorrectAndRebuilt();
}

TEST_F(AuditIndexDamage, FlippedByteInTheTail) {
  flip_byte(tail(), index::kTailHeaderBytes + 3);  // the first record's key
  ExpectCorrectAndRebuilt();
}

TEST_F(AuditIndexDamage, GarbageTail) {
  std::ofstream(tail(), std::ios::binary | std::ios::trunc) << "not an index";
  ExpectCorrectAndRebuilt();
}

TEST_F(AuditIndexDamage, StaleTmpFilesAreRemoved) {
  std::ofstream(dir_.path() / kIndexDirectory / "audit-000000000001.sidx.tmp") << "half";
  ask(dir_.path(), for_subject(kHeavy));
  EXPECT_FALSE(fs::exists(dir_.path() / kIndexDirectory / "audit-000000000001.sidx.tmp"));
}

TEST_F(AuditIndexDamage, IndexPointingAtTheWrongLinesIsRebuiltNotBelieved) {
  // A sorted file built for a segment, then the segment swapped for another of the same size
  // and first seq: the index's offsets now name other subjects' lines.
  const auto seg = list_segments(dir_.path())->at(0).path;
  auto lines = testing::read_lines(seg);
  std::rotate(lines.begin(), lines.begin() + 1, lines.end());
  testing::write_lines(seg, lines);
  const auto answer = ask(dir_.path(), for_subject(kHeavy));
  EXPECT_EQ(seqs_of(answer), full_scan(dir_.path(), for_subject(kHeavy)));
  EXPECT_GE(answer.index.rebuilt, 1u);
}

TEST(AuditIndex, TamperedLineFoundThroughTheIndexIsReported) {
  TempDir dir;
  append_entries(dir.path(), 0, 3000, 64u << 10);
  ASSERT_TRUE(update_index(dir.path()));
  // Entry 50 (seq 51) is the heavy subject's: change its dossier after it was indexed.
  const auto seg = list_segments(dir.path())->at(0).path;
  auto lines = testing::read_lines(seg);
  ASSERT_NE(lines[50].find(kHeavy), std::string::npos);
  const std::string dossier = entry_for(50).dossier_code;
  lines[50].replace(lines[50].find(dossier), dossier.size(), entry_for(51).dossier_code);
  testing::write_lines(seg, lines);

  const auto answer = ask(dir.path(), for_subject(kHeavy));
  ASSERT_EQ(answer.tampered.size(), 1u);
  EXPECT_EQ(answer.tampered[0].file, "audit-000000000001.log");
  EXPECT_EQ(answer.tampered[0].seq, 51u);
  EXPECT_NE(answer.tampered[0].problem.find("hash mismatch"), std::string::npos);
  for (auto seq : seqs_of(answer)) EXPECT_NE(seq, 51u);
  EXPECT_EQ(answer.entries.size(), 59u);

  // Also when the index is built after the change.
  fs::remove_all(dir.path() / kIndexDirectory);
  EXPECT_EQ(ask(dir.path(), for_subject(kHeavy)).tampered.size(), 1u);
}

TEST(AuditIndex, EntryMovedToAnotherSubjectAfterIndexingIsReported) {
  TempDir dir;
  append_entries(dir.path(), 0, 3000, 64u << 10);
  ASSERT_TRUE(update_index(dir.path()));
  const auto seg = list_segments(dir.path())->at(0).path;
  auto lines = testing::read_lines(seg);
  lines[50].replace(lines[50].find(kHeavy), kHeavy.size(), kNobody);
  testing::write_lines(seg, lines);
  const auto answer = ask(dir.path(), for_subject(kHeavy));
  ASSERT_EQ(answer.tampered.size(), 1u);
  EXPECT_EQ(answer.tampered[0].seq, 51u);
  EXPECT_EQ(answer.entries.size(), 59u);
  // The line now claims to be kNobody's: once the index is rebuilt it is filed there, and a
  // query for kNobody reports it too.
  fs::remove_all(dir.path() / kIndexDirectory);
  const auto nobody = ask(dir.path(), for_subject(kNobody));
  ASSERT_EQ(nobody.tampered.size(), 1u);
  EXPECT_TRUE(nobody.entries.empty());
}

TEST(AuditIndex, IncompleteLastLineIsLeftForLater) {
  TempDir dir;
  append_entries(dir.path(), 0, 500, 1u << 20);
  const auto seg = list_segments(dir.path())->back().path;
  const std::string whole = testing::read_all(seg);
  // A gateway caught mid-write: the last line without its end.
  fs::resize_file(seg, whole.size() - 10);
  auto partial = update_index(dir.path());
  ASSERT_TRUE(partial);
  EXPECT_EQ(partial->indexed, 499u);
  std::ofstream(seg, std::ios::binary | std::ios::app) << whole.substr(whole.size() - 10);
  auto rest = update_index(dir.path());
  ASSERT_TRUE(rest);
  EXPECT_EQ(rest->indexed, 1u);
  EXPECT_EQ(rest->through_seq, 500u);
  EXPECT_EQ(rest->rebuilt, 0u);
  EXPECT_EQ(seqs_of(ask(dir.path(), for_subject(kHeavy))),
            full_scan(dir.path(), for_subject(kHeavy)));
}

TEST(AuditIndex, RewrittenTailOfTheLogIsNotBelieved) {
  // The writer cuts back a failed write and writes other entries at the same offsets: the
  // index of the old lines must not survive.
  TempDir dir;
  append_entries(dir.path(), 0, 200, 1u << 20);
  ASSERT_TRUE(update_index(dir.path()));
  const auto seg = list_segments(dir.path())->back().path;
  auto lines = testing::read_lines(seg);
  std::swap(lines[198], lines[199]);  // the last indexed line is no longer where it was
  testing::write_lines(seg, lines);
  auto status = update_index(dir.path());
  ASSERT_TRUE(status);
  EXPECT_GE(status->rebuilt, 1u);
  EXPECT_EQ(status->indexed, 200u);
}

TEST(AuditIndex, ConcurrentQueriesBesideAWritingGateway) {
  TempDir dir;
  append_entries(dir.path(), 0, 1000, 64u << 10);
  AuditLogConfig config;
  config.directory = dir.path();
  config.segment_max_bytes = 64u << 10;
  config.fsync = FsyncPolicy::kNone;
  auto log = SegmentAuditLog::open(config);
  ASSERT_TRUE(log);
  std::atomic<bool> done{false};
  std::thread writer([&] {
    for (int i = 1000; i < 4000; ++i) (*log)->append(entry_for(i), nullptr);
    done = true;
  });
  std::vector<std::thread> readers;
  std::atomic<int> failures{0};
  for (int t = 0; t < 3; ++t) {
    readers.emplace_back([&] {
      std::size_t seen = 0;
      for (int n = 0; n < 20 || !done; ++n) {
        auto a = query_subject(dir.path(), for_subject(kHeavy));
        if (!a || !a->tampered.empty() || a->entries.size() < seen) ++failures;
        if (a) {
          seen = a->entries.size();
          // Never an entry beyond what the index says it covers, never a gap.
          for (std::size_t k = 0; k < a->entries.size(); ++k)
            if (a->entries[k].decoded.link.seq != 1 + 50 * k) ++failures;
        }
      }
    });
  }
  writer.join();
  for (auto& r : readers) r.join();
  log->reset();
  EXPECT_EQ(failures, 0);
  EXPECT_EQ(seqs_of(ask(dir.path(), for_subject(kHeavy))),
            full_scan(dir.path(), for_subject(kHeavy)));
  EXPECT_EQ(ask(dir.path(), for_subject(kHeavy)).entries.size(), 80u);
}

TEST(AuditIndex, SegmentsArchivedAwayDropTheirIndexFiles) {
  TempDir dir;
  append_entries(dir.path(), 0, 2000, 64u << 10);
  ASSERT_TRUE(update_index(dir.path()));
  const auto first = list_segments(dir.path())->at(0);
  fs::remove(first.path);
  const auto answer = ask(dir.path(), for_subject(kHeavy));
  EXPECT_EQ(seqs_of(answer), full_scan(dir.path(), for_subject(kHeavy)));
  EXPECT_FALSE(fs::exists(dir.path() / kIndexDirectory / index::sorted_file_name(1)));
}

TEST(AuditIndex, MissingDirectoryIsAnError) {
  TempDir dir;
  EXPECT_FALSE(query_subject(dir.path() / "missing", for_subject(kHeavy)));
  EXPECT_FALSE(update_index(dir.path() / "missing"));
}

TEST(AuditIndexFiles, ScanLineFindsTheFields) {
  const auto encoded = encode_entry(entry_for(7), 8, kGenesisHash);
  const std::string_view line(encoded.line.data(), encoded.line.size() - 1);
  auto fields = index::scan_line(line);
  ASSERT_TRUE(fields);
  EXPECT_EQ(fields->subject, subject_for(7));
  EXPECT_EQ(fields->seq, 8u);
  EXPECT_EQ(fields->tag, std::stoull(encoded.hash.substr(0, 16), nullptr, 16));
  EXPECT_FALSE(index::scan_line("{\"seq\":1}"));
  EXPECT_FALSE(index::scan_line(""));
  // A subject-looking string inside another field is escaped, so it is never taken.
  AuditEntry tricky = entry_for(7);
  tricky.officer_account = "x\",\"subject\":\"999999999999";
  const auto t = encode_entry(tricky, 1, kGenesisHash);
  EXPECT_EQ(index::scan_line(std::string_view(t.line).substr(0, t.line.size() - 1))->subject,
            subject_for(7));
}

}  // namespace
}  // namespace lienthong::audit
