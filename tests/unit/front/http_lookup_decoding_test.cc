// The lookup body decoders: JSON and XML onto LookupRequest, and everything they refuse.
#include "gateway/front/http/lookup_decoding.h"

#include <gtest/gtest.h>

namespace lienthong::front::http {
namespace {

constexpr size_t kLimit = 64 << 10;

ErrorCode json_error(std::string_view body) {
  auto r = decode_json_lookup(body);
  EXPECT_FALSE(r) << "accepted: " << body;
  return r ? ErrorCode::kInternal : r.error().code;
}

ErrorCode xml_error(std::string_view body) {
  auto r = decode_xml_lookup(body, kLimit);
  EXPECT_FALSE(r) << "accepted: " << body;
  return r ? ErrorCode::kInternal : r.error().code;
}

std::string lookup_xml(std::string_view inner) {
  return "<LookupRequest xmlns=\"urn:lienthong:exchange:1\"><SubjectId>001203004510</SubjectId>"
         "<DocumentType>CD01</DocumentType>" +
         std::string(inner) + "</LookupRequest>";
}

TEST(HttpJsonLookupTest, DecodesEveryField) {
  auto r = decode_json_lookup(R"({
    "subjectId": "001203004510", "documentType": "CD01",
    "purpose": {"dossierCode": "000.00.00.G22-261122-0001", "procedureCode": "1.001234"},
    "officer": {"personalId": "079085000111", "account": "tam"},
    "maxAgeSeconds": 0, "fields": ["ho_va_ten", "thuong_tru.ma_tinh"],
    "clientRequestId": "abc-123"})");
  ASSERT_TRUE(r) << r.error().detail;
  const LookupRequest& q = r->request;
  EXPECT_EQ(q.subject, "001203004510");
  EXPECT_EQ(q.document_type, "CD01");
  EXPECT_EQ(q.purpose.dossier_code, "000.00.00.G22-261122-0001");
  EXPECT_EQ(q.purpose.procedure_code, "1.001234");
  EXPECT_EQ(q.officer.personal_id, "079085000111");
  EXPECT_EQ(q.officer.account, "tam");
  EXPECT_EQ(q.max_age, std::chrono::seconds(0));
  EXPECT_EQ(q.fields, (std::vector<std::string>{"ho_va_ten", "thuong_tru.ma_tinh"}));
  EXPECT_EQ(r->client_request_id, "abc-123");
  EXPECT_TRUE(q.request_id.empty());  // the front's, set by the caller
  EXPECT_TRUE(q.member.organ_code.empty());
}

TEST(HttpJsonLookupTest, AbsentOrNullOptionalPartsDecodeEmpty) {
  for (const char* body :
       {R"({"subjectId":"1","documentType":"CD01"})",
        R"({"subjectId":"1","documentType":"CD01","purpose":null,"officer":null,
            "maxAgeSeconds":null,"fields":null,"clientRequestId":null})",
        R"({"subjectId":"1","documentType":"CD01","purpose":{},"officer":{"account":null}})"}) {
    auto r = decode_json_lookup(body);
    ASSERT_TRUE(r) << body << ": " << r.error().detail;
    EXPECT_EQ(r->request.purpose.dossier_code, "");
    EXPECT_EQ(r->request.officer.account, "");
    EXPECT_FALSE(r->request.max_age);
    EXPECT_TRUE(r->request.fields.empty());
  }
}

TEST(HttpJsonLookupTest, RefusesWhatIsNotALookup) {
  const char* bodies[] = {
      "",
      "{",
      "[]",
      "\"x\"",
      R"({"documentType":"CD01"})",
      R"({"subjectId":"1"})",
      R"({"subjectId":1,"documentType":"CD01"})",
      R"({"subjectId":null,"documentType":"CD01"})",
      R"({"subjectId":"1","documentType":"CD01","extra":1})",
      R"({"subjectId":"1","documentType":"CD01","purpose":{"dossier":"x"}})",
      R"({"subjectId":"1","documentType":"CD01","purpose":"x"})",
      R"({"subjectId":"1","documentType":"CD01","officer":{"personalId":7}})",
      R"({"subjectId":"1","documentType":"CD01","maxAgeSeconds":"60"})",
      R"({"subjectId":"1","documentType":"CD01","maxAgeSeconds":1.5})",
      R"({"subjectId":"1","documentType":"CD01","maxAgeSeconds":-1})",
      R"({"subjectId":"1","documentType":"CD01","maxAgeSeconds":315360001})",
      R"({"subjectId":"1","documentType":"CD01","maxAgeSeconds":18446744073709551615})",
      R"({"subjectId":"1","documentType":"CD01","fields":"ho_va_ten"})",
      R"({"subjectId":"1","documentType":"CD01","fields":[1]})",
      R"({"subjectId":"1","documentType":"CD01","fields":[""]})",
      R"({"subjectId":"1","documentType":"CD01","clientRequestId":"has space"})",
      R"({"subjectId":"1","documentType":"CD01","subjectId":"2"})",
      R"({"subjectId":"1","documentType":"CD01","purpose":{"dossierCode":"a","dossierCode":"b"}})",
      R"({"subjectId":"1","documentType":"CD01"} trailing)",
  };
  for (const char* body : bodies) EXPECT_EQ(json_error(body), ErrorCode::kBadRequest) << body;
  EXPECT_EQ(json_error(R"({"subjectId":"1","documentType":"CD01","clientRequestId":")" +
                       std::string(65, 'a') + "\"}"),
            ErrorCode::kBadRequest);
  EXPECT_EQ(json_error("{\"subjectId\":\"\xff\",\"documentType\":\"CD01\"}"),
            ErrorCode::kBadRequest);
}

TEST(HttpJsonLookupTest, ANulByteIsNotTheEndOfTheBody) {
  // nlohmann's lexer stops at NUL: without the check this would decode as the object alone.
  const std::string body =
      std::string(R"({"subjectId":"001203004510","documentType":"CD01"})") + '\0' + "{\"x\":";
  auto r = decode_json_lookup(body);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kBadRequest);
  EXPECT_NE(r.error().detail.find("NUL"), std::string::npos) << r.error().detail;
}

TEST(HttpJsonLookupTest, DeepNestingIsRefusedBeforeParsing) {
  const std::string deep =
      "{\"subjectId\":" + std::string(20000, '[') + std::string(20000, ']') + "}";
  auto r = decode_json_lookup(deep);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().detail.find("deeper"), std::string::npos);
  // Brackets inside strings do not count.
  EXPECT_TRUE(decode_json_lookup(R"({"subjectId":"[[[[[[[[[[[[","documentType":"CD01"})"));
}

TEST(HttpXmlLookupTest, DecodesEveryField) {
  auto r = decode_xml_lookup(
      lookup_xml("<Purpose><DossierCode>000.00.00.G22-261122-0001</DossierCode>"
                 "<ProcedureCode>1.001234</ProcedureCode></Purpose>"
                 "<Officer><PersonalId>079085000111</PersonalId><Account>tâm</Account></Officer>"
                 "<MaxAgeSeconds>600</MaxAgeSeconds>"
                 "<Fields>\n  <Field>ho_va_ten</Field>\n  <Field>gioi_tinh</Field>\n</Fields>"
                 "<ClientRequestId>mc-1</ClientRequestId>"),
      kLimit);
  ASSERT_TRUE(r) << r.error().detail;
  const LookupRequest& q = r->request;
  EXPECT_EQ(q.subject, "001203004510");
  EXPECT_EQ(q.document_type, "CD01");
  EXPECT_EQ(q.purpose.dossier_code, "000.00.00.G22-261122-0001");
  EXPECT_EQ(q.purpose.procedure_code, "1.001234");
  EXPECT_EQ(q.officer.personal_id, "079085000111");
  EXPECT_EQ(q.officer.account, "tâm");
  EXPECT_EQ(q.max_age, std::chrono::seconds(600));
  EXPECT_EQ(q.fields, (std::vector<std::string>{"ho_va_ten", "gioi_tinh"}));
  EXPECT_EQ(r->client_request_id, "mc-1");
}

TEST(HttpXmlLookupTest, PrefixesCommentsAndCdataAreFine) {
  auto r = decode_xml_lookup(
      "<?xml version=\"1.0\" encoding=\"utf-8\"?><!-- from the one-stop system -->"
      "<x:LookupRequest xmlns:x=\"urn:lienthong:exchange:1\">"
      "<x:SubjectId><![CDATA[001203004510]]></x:SubjectId><!-- c -->"
      "<x:DocumentType>CD<!-- c -->01</x:DocumentType></x:LookupRequest>",
      kLimit);
  ASSERT_TRUE(r) << r.error().detail;
  EXPECT_EQ(r->request.subject, "001203004510");
  EXPECT_EQ(r->request.document_type, "CD01");
  EXPECT_EQ(r->request.purpose.dossier_code, "");
  EXPECT_FALSE(r->request.max_age);
}

TEST(HttpXmlLookupTest, RefusesWhatIsNotALookup) {
  const std::string bodies[] = {
      "<LookupRequest><SubjectId>1</SubjectId><DocumentType>CD01</DocumentType></LookupRequest>",
      "<Other xmlns=\"urn:lienthong:exchange:1\"/>",
      "<LookupRequest xmlns=\"urn:lienthong:exchange:1\"><DocumentType>CD01</DocumentType>"
      "</LookupRequest>",
      lookup_xml("<Unknown/>"),
      lookup_xml("<SubjectId>2</SubjectId>"),
      lookup_xml("<Purpose/><Purpose/>"),
      lookup_xml("<Purpose><Dossier>x</Dossier></Purpose>"),
      lookup_xml("<Officer><PersonalId><b>1</b></PersonalId></Officer>"),
      lookup_xml("<Fields><Name>x</Name></Fields>"),
      lookup_xml("<Fields><Field/></Fields>"),
      lookup_xml("<MaxAgeSeconds>-1</MaxAgeSeconds>"),
      lookup_xml("<MaxAgeSeconds> 60</MaxAgeSeconds>"),
      lookup_xml("<MaxAgeSeconds>999999999999</MaxAgeSeconds>"),
      lookup_xml("<MaxAgeSeconds/>"),
      lookup_xml("<ClientRequestId>a b</ClientRequestId>"),
      lookup_xml("stray text"),
      lookup_xml("<o:Purpose xmlns:o=\"urn:other\"/>"),
      "<LookupRequest xmlns=\"urn:lienthong:exchange:1\" id=\"x\"><SubjectId>1</SubjectId>"
      "<DocumentType>CD01</DocumentType></LookupRequest>",
  };
  for (const auto& body : bodies) EXPECT_EQ(xml_error(body), ErrorCode::kBadRequest) << body;
}

TEST(HttpXmlLookupTest, ParserRefusalsKeepTheirCodes) {
  EXPECT_EQ(xml_error("<?xml version=\"1.0\"?><!DOCTYPE LookupRequest SYSTEM \"http://x/\">"
                      "<LookupRequest xmlns=\"urn:lienthong:exchange:1\"/>"),
            ErrorCode::kXmlDtdRefused);
  EXPECT_EQ(xml_error("<LookupRequest xmlns=\"urn:lienthong:exchange:1\"><SubjectId>"),
            ErrorCode::kXmlMalformed);
  EXPECT_EQ(xml_error("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>" + lookup_xml("")),
            ErrorCode::kXmlMalformed);
  std::string deep;
  for (int i = 0; i < 10; ++i) deep += "<Purpose>";
  for (int i = 0; i < 10; ++i) deep += "</Purpose>";
  EXPECT_EQ(xml_error(lookup_xml(deep)), ErrorCode::kXmlLimitExceeded);
  auto big = decode_xml_lookup(lookup_xml(std::string(200, ' ')), 100);
  ASSERT_FALSE(big);
  EXPECT_EQ(big.error().code, ErrorCode::kXmlLimitExceeded);
}

}  // namespace
}  // namespace lienthong::front::http
