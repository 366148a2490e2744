#include "gateway/core/canonical_xml.h"

#include <gtest/gtest.h>
#include <libxml/c14n.h>
#include <libxml/parser.h>

#include "tests/support/sample_record.h"

namespace lienthong {
namespace {

// libxml2's exclusive canonicalization of a document: the reference the writer must equal.
std::string libxml2_exc_c14n(const std::string& xml) {
  xmlDoc* doc =
      xmlReadMemory(xml.data(), static_cast<int>(xml.size()), nullptr, nullptr, XML_PARSE_NONET);
  if (doc == nullptr) return "<parse error>";
  xmlChar* out = nullptr;
  const int len = xmlC14NDocDumpMemory(doc, nullptr, XML_C14N_EXCLUSIVE_1_0, nullptr, 0, &out);
  std::string result = len >= 0
                           ? std::string(reinterpret_cast<char*>(out), static_cast<size_t>(len))
                           : "<c14n error>";
  xmlFree(out);
  xmlFreeDoc(doc);
  return result;
}

TEST(CanonicalXmlWriter, SampleRecordIsAFixedPointOfExclusiveC14n) {
  for (int variant = 0; variant < 5; ++variant) {
    const std::string record = testing::sample_record(variant);
    ASSERT_FALSE(record.empty());
    EXPECT_EQ(libxml2_exc_c14n(record), record);
  }
  EXPECT_GT(testing::sample_record().size(), 1800u);
}

TEST(CanonicalXmlWriter, EscapesAndSortsLikeC14n) {
  CanonicalXmlWriter w("urn:test");
  w.open("a", {{"z", "1"}, {"b", "q\"<&\t\n\r>"}, {"Z", "upper sorts first"}});
  w.text("x & y < z > w\r\n\t\"'");
  w.element("empty", "");
  w.close();
  auto out = std::move(w).finish();
  ASSERT_TRUE(out) << out.error().detail;
  EXPECT_EQ(*out,
            "<a xmlns=\"urn:test\" Z=\"upper sorts first\" b=\"q&quot;&lt;&amp;&#x9;&#xA;&#xD;>\" "
            "z=\"1\">x &amp; y &lt; z &gt; w&#xD;\n\t\"'<empty></empty></a>");
  EXPECT_EQ(libxml2_exc_c14n(*out), *out);
}

TEST(CanonicalXmlWriter, RefusesWhatIsNotXml) {
  auto finish = [](auto build) {
    CanonicalXmlWriter w("urn:test");
    build(w);
    return std::move(w).finish();
  };
  EXPECT_FALSE(finish([](auto& w) { w.element("a", std::string("nul\0byte", 8)); }));
  EXPECT_FALSE(finish([](auto& w) { w.element("a", "bad utf8 \xC3("); }));
  EXPECT_FALSE(finish([](auto& w) { w.element("a", "overlong \xC0\xAF"); }));
  EXPECT_FALSE(finish([](auto& w) { w.element("a", "surrogate \xED\xA0\x80"); }));
  EXPECT_FALSE(finish([](auto& w) { w.element("a", "\x01 control"); }));
  EXPECT_FALSE(finish([](auto& w) { w.element("1bad", "x"); }));
  EXPECT_FALSE(finish([](auto& w) { w.element("a", "x", {{"k", "1"}, {"k", "2"}}); }));
  EXPECT_FALSE(finish([](auto& w) { w.open("a"); }));
  EXPECT_FALSE(finish([](auto& w) {
    w.element("a", "x");
    w.element("b", "second root");
  }));
  EXPECT_TRUE(finish([](auto& w) { w.element("a", "Tiếng Việt có dấu 😀"); }));
}

TEST(IsXmlText, FollowsTheXmlCharProduction) {
  EXPECT_TRUE(is_xml_text("plain\t\r\n"));
  EXPECT_TRUE(is_xml_text("Đồng Tháp"));
  EXPECT_FALSE(is_xml_text("\xEF\xBF\xBE"));      // U+FFFE
  EXPECT_FALSE(is_xml_text("\xF4\x90\x80\x80"));  // > U+10FFFF
}

}  // namespace
}  // namespace lienthong
