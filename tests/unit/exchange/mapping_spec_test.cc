#include "gateway/exchange/mapping_spec.h"

#include <gtest/gtest.h>

namespace lienthong::exchange {
namespace {

FieldMapping field(FieldType type) {
  FieldMapping f;
  f.name = "f";
  f.paths = {"F"};
  f.type = type;
  return f;
}

std::string ok(std::string_view raw, FieldType type) {
  auto v = normalize_value(raw, field(type));
  EXPECT_TRUE(v) << raw << ": " << v.error().detail;
  return v ? *v : std::string("<refused>");
}

void refused(std::string_view raw, FieldType type) {
  auto v = normalize_value(raw, field(type));
  ASSERT_FALSE(v) << raw << " was accepted as " << field_type_name(type);
  EXPECT_EQ(v.error().code, ErrorCode::kUpstreamUnavailable);
  EXPECT_EQ(v.error().detail.find(std::string(raw)), std::string::npos);  // never the value
}

TEST(MappingSpec, ValuesAreTrimmedAndNormalisedByType) {
  EXPECT_EQ(ok("  Nguyễn Văn A \n", FieldType::kText), "Nguyễn Văn A");
  EXPECT_EQ(ok("", FieldType::kDigits), "");  // absent, whatever the type
  EXPECT_EQ(ok("0306182043", FieldType::kDigits), "0306182043");
  EXPECT_EQ(ok("5000000000", FieldType::kDecimal), "5000000000");
  EXPECT_EQ(ok("0.105", FieldType::kDecimal), "0.105");
  EXPECT_EQ(ok("19920229", FieldType::kDate), "1992-02-29");
  EXPECT_EQ(ok("2024-02-29", FieldType::kDate), "2024-02-29");
  EXPECT_EQ(ok("202407", FieldType::kMonth), "2024-07");
  EXPECT_EQ(ok("2024-12", FieldType::kMonth), "2024-12");
  EXPECT_EQ(ok("1992", FieldType::kYear), "1992");
}

TEST(MappingSpec, WrongShapesAreRefusedWithoutQuotingThem) {
  refused("12a4", FieldType::kDigits);
  refused("1,5", FieldType::kDecimal);
  refused("1.", FieldType::kDecimal);
  refused(".5", FieldType::kDecimal);
  refused("1.2.3", FieldType::kDecimal);
  refused("19930229", FieldType::kDate);  // not a leap year
  refused("2024-13-01", FieldType::kDate);
  refused("22/11/1992", FieldType::kDate);
  refused("202413", FieldType::kMonth);
  refused("2024-00", FieldType::kMonth);
  refused("07/2024", FieldType::kMonth);
  refused("92", FieldType::kYear);
}

TEST(MappingSpec, FormatKeysAreRequiredOrOptionalAndNothingElse) {
  const std::string head = "[document]\ntype = \"DN01\"\ndescription = \"x\"\nttl = \"1h\"\n";
  const std::string field = "[[field]]\nname = \"a\"\npath = \"A\"\n";
  auto spec = MappingSpec::parse(head + "record = \"/Data\"\n" + field, "m.toml", {"record"},
                                 {"schema"});
  ASSERT_TRUE(spec) << spec.error().detail;
  EXPECT_EQ(spec->format_keys.at("record").value, "/Data");
  EXPECT_EQ(spec->format_keys.at("record").line, 5);
  EXPECT_EQ(spec->format_keys.count("schema"), 0u);

  auto missing = MappingSpec::parse(head + field, "m.toml", {"record"});
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().detail.find("needs a non-empty 'record'"), std::string::npos);

  auto unknown = MappingSpec::parse(head + "record = \"R\"\nnamespace = \"urn:x\"\n" + field,
                                    "m.toml", {"record"});
  ASSERT_FALSE(unknown);
  EXPECT_NE(unknown.error().detail.find("m.toml:6: unknown key 'namespace'"), std::string::npos)
      << unknown.error().detail;
}

}  // namespace
}  // namespace lienthong::exchange
