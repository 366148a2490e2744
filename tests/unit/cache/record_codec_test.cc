#include "gateway/cache/record_codec.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <random>

#include "tests/unit/cache/cache_test_util.h"

namespace lienthong::cache {
namespace {

using testing::expect_same;
using testing::make_record;

TEST(RecordCodec, RoundTripKeepsEverything) {
  const auto record = make_record();
  auto bytes = encode_record(record);
  ASSERT_TRUE(bytes) << bytes.error().detail;
  auto back = decode_record(*bytes);
  ASSERT_TRUE(back) << back.error().detail;
  expect_same(record, *back);
  EXPECT_EQ(nlohmann::json::parse(*bytes)["v"], kRecordFormatVersion);
}

TEST(RecordCodec, TimesKeepWholeSeconds) {
  auto record = make_record();
  record.verified_at += std::chrono::milliseconds(999);
  auto back = decode_record(*encode_record(record));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->verified_at, make_record().verified_at);
}

TEST(RecordCodec, EmptyFieldsAndEvidence) {
  auto record = make_record();
  record.fields.clear();
  record.evidence = {};
  auto back = decode_record(*encode_record(record));
  ASSERT_TRUE(back) << back.error().detail;
  expect_same(record, *back);
}

TEST(RecordCodec, EncodeRefusesWhatCouldNotComeBack) {
  auto bad_utf8 = make_record();
  bad_utf8.fields[1].second = "Nguy\xe1\xbb";  // truncated sequence
  EXPECT_FALSE(encode_record(bad_utf8));
  auto bad_code = make_record();
  bad_code.code = "someone-else.CD01";
  EXPECT_FALSE(encode_record(bad_code));
}

// Replaces one member of a valid encoding.
std::string with(const std::string& pointer, const nlohmann::json& value) {
  auto j = nlohmann::json::parse(*encode_record(make_record()));
  j[nlohmann::json::json_pointer(pointer)] = value;
  return j.dump();
}

std::string without(const std::string& key) {
  auto j = nlohmann::json::parse(*encode_record(make_record()));
  j.erase(key);
  return j.dump();
}

TEST(RecordCodec, RefusesMalformedInputWithATypedError) {
  const std::vector<std::string> bad = {
      "",
      "null",
      "[]",
      "{}",
      "{\"v\":1}",
      "\xff\xfe",
      with("/v", 2),
      with("/v", "1"),
      with("/code", 12),
      with("/code", "001203004510.CD02"),
      with("/fields", "x"),
      with("/fields/0", nlohmann::json::array({"a"})),
      with("/fields/0", nlohmann::json::array({"a", 1})),
      with("/fields/0", nlohmann::json::array({"", "v"})),
      with("/evidence", "x"),
      with("/evidence/signed_bytes", "not base64!"),
      with("/evidence/signed_bytes", "QUJD="),
      with("/evidence/extra", 1),
      with("/verified_at", -1),
      with("/verified_at", 1.5),
      with("/expires_at", 99999999999999ull),
      with("/extra", true),
      without("subject"),
      without("fields"),
      without("evidence"),
      without("expires_at"),
  };
  for (const auto& bytes : bad) {
    auto r = decode_record(bytes);
    ASSERT_FALSE(r) << bytes.substr(0, 200);
    EXPECT_EQ(r.error().code, ErrorCode::kInternal);
    // The detail names the problem, never a value from the bytes.
    EXPECT_EQ(r.error().detail.find("001203004510"), std::string::npos) << r.error().detail;
    EXPECT_EQ(r.error().detail.find("Nguy"), std::string::npos) << r.error().detail;
  }
}

TEST(RecordCodec, EnforcesLimits) {
  const auto bytes = *encode_record(make_record());
  RecordCodecLimits small;
  small.max_bytes = bytes.size() - 1;
  EXPECT_FALSE(decode_record(bytes, small));
  RecordCodecLimits few;
  few.max_fields = 4;
  EXPECT_FALSE(decode_record(bytes, few));
  RecordCodecLimits short_strings;
  short_strings.max_string_bytes = 10;
  EXPECT_FALSE(decode_record(bytes, short_strings));
  EXPECT_TRUE(decode_record(bytes));
}

TEST(RecordCodec, SurvivesTruncationCorruptionAndDeepNesting) {
  const auto bytes = *encode_record(make_record());
  for (std::size_t n = 0; n < bytes.size(); n += 7)
    EXPECT_FALSE(decode_record(std::string_view(bytes).substr(0, n))) << n;
  std::mt19937 rng(12345);
  for (int i = 0; i < 2000; ++i) {
    std::string mutated = bytes;
    for (int k = 0; k < 1 + i % 4; ++k)
      mutated[rng() % mutated.size()] = static_cast<char>(rng() & 0xFF);
    (void)decode_record(mutated);  // any answer but a crash
  }
  const std::string deep = std::string(200000, '[') + std::string(200000, ']');
  EXPECT_FALSE(decode_record(deep));
}

}  // namespace
}  // namespace lienthong::cache
