#include "gateway/audit/audit_format.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "tests/unit/audit/audit_test_util.h"

namespace lienthong::audit {
namespace {

using testing::make_entry;

TEST(AuditFormat, LineIsCanonicalJsonWithTheHashLast) {
  const auto enc = encode_entry(make_entry(7), 42, kGenesisHash);
  ASSERT_EQ(enc.line.back(), '\n');
  const std::string line = enc.line.substr(0, enc.line.size() - 1);
  const auto j = nlohmann::ordered_json::parse(line);
  std::vector<std::string> keys;
  for (auto it = j.begin(); it != j.end(); ++it) keys.push_back(it.key());
  const std::vector<std::string> expected = {"seq",
                                             "prev",
                                             "at",
                                             "request_id",
                                             "front",
                                             "member",
                                             "member_certificate",
                                             "officer_id",
                                             "officer_account",
                                             "subject",
                                             "document_type",
                                             "dossier_code",
                                             "procedure_code",
                                             "adapter",
                                             "outcome",
                                             "cache_hit",
                                             "latency_us",
                                             "hash"};
  EXPECT_EQ(keys, expected);
  EXPECT_EQ(j["seq"], 42);
  EXPECT_EQ(j["hash"], enc.hash);
  // The hash is over the same line with the hash member removed.
  const std::string suffix = ",\"hash\":\"" + enc.hash + "\"}";
  ASSERT_TRUE(line.ends_with(suffix));
  const std::string canonical = line.substr(0, line.size() - suffix.size()) + "}";
  EXPECT_EQ(sha256_hex(canonical), enc.hash);
  auto without_hash = j;
  without_hash.erase("hash");
  EXPECT_EQ(without_hash.dump(), canonical);  // compact, keys in order, nothing else
}

TEST(AuditFormat, ParseLinkChecksTheHash) {
  const auto enc = encode_entry(make_entry(1), 1, kGenesisHash);
  const std::string line = enc.line.substr(0, enc.line.size() - 1);
  auto link = parse_link(line);
  ASSERT_TRUE(link) << link.error().detail;
  EXPECT_TRUE(link->hash_ok);
  EXPECT_EQ(link->seq, 1u);
  EXPECT_EQ(link->prev, kGenesisHash);
  EXPECT_EQ(link->hash, enc.hash);

  std::string modified = line;
  modified.replace(modified.find("\"OK\""), 4, "\"NO\"");
  auto bad = parse_link(modified);
  ASSERT_TRUE(bad);
  EXPECT_FALSE(bad->hash_ok);
}

TEST(AuditFormat, ParseLinkRefusesNonEntries) {
  const auto enc = encode_entry(make_entry(1), 1, kGenesisHash);
  const std::string line = enc.line.substr(0, enc.line.size() - 1);
  for (const std::string& bad :
       {std::string(), std::string("{}"), std::string("not json"), line.substr(0, line.size() - 1),
        line + " ", std::string("{\"seq\":1") + line.substr(line.find(",\"hash\"")),
        std::string("{\"seq\":0,\"prev\":\"") + std::string(kGenesisHash) + "\"" +
            line.substr(line.find(",\"hash\""))})
    EXPECT_FALSE(parse_link(bad)) << bad;
}

TEST(AuditFormat, DecodeEntryRoundTrips) {
  const auto e = make_entry(5);
  const auto enc = encode_entry(e, 9, kGenesisHash);
  auto d = decode_entry(enc.line.substr(0, enc.line.size() - 1));
  ASSERT_TRUE(d) << d.error().detail;
  EXPECT_EQ(d->entry.at, e.at);
  EXPECT_EQ(d->entry.request_id, e.request_id);
  EXPECT_EQ(d->entry.subject, e.subject);
  EXPECT_EQ(d->entry.dossier_code, e.dossier_code);
  EXPECT_EQ(d->entry.cache_hit, e.cache_hit);
  EXPECT_EQ(d->entry.latency_us, e.latency_us);
  EXPECT_EQ(d->link.seq, 9u);
  EXPECT_TRUE(d->entry.client_request_id.empty());
}

TEST(AuditFormat, ClientRequestIdIsKeptWhenSent) {
  auto e = make_entry(6);
  e.client_request_id = "VPCP-2026-000042";
  const auto enc = encode_entry(e, 10, kGenesisHash);
  EXPECT_NE(enc.line.find("\"client_request_id\":\"VPCP-2026-000042\""), std::string::npos);
  auto d = decode_entry(enc.line.substr(0, enc.line.size() - 1));
  ASSERT_TRUE(d) << d.error().detail;
  EXPECT_EQ(d->entry.client_request_id, "VPCP-2026-000042");
  EXPECT_TRUE(d->link.hash_ok);
}

TEST(AuditFormat, SegmentNamesAndHead) {
  EXPECT_EQ(segment_file_name(1), "audit-000000000001.log");
  EXPECT_EQ(parse_segment_file_name("audit-000000000042.log"), 42u);
  for (const char* bad : {"audit-42.log", "audit-000000000000.log", "audit-00000000004x.log",
                          "HEAD", "audit-000000000001.log.bak"})
    EXPECT_FALSE(parse_segment_file_name(bad)) << bad;
  const ChainHead head{17, std::string(64, 'b')};
  auto back = parse_head(encode_head(head));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->seq, 17u);
  EXPECT_EQ(back->hash, head.hash);
  EXPECT_FALSE(parse_head("{\"seq\":1}"));
  EXPECT_FALSE(parse_head(""));
}

TEST(AuditFormat, TimeKeepsMicroseconds) {
  const TimePoint at = std::chrono::sys_days{std::chrono::year{2026} / 1 / 2} +
                       std::chrono::seconds{3723} + std::chrono::microseconds{4567};
  EXPECT_EQ(format_audit_time(at), "2026-01-02T01:02:03.004567Z");
  EXPECT_EQ(parse_audit_time("2026-01-02T01:02:03.004567Z"), at);
  EXPECT_FALSE(parse_audit_time("2026-01-02T01:02:03Z"));
}

TEST(LineReader, ReportsTornAndOverlongLines) {
  testing::TempDir dir;
  const auto file = dir.path() / "f";
  const std::string big(kMaxLineBytes + 10, 'x');
  {
    std::ofstream out(file, std::ios::binary);
    out << "one\n\n" << big << "\nthree\nfour";
  }
  const int fd = ::open(file.c_str(), O_RDONLY);
  ASSERT_GE(fd, 0);
  LineReader reader(fd);
  std::string line;
  bool terminated = false;
  ASSERT_EQ(reader.next(line, terminated), LineReader::Status::kLine);
  EXPECT_EQ(line, "one");
  EXPECT_TRUE(terminated);
  EXPECT_EQ(reader.offset(), 4u);
  ASSERT_EQ(reader.next(line, terminated), LineReader::Status::kLine);
  EXPECT_EQ(line, "");
  ASSERT_EQ(reader.next(line, terminated), LineReader::Status::kTooLong);
  ASSERT_EQ(reader.next(line, terminated), LineReader::Status::kLine);
  EXPECT_EQ(line, "three");
  ASSERT_EQ(reader.next(line, terminated), LineReader::Status::kLine);
  EXPECT_EQ(line, "four");
  EXPECT_FALSE(terminated);
  EXPECT_EQ(reader.next(line, terminated), LineReader::Status::kEnd);
  ::close(fd);
}

}  // namespace
}  // namespace lienthong::audit
