// `lienthong audit who` and `lienthong audit index`: exit codes, the three output forms and the
// time bounds, on the built binary.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <nlohmann/json.hpp>

#include "gateway/audit/segment_audit_log.h"
#include "tests/unit/audit/audit_test_util.h"

namespace lienthong::audit {
namespace {

using testing::TempDir;

// make_entry(i) has subject 0012030045<10 + i % 90>: 001203004510 for i = 0, 90, 180, …
constexpr std::string_view kSubject = "001203004510";

struct Run {
  int exit_code = -1;
  std::string out;
};

Run run_cli(const std::string& args, bool with_stderr = false) {
  const std::string command =
      std::string(LIENTHONG_CLI) + " " + args + (with_stderr ? " 2>&1" : " 2>/dev/null");
  Run run;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return run;
  char buf[4096];
  size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0) run.out.append(buf, n);
  const int status = ::pclose(pipe);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

// Entry i is at 2026-11-22T10:00:00Z + i × 1001 µs; make the subject's entries a day apart
// instead so that date bounds can be tested.
AuditEntry dated_entry(int i) {
  AuditEntry e = testing::make_entry(i);
  if (e.subject == kSubject) e.at += std::chrono::days{i / 90};
  return e;
}

void write_log(const std::filesystem::path& dir, int n) {
  AuditLogConfig config;
  config.directory = dir;
  config.segment_max_bytes = 8000;
  config.fsync = FsyncPolicy::kNone;
  auto log = SegmentAuditLog::open(config);
  ASSERT_TRUE(log) << log.error().detail;
  for (int i = 0; i < n; ++i) (*log)->append(dated_entry(i), nullptr);
}

class AuditWhoCli : public ::testing::Test {
 protected:
  void SetUp() override { write_log(dir_.path(), 450); }  // 5 entries of kSubject, i = 0..360
  std::string who(const std::string& rest) {
    return "audit who " + dir_.path().string() + " " + std::string(kSubject) + " " + rest;
  }
  TempDir dir_;
};

TEST_F(AuditWhoCli, PlainTableListsTheEntriesOldestFirst) {
  const auto run = run_cli(who(""));
  EXPECT_EQ(run.exit_code, 0) << run.out;
  EXPECT_NE(run.out.find("5 audit entries for subject 001203004510, oldest first"),
            std::string::npos)
      << run.out;
  EXPECT_NE(run.out.find("DOSSIER_CODE"), std::string::npos);
  const auto first = run.out.find("000.00.00.G22-261122-1000");
  const auto last = run.out.find("000.00.00.G22-261122-1360");
  EXPECT_NE(first, std::string::npos);
  EXPECT_NE(last, std::string::npos);
  EXPECT_LT(first, last);
  EXPECT_NE(run.out.find("tam.lv@motcua.gov.vn"), std::string::npos);
}

TEST_F(AuditWhoCli, JsonObject) {
  const auto run = run_cli(who("--json"));
  ASSERT_EQ(run.exit_code, 0) << run.out;
  const auto j = nlohmann::json::parse(run.out);
  EXPECT_EQ(j["subject"], kSubject);
  EXPECT_EQ(j["count"], 5);
  EXPECT_EQ(j["indexed_through_seq"], 450);
  ASSERT_EQ(j["entries"].size(), 5u);
  const auto& e = j["entries"][0];
  EXPECT_EQ(e["at"], "2026-11-22T10:00:00.000000Z");
  EXPECT_EQ(e["member"], "000.00.00.G22");
  EXPECT_EQ(e["member_certificate"], std::string(64, 'a'));
  EXPECT_EQ(e["officer_id"], "079085000111");
  EXPECT_EQ(e["officer_account"], "tam.lv@motcua.gov.vn");
  EXPECT_EQ(e["document_type"], "CD01");
  EXPECT_EQ(e["dossier_code"], "000.00.00.G22-261122-1000");
  EXPECT_EQ(e["procedure_code"], "1.001234.000.00.00.H20");
  EXPECT_EQ(e["front"], "http-json");
  EXPECT_EQ(e["outcome"], "OK");
  EXPECT_EQ(e["cache_hit"], true);
  EXPECT_EQ(e["request_id"], "req-0");
  EXPECT_EQ(e["seq"], 1);
  EXPECT_EQ(j["entries"][4]["seq"], 361);
}

TEST_F(AuditWhoCli, CsvWithAHeaderRow) {
  const auto run = run_cli(who("--csv"));
  ASSERT_EQ(run.exit_code, 0) << run.out;
  EXPECT_TRUE(run.out.starts_with(
      "at,member,member_certificate,officer_id,officer_account,document_type,dossier_code,"
      "procedure_code,front,outcome,cache_hit,request_id,seq\r\n"))
      << run.out;
  std::size_t rows = 0;
  for (std::size_t p = run.out.find("\r\n"); p != std::string::npos;
       p = run.out.find("\r\n", p + 2))
    ++rows;
  EXPECT_EQ(rows, 6u);  // header + 5
  EXPECT_NE(run.out.find("\r\n2026-11-22T10:00:00.000000Z,000.00.00.G22,"), std::string::npos);
  EXPECT_NE(run.out.find(",OK,true,req-0,1\r\n"), std::string::npos);
}

TEST_F(AuditWhoCli, FromAndToBounds) {
  // The subject's entries are on 22, 23, 24, 25 and 26 November, each at 10:00:00.0xx.
  auto count = [&](const std::string& bounds) {
    const auto run = run_cli(who(bounds + " --json"));
    EXPECT_EQ(run.exit_code, 0) << bounds;
    return nlohmann::json::parse(run.out)["count"].get<int>();
  };
  EXPECT_EQ(count("--from 2026-11-23"), 4);
  EXPECT_EQ(count("--to 2026-11-23"), 2);  // a date as --to is the whole day
  EXPECT_EQ(count("--from 2026-11-23 --to 2026-11-24"), 2);
  EXPECT_EQ(count("--from 2026-11-24T10:00:00Z"), 3);
  EXPECT_EQ(count("--from 2026-11-24T10:00:01Z"), 2);
  EXPECT_EQ(count("--to 2026-11-22T10:00:00Z"), 1);  // a time as --to is inclusive
  EXPECT_EQ(count("--to 2026-11-22T09:59:59Z"), 0);
  EXPECT_EQ(count("--from 2026-11-22T10:00:00.000000Z --to 2026-11-22T10:00:00.000000Z"), 1);
  EXPECT_EQ(count("--from 2027-01-01"), 0);
}

TEST_F(AuditWhoCli, NoEntriesStillExitsZero) {
  const auto run = run_cli("audit who " + dir_.path().string() + " 079203000001");
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_NE(run.out.find("No audit entries for subject 079203000001"), std::string::npos)
      << run.out;
  const auto json = run_cli("audit who --json " + dir_.path().string() + " 079203000001");
  EXPECT_EQ(json.exit_code, 0);
  EXPECT_EQ(nlohmann::json::parse(json.out)["count"], 0);
  const auto csv = run_cli("audit who --csv " + dir_.path().string() + " 079203000001");
  EXPECT_EQ(csv.exit_code, 0);
  EXPECT_EQ(std::count(csv.out.begin(), csv.out.end(), '\n'), 1);
}

TEST_F(AuditWhoCli, UsageAndIoErrorsExitTwo) {
  const std::string d = dir_.path().string();
  EXPECT_EQ(run_cli("audit who").exit_code, 2);
  EXPECT_EQ(run_cli("audit who " + d).exit_code, 2);
  EXPECT_EQ(run_cli("audit who " + d + " 12345").exit_code, 2);         // not 12 digits
  EXPECT_EQ(run_cli("audit who " + d + " 00120300451x").exit_code, 2);  // not digits
  EXPECT_EQ(run_cli("audit who " + d + " 099203004510").exit_code, 2);  // no province 99
  EXPECT_EQ(run_cli("audit who " + d + " 001803004510").exit_code, 2);  // future century
  EXPECT_EQ(run_cli(who("--json --csv")).exit_code, 2);
  EXPECT_EQ(run_cli(who("--from yesterday")).exit_code, 2);
  EXPECT_EQ(run_cli(who("--to 2026-13-01")).exit_code, 2);
  EXPECT_EQ(run_cli(who("--from 2026-11-24 --to 2026-11-23")).exit_code, 2);
  EXPECT_EQ(run_cli(who("--bogus")).exit_code, 2);
  EXPECT_EQ(run_cli("audit who " + d + "/missing " + std::string(kSubject)).exit_code, 2);
}

TEST_F(AuditWhoCli, TamperedEntryExitsOneNamingIt) {
  const auto file = dir_.path() / "audit-000000000001.log";
  auto lines = testing::read_lines(file);
  ASSERT_NE(lines[0].find(kSubject), std::string::npos);
  lines[0].replace(lines[0].find("CD01"), 4, "CD02");
  testing::write_lines(file, lines);

  const auto run = run_cli(who(""));
  EXPECT_EQ(run.exit_code, 1) << run.out;
  EXPECT_NE(run.out.find("TAMPERED: audit-000000000001.log at byte 0 (seq 1): hash mismatch"),
            std::string::npos)
      << run.out;
  EXPECT_NE(run.out.find("4 audit entries"), std::string::npos) << run.out;

  const auto json = run_cli(who("--json"));
  EXPECT_EQ(json.exit_code, 1);
  const auto j = nlohmann::json::parse(json.out);
  EXPECT_EQ(j["count"], 4);
  ASSERT_EQ(j["tampered"].size(), 1u);
  EXPECT_EQ(j["tampered"][0]["seq"], 1);
  EXPECT_EQ(j["tampered"][0]["file"], "audit-000000000001.log");

  const auto csv = run_cli(who("--csv"), /*with_stderr=*/true);
  EXPECT_EQ(csv.exit_code, 1);
  EXPECT_NE(csv.out.find("TAMPERED: audit-000000000001.log"), std::string::npos);

  // verify still reports the first broken link, linearly.
  const auto verify = run_cli("audit verify " + dir_.path().string());
  EXPECT_EQ(verify.exit_code, 1);
  EXPECT_NE(verify.out.find("line 1 (seq 1): hash mismatch"), std::string::npos) << verify.out;
}

TEST_F(AuditWhoCli, IndexCommandCatchesUp) {
  const auto first = run_cli("audit index " + dir_.path().string());
  EXPECT_EQ(first.exit_code, 0);
  EXPECT_EQ(first.out.substr(0, first.out.find('\n')),
            "indexed 450 new entries; the index covers 450 entries through seq 450");
  const auto second = run_cli("audit index --json " + dir_.path().string());
  EXPECT_EQ(second.exit_code, 0);
  const auto j = nlohmann::json::parse(second.out);
  EXPECT_EQ(j["indexed"], 0);
  EXPECT_EQ(j["entries"], 450);
  EXPECT_EQ(run_cli("audit index " + dir_.path().string() + "/missing").exit_code, 2);
  // The index does not disturb verify.
  EXPECT_EQ(run_cli("audit verify " + dir_.path().string()).exit_code, 0);
}

}  // namespace
}  // namespace lienthong::audit
