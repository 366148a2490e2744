#include "gateway/cache/record_codec.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <random>

#include "tests/unit/cache/cache_test_util.h"

namespace lienthong::cache {
namespace {

using testing::expect_same;
using testing::make_record;

// The parts of a version-2 value, laid out as record_codec.h documents, written independently of
// the codec so that a test can forge any of them: a bad byte, a count or a length that lies.
struct Wire {
  std::string magic{"LTR\x02", 4};
  std::string code, subject, doc_type;
  std::optional<std::uint32_t> field_count;  // default: fields.size()
  RecordFields fields;
  std::string source, kind, signed_bytes, signer, fingerprint;
  std::int64_t verified_at = 0, expires_at = 0;
  std::string trailing;
  // The length written before the string named `lie_about` ("code", "signed_bytes", ...).
  std::string lie_about;
  std::uint32_t claimed = 0;

  static Wire of(const VerifiedRecord& r) {
    Wire w;
    w.code = r.code;
    w.subject = r.subject;
    w.doc_type = r.doc_type;
    w.fields = r.fields;
    w.source = r.source;
    w.kind = r.evidence.kind;
    w.signed_bytes = r.evidence.signed_bytes;
    w.signer = r.evidence.signer;
    w.fingerprint = r.evidence.signer_fingerprint;
    const auto seconds = [](TimePoint t) {
      return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
    };
    w.verified_at = seconds(r.verified_at);
    w.expires_at = seconds(r.expires_at);
    return w;
  }

  static void u32(std::string& out, std::uint32_t v) {
    for (int i = 0; i < 4; ++i) out += static_cast<char>((v >> (8 * i)) & 0xFF);
  }
  static void i64(std::string& out, std::int64_t v) {
    const auto u = static_cast<std::uint64_t>(v);
    for (int i = 0; i < 8; ++i) out += static_cast<char>((u >> (8 * i)) & 0xFF);
  }
  void str(std::string& out, const std::string& name, const std::string& s) const {
    u32(out, name == lie_about ? claimed : static_cast<std::uint32_t>(s.size()));
    out += s;
  }

  std::string bytes() const {
    std::string out = magic;
    str(out, "code", code);
    str(out, "subject", subject);
    str(out, "doc_type", doc_type);
    u32(out, field_count.value_or(static_cast<std::uint32_t>(fields.size())));
    for (const auto& [name, value] : fields) {
      str(out, "name", name);
      str(out, "value", value);
    }
    str(out, "source", source);
    str(out, "kind", kind);
    str(out, "signed_bytes", signed_bytes);
    str(out, "signer", signer);
    str(out, "fingerprint", fingerprint);
    i64(out, verified_at);
    i64(out, expires_at);
    return out + trailing;
  }
};

template <class Change>
std::string forged(Change change) {
  auto w = Wire::of(make_record());
  change(w);
  return w.bytes();
}

// Refused with INTERNAL, and the detail names the problem, never a value from the bytes.
void expect_refused(std::string_view bytes, const RecordCodecLimits& limits = {}) {
  auto r = decode_record(bytes, limits);
  ASSERT_FALSE(r) << "accepted " << bytes.size() << " bytes";
  EXPECT_EQ(r.error().code, ErrorCode::kInternal);
  EXPECT_TRUE(r.error().detail.starts_with("cached record: ")) << r.error().detail;
  for (const char* secret : {"001203004510", "Nguy", "csdlqg", "CSDLQG", "xmldsig"})
    EXPECT_EQ(r.error().detail.find(secret), std::string::npos) << r.error().detail;
}

TEST(RecordCodec, RoundTripKeepsEverything) {
  const auto record = make_record();
  auto bytes = encode_record(record);
  ASSERT_TRUE(bytes) << bytes.error().detail;
  auto back = decode_record(*bytes);
  ASSERT_TRUE(back) << back.error().detail;
  expect_same(record, *back);
  EXPECT_EQ(kRecordFormatVersion, 2);
  EXPECT_TRUE(bytes->starts_with(std::string_view("LTR\x02", 4)));
}

// The layout the header documents, byte for byte (little-endian, u32 lengths, i64 times).
TEST(RecordCodec, EncodesTheDocumentedLayout) {
  VerifiedRecord r;
  r.subject = "1";
  r.doc_type = "A";
  r.code = "1.A";
  r.fields = {{"n", "v"}};
  r.source = "s";
  r.evidence = {"k", std::string("\0\xff", 2), "g", "f"};
  r.verified_at = TimePoint(std::chrono::seconds(0x0102030405));
  r.expires_at = TimePoint(std::chrono::seconds(2));
  const std::string expected(
      "LTR\x02"
      "\x03\0\0\0" "1.A" "\x01\0\0\0" "1" "\x01\0\0\0" "A"
      "\x01\0\0\0"
      "\x01\0\0\0" "n" "\x01\0\0\0" "v"
      "\x01\0\0\0" "s"
      "\x01\0\0\0" "k" "\x02\0\0\0" "\0\xff" "\x01\0\0\0" "g" "\x01\0\0\0" "f"
      "\x05\x04\x03\x02\x01\0\0\0" "\x02\0\0\0\0\0\0\0",
      4 + 7 + 5 + 5 + 4 + 10 + 5 + 5 + 6 + 5 + 5 + 16);
  auto bytes = encode_record(r);
  ASSERT_TRUE(bytes) << bytes.error().detail;
  EXPECT_EQ(*bytes, expected);
  // The test's own writer agrees on a realistic record too.
  EXPECT_EQ(*encode_record(make_record()), Wire::of(make_record()).bytes());
}

TEST(RecordCodec, TimesKeepWholeSeconds) {
  auto record = make_record();
  record.verified_at += std::chrono::milliseconds(999);
  auto back = decode_record(*encode_record(record));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->verified_at, make_record().verified_at);
}

TEST(RecordCodec, TimesBeforeTheEpochAreStoredAsZero) {
  auto record = make_record();
  record.verified_at = TimePoint(std::chrono::seconds(-5));
  auto back = decode_record(*encode_record(record));
  ASSERT_TRUE(back) << back.error().detail;
  EXPECT_EQ(back->verified_at, TimePoint());
}

TEST(RecordCodec, EmptyFieldsAndEvidence) {
  auto record = make_record();
  record.fields.clear();
  record.evidence = {};
  auto back = decode_record(*encode_record(record));
  ASSERT_TRUE(back) << back.error().detail;
  expect_same(record, *back);
}

TEST(RecordCodec, UnicodeAndBinaryEvidenceComeBackExactly) {
  auto record = make_record("0792-Đức", "GKS😀");
  record.fields.emplace_back("ghi_chu", "Thủ Đức 𝄞 \xe2\x80\x8b end");
  record.evidence.signed_bytes.clear();
  for (int i = 0; i < 256; ++i) record.evidence.signed_bytes += static_cast<char>(i);
  record.evidence.signed_bytes += std::string("\0\0\xff\xff\xc0\xaf", 6);  // not UTF-8: fine here
  auto back = decode_record(*encode_record(record));
  ASSERT_TRUE(back) << back.error().detail;
  expect_same(record, *back);
}

TEST(RecordCodec, EncodeRefusesWhatCouldNotComeBack) {
  auto bad_utf8 = make_record();
  bad_utf8.fields[1].second = "Nguy\xe1\xbb";  // truncated sequence
  EXPECT_FALSE(encode_record(bad_utf8));
  auto bad_name = make_record();
  bad_name.fields[0].first = "\xed\xa0\x80";  // a surrogate
  EXPECT_FALSE(encode_record(bad_name));
  auto bad_signer = make_record();
  bad_signer.evidence.signer = "CN=\xc0\xaf";  // overlong
  EXPECT_FALSE(encode_record(bad_signer));
  auto bad_code = make_record();
  bad_code.code = "someone-else.CD01";
  EXPECT_FALSE(encode_record(bad_code));
  auto no_name = make_record();
  no_name.fields[0].first.clear();
  EXPECT_FALSE(encode_record(no_name));
  auto far_future = make_record();
  far_future.expires_at = TimePoint(std::chrono::seconds(9'000'000'001));
  EXPECT_FALSE(encode_record(far_future));
  for (const auto& r : {bad_utf8, bad_name, bad_signer, bad_code, no_name, far_future})
    EXPECT_EQ(encode_record(r).error().code, ErrorCode::kInternal);
}

TEST(RecordCodec, RefusesMalformedInputWithATypedError) {
  const auto valid = *encode_record(make_record());
  const std::vector<std::string> bad = {
      "",
      "LTR",
      std::string("LTR\x02", 4),
      "\xff\xfe",
      std::string(valid.size(), '\0'),
      forged([](Wire& w) { w.magic = std::string("LTR\x01", 4); }),
      forged([](Wire& w) { w.magic = std::string("LTR\x03", 4); }),
      forged([](Wire& w) { w.magic = std::string("LTX\x02", 4); }),
      forged([](Wire& w) { w.magic.clear(); }),
      forged([](Wire& w) { w.code = "001203004510.CD02"; }),
      forged([](Wire& w) { w.code = "001203004510CD01"; }),
      forged([](Wire& w) { w.code += "\xff"; }),
      forged([](Wire& w) { w.subject = "00120300451\xc0"; }),
      forged([](Wire& w) { w.fields[1].second = "Nguy\xe1\xbb"; }),
      forged([](Wire& w) { w.fields[1].second = "Nguy\xed\xa0\x80"; }),
      forged([](Wire& w) { w.fields[0].first = "gioi\xc1\xb4"; }),
      forged([](Wire& w) { w.fields[0].first.clear(); }),
      forged([](Wire& w) { w.field_count = 4; }),
      forged([](Wire& w) { w.field_count = 6; }),
      forged([](Wire& w) { w.source = "\xf5\x80\x80\x80"; }),
      forged([](Wire& w) { w.kind = "xml\x80"; }),
      forged([](Wire& w) { w.signer = "\xf4\x90\x80\x80"; }),  // above U+10FFFF
      forged([](Wire& w) { w.fingerprint = "\xe0\x80\x80"; }),
      forged([](Wire& w) { w.verified_at = -1; }),
      forged([](Wire& w) { w.verified_at = std::numeric_limits<std::int64_t>::min(); }),
      forged([](Wire& w) { w.expires_at = 99999999999999; }),
      forged([](Wire& w) { w.trailing = std::string(1, '\0'); }),
      forged([](Wire& w) { w.trailing = w.bytes(); }),
      forged([](Wire& w) {
        w.lie_about = "code";
        w.claimed = 18;
      }),
      forged([](Wire& w) {
        w.lie_about = "subject";
        w.claimed = 11;
      }),
      forged([](Wire& w) { w.lie_about = "signed_bytes"; }),  // claims 0
      forged([](Wire& w) {
        w.lie_about = "signed_bytes";
        w.claimed = static_cast<std::uint32_t>(w.signed_bytes.size() + 1);
      }),
  };
  for (std::size_t i = 0; i < bad.size(); ++i) {
    SCOPED_TRACE(i);
    expect_refused(bad[i]);
  }
}

TEST(RecordCodec, RefusesVersionOneJsonAsNotVersionTwo) {
  const std::string v1 =
      R"({"v":1,"code":"026092008262.CD01","subject":"026092008262","doc_type":"CD01",)"
      R"("fields":[["ho_va_ten","Nguyễn An"]],"source":"population","evidence":{"kind":)"
      R"("xmldsig","signed_bytes":"PHgvPg==","signer":"CN=sim","signer_fingerprint":"ab"},)"
      R"("verified_at":1790000000,"expires_at":1790086400})";
  auto r = decode_record(v1);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kInternal);
  EXPECT_NE(r.error().detail.find("not a version-2 record"), std::string::npos)
      << r.error().detail;
  expect_refused(v1);
  expect_refused("{}");
}

// A length or a count that claims more than remains is refused before anything is allocated for
// it: with limits that would allow it, a 4 GiB string or 4 billion fields would otherwise be
// reserved (and ASan would stop the test).
TEST(RecordCodec, LengthsAndCountsThatClaimTooMuchAllocateNothing) {
  RecordCodecLimits unlimited;
  unlimited.max_bytes = std::numeric_limits<std::size_t>::max();
  unlimited.max_fields = std::numeric_limits<std::size_t>::max();
  unlimited.max_string_bytes = std::numeric_limits<std::size_t>::max();
  constexpr std::uint32_t kHuge = std::numeric_limits<std::uint32_t>::max();
  for (const char* part : {"code", "subject", "doc_type", "name", "value", "source", "kind",
                           "signed_bytes", "signer", "fingerprint"}) {
    SCOPED_TRACE(part);
    const auto bytes = forged([&](Wire& w) {
      w.lie_about = part;
      w.claimed = kHuge;
    });
    expect_refused(bytes, unlimited);
    expect_refused(bytes);
  }
  for (std::uint32_t count : {kHuge, kHuge / 2, 4096u, 4097u}) {
    SCOPED_TRACE(count);
    const auto bytes = forged([&](Wire& w) { w.field_count = count; });
    expect_refused(bytes, unlimited);
    expect_refused(bytes);
  }
  // Many empty-valued fields: a count the rest can hold only as lengths is still checked per field.
  std::string lying_count(std::string_view("LTR\x02", 4));
  Wire::u32(lying_count, 3);
  lying_count += "1.A";
  Wire::u32(lying_count, 1);
  lying_count += "1";
  Wire::u32(lying_count, 1);
  lying_count += "A";
  Wire::u32(lying_count, 1000);
  lying_count += std::string(8000, '\0');
  expect_refused(lying_count, unlimited);  // every name is empty
}

TEST(RecordCodec, EnforcesLimits) {
  const auto record = make_record();
  const auto bytes = *encode_record(record);
  EXPECT_TRUE(decode_record(bytes));

  RecordCodecLimits exact;
  exact.max_bytes = bytes.size();
  EXPECT_TRUE(decode_record(bytes, exact));
  RecordCodecLimits small;
  small.max_bytes = bytes.size() - 1;
  expect_refused(bytes, small);

  RecordCodecLimits five;
  five.max_fields = record.fields.size();
  EXPECT_TRUE(decode_record(bytes, five));
  RecordCodecLimits few;
  few.max_fields = record.fields.size() - 1;
  expect_refused(bytes, few);
  expect_refused(forged([](Wire& w) { w.fields.resize(4097, {"x", "y"}); }));

  // max_string_bytes bounds every string but the evidence, which max_bytes bounds.
  std::size_t longest = 0;
  for (const auto& s : {record.code, record.subject, record.doc_type, record.source,
                        record.evidence.kind, record.evidence.signer,
                        record.evidence.signer_fingerprint})
    longest = std::max(longest, s.size());
  for (const auto& [name, value] : record.fields)
    longest = std::max({longest, name.size(), value.size()});
  ASSERT_GT(record.evidence.signed_bytes.size(), longest);
  RecordCodecLimits strings_fit;
  strings_fit.max_string_bytes = longest;
  EXPECT_TRUE(decode_record(bytes, strings_fit));
  RecordCodecLimits short_strings;
  short_strings.max_string_bytes = longest - 1;
  expect_refused(bytes, short_strings);
  RecordCodecLimits tiny_strings;
  tiny_strings.max_string_bytes = 10;
  expect_refused(bytes, tiny_strings);
  // Each string is bounded, one at a time: made the longest, it passes at its length and is
  // refused one byte below. (A long code, subject or document type breaks the code's consistency,
  // so those are only checked to be refused for their length.)
  struct Case {
    std::string what;  // as the error detail names it
    void (*change)(Wire&, const std::string&);
    bool valid;
  };
  const std::string big(200, 'x');
  const Case cases[] = {
      {"code", [](Wire& w, const std::string& s) { w.code = s; }, false},
      {"subject", [](Wire& w, const std::string& s) { w.subject = s; }, false},
      {"doc_type", [](Wire& w, const std::string& s) { w.doc_type = s; }, false},
      {"a field name", [](Wire& w, const std::string& s) { w.fields[0].first = s; }, true},
      {"a field value", [](Wire& w, const std::string& s) { w.fields[0].second = s; }, true},
      {"source", [](Wire& w, const std::string& s) { w.source = s; }, true},
      {"evidence kind", [](Wire& w, const std::string& s) { w.kind = s; }, true},
      {"evidence signer", [](Wire& w, const std::string& s) { w.signer = s; }, true},
      {"evidence signer fingerprint", [](Wire& w, const std::string& s) { w.fingerprint = s; },
       true},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what);
    auto w = Wire::of(record);
    c.change(w, big);
    RecordCodecLimits limits;
    limits.max_string_bytes = big.size();
    if (c.valid) {
      EXPECT_TRUE(decode_record(w.bytes(), limits));
    }
    limits.max_string_bytes = big.size() - 1;
    expect_refused(w.bytes(), limits);
    EXPECT_EQ(decode_record(w.bytes(), limits).error().detail,
              "cached record: " + c.what + " too long");
  }

  // The evidence is bounded by max_bytes alone.
  VerifiedRecord small_strings;
  small_strings.subject = "1";
  small_strings.doc_type = "A";
  small_strings.code = "1.A";
  small_strings.fields = {{"n", "v"}};
  small_strings.source = "s";
  small_strings.evidence = {"k", std::string(100000, '\xff'), "g", "f"};
  RecordCodecLimits ten;
  ten.max_string_bytes = 10;
  const auto with_evidence = *encode_record(small_strings);
  EXPECT_TRUE(decode_record(with_evidence, ten));
  ten.max_bytes = 100000;
  expect_refused(with_evidence, ten);
}

TEST(RecordCodec, RefusesEveryTruncation) {
  const auto bytes = *encode_record(make_record());
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    // A copy, so that a read past the cut is a read past the allocation (ASan sees it).
    const std::unique_ptr<char[]> cut(new char[n == 0 ? 1 : n]);
    std::copy_n(bytes.data(), n, cut.get());
    auto r = decode_record(std::string_view(cut.get(), n));
    ASSERT_FALSE(r) << n;
    ASSERT_EQ(r.error().code, ErrorCode::kInternal) << n;
  }
}

TEST(RecordCodec, SurvivesCorruptionAndGarbage) {
  const auto bytes = *encode_record(make_record());
  std::mt19937 rng(12345);
  for (int i = 0; i < 5000; ++i) {
    std::string mutated = bytes;
    // Corrupt the header and the lengths more often than the long evidence.
    const std::size_t span = i % 2 ? mutated.size() : 256;
    for (int k = 0; k < 1 + i % 4; ++k)
      mutated[rng() % span] = static_cast<char>(rng() & 0xFF);
    auto r = decode_record(mutated);  // any answer but a crash
    if (r) {
      EXPECT_EQ(r->code, record_code(r->subject, r->doc_type));
    } else {
      EXPECT_EQ(r.error().code, ErrorCode::kInternal);
    }
  }
  expect_refused(std::string(200000, '[') + std::string(200000, ']'));
  std::string noise(4096, '\0');
  for (auto& c : noise) c = static_cast<char>(rng() & 0xFF);
  expect_refused(std::string("LTR\x02", 4) + noise);
}

}  // namespace
}  // namespace lienthong::cache
