#include "gateway/exchange/xml_mapping.h"

#include <gtest/gtest.h>

#include "gateway/crypto/xml_document.h"

namespace lienthong::exchange {
namespace {

constexpr std::string_view kMapping = R"(
[document]
type = "CD01"
description = "Thông tin công dân"
ttl = "24h"
namespace = "urn:test"
record = "CongDan"

[[field]]
name = "so_dinh_danh"
path = "SoDinhDanh"
type = "digits"
required = true

[[field]]
name = "ho_va_ten"
paths = ["HoVaTen/Ho", "HoVaTen/ChuDem", "HoVaTen/Ten"]

[[field]]
name = "ngay_sinh"
path = "NgaySinh"
type = "date"

[[field]]
name = "thuong_tru.chi_tiet"
path = "ThuongTru/ChiTiet"
)";

const xmlNode* root(const crypto::XmlDocPtr& doc) { return xmlDocGetRootElement(doc.get()); }

TEST(XmlMapping, MapsPathsJoinsAndNormalisesDates) {
  auto m = XmlMapping::parse(kMapping, "population.toml");
  ASSERT_TRUE(m) << m.error().detail;
  EXPECT_EQ((*m)->ttl, std::chrono::hours(24));
  EXPECT_EQ((*m)->field_names(),
            (std::vector<std::string>{"ho_va_ten", "ngay_sinh", "so_dinh_danh",
                                      "thuong_tru.chi_tiet"}));
  auto doc = crypto::parse_untrusted_xml(
      "<CongDan xmlns='urn:test'><SoDinhDanh> 026092008262 </SoDinhDanh>"
      "<HoVaTen><Ho>Nguyễn</Ho><ChuDem></ChuDem><Ten>An</Ten></HoVaTen>"
      "<NgaySinh>19921122</NgaySinh><ThuongTru><ChiTiet>Số 1, phường Ba Đình</ChiTiet></ThuongTru>"
      "<Other xmlns='urn:evil'><SoDinhDanh>999</SoDinhDanh></Other></CongDan>",
      {}, {});
  ASSERT_TRUE(doc);
  auto fields = (*m)->apply(root(*doc));
  ASSERT_TRUE(fields) << fields.error().detail;
  EXPECT_EQ(*fields, (RecordFields{{"ho_va_ten", "Nguyễn An"},
                                   {"ngay_sinh", "1992-11-22"},
                                   {"so_dinh_danh", "026092008262"},
                                   {"thuong_tru.chi_tiet", "Số 1, phường Ba Đình"}}));
}

TEST(XmlMapping, ElementsOfAnotherNamespaceAreNotRead) {
  auto m = XmlMapping::parse(kMapping, "population.toml");
  ASSERT_TRUE(m);
  auto doc = crypto::parse_untrusted_xml(
      "<CongDan xmlns='urn:test'><SoDinhDanh xmlns='urn:evil'>1</SoDinhDanh></CongDan>", {}, {});
  ASSERT_TRUE(doc);
  auto fields = (*m)->apply(root(*doc));
  ASSERT_FALSE(fields);
  EXPECT_EQ(fields.error().code, ErrorCode::kUpstreamUnavailable);
  EXPECT_NE(fields.error().detail.find("so_dinh_danh"), std::string::npos);
}

TEST(XmlMapping, WrongShapesAreContractErrorsNamingTheFieldNotTheValue) {
  auto m = XmlMapping::parse(kMapping, "population.toml");
  ASSERT_TRUE(m);
  auto doc = crypto::parse_untrusted_xml(
      "<CongDan xmlns='urn:test'><SoDinhDanh>02609X</SoDinhDanh></CongDan>", {}, {});
  ASSERT_TRUE(doc);
  auto fields = (*m)->apply(root(*doc));
  ASSERT_FALSE(fields);
  EXPECT_EQ(fields.error().detail.find("02609X"), std::string::npos);
  auto date = crypto::parse_untrusted_xml(
      "<CongDan xmlns='urn:test'><SoDinhDanh>1</SoDinhDanh><NgaySinh>22/11/1992</NgaySinh></CongDan>",
      {}, {});
  ASSERT_TRUE(date);
  EXPECT_FALSE((*m)->apply(root(*date)));
}

TEST(XmlMapping, BadMappingsAreRefusedWithFileAndLine) {
  struct Case {
    std::string text;
    std::string expect;
  };
  const std::string doc =
      "[document]\ntype = \"CD01\"\ndescription = \"x\"\nttl = \"1h\"\nnamespace = \"urn:t\"\n"
      "record = \"R\"\n";  // 6 lines
  for (const auto& c : std::vector<Case>{
           {doc + "[[field]]\nname = \"a\"\npath = \"A\"\ntype = \"number\"\n",
            "m.toml:7: unknown type 'number'"},
           {doc + "[[field]]\nname = \"a\"\npath = \"A\"\ncolour = 1\n", "m.toml:10: unknown key 'colour'"},
           {doc + "[[field]]\nname = \"a\"\npath = \"A\"\n[[field]]\nname = \"a\"\npath = \"B\"\n",
            "m.toml:10: field 'a' is mapped twice"},
           {doc + "[[field]]\nname = \"A b\"\npath = \"A\"\n", "must be lower-case"},
           {doc + "[[field]]\nname = \"a\"\n", "needs 'path' or 'paths'"},
           {doc + "[[field]]\nname = \"a\"\npath = \"A\"\nrequired = \"yes\"\n", "true or false"},
           {"[document]\ntype = \"CD01\"\n", "needs a non-empty"},
           {doc, "no [[field]]"},
           {"[document\n", "m.toml:1:"},
       }) {
    auto m = XmlMapping::parse(c.text, "m.toml");
    ASSERT_FALSE(m) << c.text;
    EXPECT_NE(m.error().detail.find(c.expect), std::string::npos)
        << "got: " << m.error().detail << "\nwant: " << c.expect;
  }
}

TEST(XmlMapping, TheShippedPopulationMappingLoads) {
  auto m = XmlMapping::load(std::string(LIENTHONG_SOURCE_DIR) + "/mappings/population.toml");
  ASSERT_TRUE(m) << m.error().detail;
  EXPECT_EQ((*m)->document_type, "CD01");
  EXPECT_GE((*m)->fields.size(), 30u);
}

}  // namespace
}  // namespace lienthong::exchange
