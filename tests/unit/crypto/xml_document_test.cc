#include "gateway/crypto/xml_document.h"

#include <gtest/gtest.h>

namespace lienthong::crypto {
namespace {

Result<XmlDocPtr> parse(std::string_view xml, XmlLimits limits = {},
                        std::vector<IdAttribute> ids = IdAttribute::defaults()) {
  return parse_untrusted_xml(xml, limits, ids);
}

ErrorCode code_of(const Result<XmlDocPtr>& r) { return r ? ErrorCode::kInternal : r.error().code; }

TEST(ParseUntrustedXml, AcceptsOrdinaryDocuments) {
  EXPECT_TRUE(parse("<a/>"));
  EXPECT_TRUE(parse(
      "\xEF\xBB\xBF<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<!-- c --><?pi x?><a>Đà Nẵng</a>"));
  EXPECT_TRUE(parse("<?xml version='1.0' encoding='US-ASCII'?><a/>"));
}

TEST(ParseUntrustedXml, RefusesEveryDoctypeBeforeParsing) {
  for (const char* doc : {
           "<!DOCTYPE a><a/>",
           "<?xml version=\"1.0\"?><!DOCTYPE a [<!ENTITY x \"y\">]><a>&x;</a>",
           "\xEF\xBB\xBF<!DOCTYPE a SYSTEM \"file:///etc/passwd\"><a/>",
           "<!-- first --> <?pi?> \n<!DOCTYPE a><a/>",
           "<!doctype a><a/>",
       })
    EXPECT_EQ(code_of(parse(doc)), ErrorCode::kXmlDtdRefused) << doc;
}

TEST(ParseUntrustedXml, MalformedDocumentsSayWhere) {
  auto r = parse("<a>\n<b></a>");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().detail.find("line"), std::string::npos) << r.error().detail;
}

TEST(ParseUntrustedXml, RefusesOtherEncodingsAndJunk) {
  EXPECT_EQ(code_of(parse(std::string("\xFF\xFE<\0a\0/\0>\0", 10))), ErrorCode::kXmlMalformed);
  EXPECT_EQ(code_of(parse("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a/>")),
            ErrorCode::kXmlMalformed);
  EXPECT_EQ(code_of(parse("\x4C\x6F\xA7\x94")), ErrorCode::kXmlMalformed);  // EBCDIC "<?xm"
  EXPECT_EQ(code_of(parse("")), ErrorCode::kXmlMalformed);
  EXPECT_EQ(code_of(parse("   ")), ErrorCode::kXmlMalformed);
  EXPECT_EQ(code_of(parse("text<a/>")), ErrorCode::kXmlMalformed);
  EXPECT_EQ(code_of(parse("<a>")), ErrorCode::kXmlMalformed);
  EXPECT_EQ(code_of(parse("<a></b>")), ErrorCode::kXmlMalformed);
  EXPECT_EQ(code_of(parse("<!-- unterminated <a/>")), ErrorCode::kXmlMalformed);
  EXPECT_EQ(code_of(parse("<a>&undefined;</a>")), ErrorCode::kXmlMalformed);
}

TEST(ParseUntrustedXml, EnforcesLimits) {
  XmlLimits limits;
  limits.max_bytes = 100;
  EXPECT_EQ(code_of(parse("<a>" + std::string(200, 'x') + "</a>", limits)),
            ErrorCode::kXmlLimitExceeded);

  limits = {};
  limits.max_depth = 10;
  std::string deep;
  for (int i = 0; i < 11; ++i) deep += "<d>";
  for (int i = 0; i < 11; ++i) deep += "</d>";
  EXPECT_EQ(code_of(parse(deep, limits)), ErrorCode::kXmlLimitExceeded);
  std::string ok;
  for (int i = 0; i < 10; ++i) ok += "<d>";
  for (int i = 0; i < 10; ++i) ok += "</d>";
  EXPECT_TRUE(parse(ok, limits));

  limits = {};
  limits.max_nodes = 50;
  std::string wide = "<a>";
  for (int i = 0; i < 60; ++i) wide += "<b/>";
  wide += "</a>";
  EXPECT_EQ(code_of(parse(wide, limits)), ErrorCode::kXmlLimitExceeded);
}

TEST(ParseUntrustedXml, DeepDocumentsFailCleanlyNotByStackOverflow) {
  std::string deep;
  for (int i = 0; i < 100000; ++i) deep += "<d>";
  for (int i = 0; i < 100000; ++i) deep += "</d>";
  const auto r = parse(deep);
  ASSERT_FALSE(r);  // libxml2 stops at its own depth limit, or ours does
}

TEST(ParseUntrustedXml, RegistersIdsSoReferencesResolve) {
  auto doc = parse("<a><b Id=\"one\"/><c ID=\"two\"/><d id=\"three\"/><e xml:id=\"four\"/></a>");
  ASSERT_TRUE(doc);
  for (const char* id : {"one", "two", "three", "four"})
    EXPECT_NE(xmlGetID(doc->get(), reinterpret_cast<const xmlChar*>(id)), nullptr) << id;
}

TEST(ParseUntrustedXml, NamespacedIdAttributesCountByLocalName) {
  const char* wsu = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd";
  auto doc = parse(std::string("<e xmlns:wsu=\"") + wsu + "\"><b wsu:Id=\"body\"/></e>");
  ASSERT_TRUE(doc);
  EXPECT_NE(xmlGetID(doc->get(), reinterpret_cast<const xmlChar*>("body")), nullptr);
  EXPECT_EQ(code_of(parse(std::string("<e xmlns:wsu=\"") + wsu +
                          "\"><b wsu:Id=\"x\"/><c Id=\"x\"/></e>")),
            ErrorCode::kDuplicateId);
}

TEST(ParseUntrustedXml, RefusesDuplicateIdsWhateverTheAttributeName) {
  EXPECT_EQ(code_of(parse("<a><b Id=\"x\"/><b Id=\"x\"/></a>")), ErrorCode::kDuplicateId);
  EXPECT_EQ(code_of(parse("<a><b Id=\"x\"/><c ID=\"x\"/></a>")), ErrorCode::kDuplicateId);
  EXPECT_EQ(code_of(parse("<a><b xml:id=\"x\"/><c id=\"x\"/></a>")), ErrorCode::kDuplicateId);
  EXPECT_EQ(code_of(parse("<a><b xml:id=\"x\"/><c xml:id=\"x\"/></a>")), ErrorCode::kDuplicateId);
}

TEST(ParseUntrustedXml, ScopedIdAttributesApplyOnlyToTheirElement) {
  auto spec = IdAttribute::parse("AssertionID:urn:x:assertion:Assertion");
  ASSERT_TRUE(spec);
  EXPECT_EQ(spec->name, "AssertionID");
  EXPECT_EQ(spec->ns, "urn:x:assertion");
  EXPECT_EQ(spec->element, "Assertion");
  auto doc = parse(
      "<r xmlns:s=\"urn:x:assertion\"><s:Assertion AssertionID=\"a1\"/><Other "
      "AssertionID=\"a1\"/></r>",
      {}, {*spec});
  ASSERT_TRUE(doc) << doc.error().detail;  // the second one is not an ID: no duplicate
  const xmlAttr* attr = xmlGetID(doc->get(), reinterpret_cast<const xmlChar*>("a1"));
  ASSERT_NE(attr, nullptr);
  EXPECT_STREQ(reinterpret_cast<const char*>(attr->parent->name), "Assertion");
  EXPECT_FALSE(IdAttribute::parse(""));
  EXPECT_FALSE(IdAttribute::parse("ID:urn:x:"));
}

}  // namespace
}  // namespace lienthong::crypto
