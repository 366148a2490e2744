#include "gateway/exchange/json_mapping.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace lienthong::exchange {
namespace {

using nlohmann::json;

// The enterprise registry's answer, as FORMATS.md §5 shows it: Representatives is an object
// in some answers and an array in others.
constexpr std::string_view kSchema = R"({
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "type": "object",
  "properties": {
    "Data": {
      "type": ["object", "null"],
      "properties": {
        "MainInformation": {
          "type": "object",
          "properties": {
            "NAME": {"type": "string"},
            "ENTERPRISE_GDT_CODE": {"type": "string"},
            "FOUNDING_DATE": {"type": "string"},
            "CAPITAL_AMOUNT": {"type": ["number", "string"]}
          }
        },
        "Representatives": {
          "oneOf": [{"$ref": "#/$defs/person"},
                    {"type": "array", "items": {"$ref": "#/$defs/person"}}]
        }
      }
    }
  },
  "$defs": {"person": {"type": "object", "properties": {"FULL_NAME": {"type": "string"},
                                                       "POSITION": {"type": "string"}}}}
})";

constexpr std::string_view kMapping = R"([document]
type = "DN01"
description = "Doanh nghiệp"
ttl = "24h"
record = "Data"
schema = "business.schema.json"

[[field]]
name = "ma_so_doanh_nghiep"
path = "MainInformation/ENTERPRISE_GDT_CODE"
type = "digits"
required = true

[[field]]
name = "ten"
path = "MainInformation/NAME"

[[field]]
name = "ngay_thanh_lap"
path = "MainInformation/FOUNDING_DATE"
type = "date"

[[field]]
name = "von_dieu_le"
path = "MainInformation/CAPITAL_AMOUNT"
type = "decimal"

[[field]]
name = "nguoi_dai_dien"
path = "Representatives[]/FULL_NAME"
join = ", "

[[field]]
name = "dai_dien[].chuc_danh"
path = "Representatives[]/POSITION"
)";

std::shared_ptr<const JsonMapping> mapping() {
  auto m = JsonMapping::parse(kMapping, "business.toml", kSchema, "business.schema.json");
  EXPECT_TRUE(m) << m.error().detail;
  return m ? *m : nullptr;
}

std::string value_of(const RecordFields& fields, const std::string& name) {
  for (const auto& [n, v] : fields)
    if (n == name) return v;
  return "<absent>";
}

TEST(JsonMapping, RepresentativesAsAnObjectOrAnArray) {
  auto m = mapping();
  ASSERT_TRUE(m);
  const json one = json::parse(R"({"Data":{"MainInformation":{"NAME":" Công ty TNHH Sao Mai ",
      "ENTERPRISE_GDT_CODE":"0306182043","FOUNDING_DATE":"2008-03-14","CAPITAL_AMOUNT":5000000000},
      "Representatives":{"FULL_NAME":"Trần Thị Bích","POSITION":"Giám đốc"}}})");
  auto a = m->apply(one);
  ASSERT_TRUE(a) << a.error().detail;
  EXPECT_EQ(value_of(*a, "ten"), "Công ty TNHH Sao Mai");
  EXPECT_EQ(value_of(*a, "von_dieu_le"), "5000000000");
  EXPECT_EQ(value_of(*a, "nguoi_dai_dien"), "Trần Thị Bích");
  EXPECT_EQ(value_of(*a, "dai_dien.1.chuc_danh"), "Giám đốc");
  EXPECT_TRUE(std::is_sorted(a->begin(), a->end()));

  const json many = json::parse(R"({"Data":{"MainInformation":{"ENTERPRISE_GDT_CODE":"0306182043"},
      "Representatives":[{"FULL_NAME":"Trần Thị Bích","POSITION":"Giám đốc"},
                         {"FULL_NAME":"Lê Văn Cường","POSITION":"Chủ tịch HĐQT"}]}})");
  auto b = m->apply(many);
  ASSERT_TRUE(b) << b.error().detail;
  EXPECT_EQ(value_of(*b, "nguoi_dai_dien"), "Trần Thị Bích, Lê Văn Cường");
  EXPECT_EQ(value_of(*b, "dai_dien.1.chuc_danh"), "Giám đốc");
  EXPECT_EQ(value_of(*b, "dai_dien.2.chuc_danh"), "Chủ tịch HĐQT");
  EXPECT_EQ(value_of(*b, "ten"), "<absent>");  // optional and absent: left out
}

TEST(JsonMapping, NoRecordIsNotFoundAndBrokenContractsNameTheFieldOnly) {
  auto m = mapping();
  ASSERT_TRUE(m);
  auto none = m->apply(json::parse(R"({"Data":null})"));
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code, ErrorCode::kNotFound);

  auto missing = m->apply(json::parse(R"({"Data":{"MainInformation":{"NAME":"X"}}})"));
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kUpstreamUnavailable);
  EXPECT_NE(missing.error().detail.find("ma_so_doanh_nghiep"), std::string::npos);

  auto letters = m->apply(json::parse(
      R"({"Data":{"MainInformation":{"ENTERPRISE_GDT_CODE":"03061X2043"}}})"));
  ASSERT_FALSE(letters);
  EXPECT_EQ(letters.error().detail.find("03061X2043"), std::string::npos);

  auto nested = m->apply(json::parse(
      R"({"Data":{"MainInformation":{"ENTERPRISE_GDT_CODE":"0306182043","NAME":{"vi":"X"}}}})"));
  ASSERT_FALSE(nested);
  EXPECT_NE(nested.error().detail.find("ten"), std::string::npos);

  auto not_object = m->apply(json::parse(R"({"Data":[1,2]})"));
  ASSERT_FALSE(not_object);
  EXPECT_EQ(not_object.error().code, ErrorCode::kUpstreamUnavailable);
}

TEST(JsonMapping, PathsAndTypesAreCheckedAgainstTheSchemaWithFileAndLine) {
  const std::string head =
      "[document]\ntype = \"DN01\"\ndescription = \"x\"\nttl = \"1h\"\nrecord = \"Data\"\n"
      "schema = \"s.json\"\n";  // 6 lines
  struct Case {
    std::string fields;
    std::string expect;
  };
  for (const auto& c : std::vector<Case>{
           {"[[field]]\nname = \"a\"\npath = \"MainInformation/NAEM\"\n",
            "m.toml:7: field 'a': path 'MainInformation/NAEM' names 'NAEM', which s.json does not have"},
           {"[[field]]\nname = \"a\"\npath = \"MainInformation\"\ntype = \"digits\"\n",
            "m.toml:7: field 'a': path 'MainInformation' is object in s.json, which cannot hold a digits"},
           {"[[field]]\nname = \"a\"\npath = \"MainInformation/CAPITAL_AMOUNT\"\ntype = \"date\"\n",
            "path 'MainInformation/CAPITAL_AMOUNT' is number, string in s.json, which cannot hold a date"},
           {"[[field]]\nname = \"a\"\npath = \"Representatives/FULL_NAME\"\n",
            "'Representatives' may be an array in s.json; write 'Representatives[]'"},
           {"[[field]]\nname = \"a[].b\"\npath = \"MainInformation/NAME\"\n", "must when the field name has '[]'"},
           {"[[field]]\nname = \"a[][]\"\npath = \"Representatives[]/FULL_NAME\"\n", "one '[]'"},
           {"[[field]]\nname = \"a\"\npath = \"Main[x]/NAME\"\n", "bad segment"},
       }) {
    auto m = JsonMapping::parse(head + c.fields, "m.toml", kSchema, "s.json");
    ASSERT_FALSE(m) << c.fields;
    EXPECT_NE(m.error().detail.find(c.expect), std::string::npos)
        << "got: " << m.error().detail << "\nwant: " << c.expect;
  }
  auto bad_schema = JsonMapping::parse(head + "[[field]]\nname = \"a\"\npath = \"A\"\n", "m.toml",
                                       "{not json", "s.json");
  ASSERT_FALSE(bad_schema);
  EXPECT_NE(bad_schema.error().detail.find("m.toml:6: schema s.json"), std::string::npos)
      << bad_schema.error().detail;
}

}  // namespace
}  // namespace lienthong::exchange
