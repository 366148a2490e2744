// `lienthong audit verify`: the exit-code contract and both output forms, on the built binary.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <nlohmann/json.hpp>

#include "gateway/audit/segment_audit_log.h"
#include "tests/unit/audit/audit_test_util.h"

namespace lienthong::audit {
namespace {

using testing::TempDir;

struct Run {
  int exit_code = -1;
  std::string out;
};

Run run_cli(const std::string& args) {
  const std::string command = std::string(LIENTHONG_CLI) + " " + args + " 2>/dev/null";
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

void write_log(const std::filesystem::path& dir, int n) {
  AuditLogConfig config;
  config.directory = dir;
  config.segment_max_bytes = 3000;
  config.fsync = FsyncPolicy::kNone;
  auto log = SegmentAuditLog::open(config);
  ASSERT_TRUE(log) << log.error().detail;
  for (int i = 0; i < n; ++i) (*log)->append(testing::make_entry(i), nullptr);
}

TEST(AuditCli, IntactLogExitsZeroWithASummary) {
  TempDir dir;
  write_log(dir.path(), 12);
  auto segments = list_segments(dir.path());
  ASSERT_TRUE(segments);
  const auto run = run_cli("audit verify " + dir.path().string());
  EXPECT_EQ(run.exit_code, 0) << run.out;
  const std::string head = parse_head(testing::read_all(dir.path() / "HEAD"))->hash;
  EXPECT_EQ(run.out, "audit OK: 12 entries in " + std::to_string(segments->size()) +
                         " segments, head " + head + "\n");
}

TEST(AuditCli, TamperedLogExitsOneNamingTheBreak) {
  TempDir dir;
  write_log(dir.path(), 5);
  const auto file = dir.path() / "audit-000000000001.log";
  auto lines = testing::read_lines(file);
  lines[2].replace(lines[2].find("CD01"), 4, "CD02");
  testing::write_lines(file, lines);

  const auto run = run_cli("audit verify " + dir.path().string());
  EXPECT_EQ(run.exit_code, 1) << run.out;
  EXPECT_NE(run.out.find("audit-000000000001.log line 3 (seq 3): hash mismatch"), std::string::npos)
      << run.out;

  const auto json_run = run_cli("audit verify --json " + dir.path().string());
  EXPECT_EQ(json_run.exit_code, 1);
  const auto j = nlohmann::json::parse(json_run.out);
  EXPECT_EQ(j["ok"], false);
  EXPECT_EQ(j["entries"], 2);
  ASSERT_TRUE(j.contains("break")) << json_run.out;
  EXPECT_EQ(j["break"]["file"], "audit-000000000001.log");
  EXPECT_EQ(j["break"]["line"], 3);
  EXPECT_EQ(j["break"]["seq"], 3);
}

TEST(AuditCli, JsonForAnIntactLog) {
  TempDir dir;
  write_log(dir.path(), 4);
  const auto run = run_cli("audit verify " + dir.path().string() + " --json");
  EXPECT_EQ(run.exit_code, 0);
  const auto j = nlohmann::json::parse(run.out);
  EXPECT_EQ(j["ok"], true);
  EXPECT_EQ(j["entries"], 4);
  EXPECT_FALSE(j.contains("break"));
}

TEST(AuditCli, UsageAndIoErrorsExitTwo) {
  TempDir dir;
  EXPECT_EQ(run_cli("audit verify").exit_code, 2);
  EXPECT_EQ(run_cli("audit").exit_code, 2);
  EXPECT_EQ(run_cli("audit verify --bogus " + dir.path().string()).exit_code, 2);
  EXPECT_EQ(run_cli("audit verify " + (dir.path() / "missing").string()).exit_code, 2);
}

}  // namespace
}  // namespace lienthong::audit
