#include "adapters/documents/edxml_parse.h"

#include <libxml/xmlschemas.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <string>

#include "adapters/documents/edxml_validate.h"
#include "adapters/documents/edxml_write.h"
#include "tests/unit/adapters/documents/sample_envelope.h"

namespace lienthong::edxml {
namespace {

using ::testing::HasSubstr;
using testing::sample_edxml;
using testing::sample_status;

std::string replace(std::string text, std::string_view from, std::string_view to) {
  const size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

template <class T>
Error error_of(const Result<T>& r) {
  EXPECT_FALSE(r.has_value());
  return r ? Error{ErrorCode::kInternal, "accepted"} : r.error();
}

TEST(EdxmlParse, SampleEnvelopeFieldByField) {
  auto m = parse_edxml(sample_edxml());
  ASSERT_TRUE(m) << m.error().detail;
  const auto& h = m->header;
  EXPECT_EQ(h.from.organ_id, "000.00.00.G22");
  EXPECT_EQ(h.from.organization_in_charge, "Văn phòng Chính phủ");
  EXPECT_EQ(h.from.organ_add, "Số 1 Hoàng Hoa Thám, Quận Ba Đình, Hà Nội");
  EXPECT_EQ(h.from.website, "vpcp.chinhphu.vn");
  ASSERT_EQ(h.to.size(), 2u);
  EXPECT_EQ(h.to[0].organ_id, "000.00.00.H20");
  EXPECT_EQ(h.to[0].telephone, "0277 3851 243");
  EXPECT_EQ(h.to[1].organ_id, "001.00.10.H47");
  EXPECT_EQ(h.to[1].organ_name, "Sở TT&TT tỉnh Quảng Nam");
  EXPECT_EQ(h.to[1].telephone, "");
  EXPECT_EQ(h.to[1].fax, "");
  EXPECT_EQ(h.document_id, "000.00.00.G22,2015/09/30,7816/VPCP-TTĐT");
  EXPECT_EQ(h.code.code_number, "7816");
  EXPECT_EQ(h.code.code_notation, "VPCP-TTĐT");
  EXPECT_EQ(h.promulgation_info.place, "Hà Nội");
  EXPECT_EQ(h.promulgation_info.promulgation_date, "2015/09/30");
  EXPECT_EQ(h.document_type.type, 1);
  EXPECT_EQ(h.document_type.type_detail, 0);
  EXPECT_EQ(h.document_type.type_name, "Công văn");
  EXPECT_EQ(h.subject, "V/v kết nối, liên thông phần mềm quản lý văn bản <đợt 2>");
  EXPECT_EQ(h.content, "Đề nghị các cơ quan triển khai kết nối trước ngày 15/10/2015.");
  EXPECT_EQ(h.signer_info.competence, "KT. BỘ TRƯỞNG, CHỦ NHIỆM");
  EXPECT_EQ(h.signer_info.position, "Phó Chủ nhiệm");
  EXPECT_EQ(h.signer_info.full_name, "Nguyễn Văn A");
  EXPECT_EQ(h.due_date, "2015/10/15");
  EXPECT_EQ(h.other_info.priority, 1);
  EXPECT_EQ(h.other_info.sphere_of_promulgation, "Liên thông văn bản quốc gia");
  EXPECT_EQ(h.other_info.typer_notation, "TVC");
  EXPECT_EQ(h.other_info.promulgation_amount, 2);
  EXPECT_EQ(h.other_info.page_amount, 3);
  EXPECT_EQ(h.other_info.direction, "false");
  EXPECT_EQ(h.other_info.appendixes, std::vector<std::string>{"Danh sách cơ quan kết nối"});
  EXPECT_EQ(h.steering_type, 1);
  EXPECT_EQ(h.to_places, (std::vector<std::string>{"Các bộ, cơ quan ngang bộ",
                                                   "UBND các tỉnh, thành phố trực thuộc TW"}));
  EXPECT_TRUE(h.response_for.empty());
  ASSERT_EQ(m->trace.trace_headers.size(), 1u);
  EXPECT_EQ(m->trace.trace_headers[0].organ_id, "000.00.00.G22");
  EXPECT_EQ(m->trace.trace_headers[0].timestamp, "2015/09/30 16:45:10");
  ASSERT_TRUE(m->trace.bussiness);
  EXPECT_EQ(m->trace.bussiness->bussiness_doc_type, 0);
  EXPECT_EQ(m->trace.bussiness->bussiness_doc_reason, "Văn bản điện tử mới");
  EXPECT_EQ(m->trace.bussiness->paper, "0");
  EXPECT_EQ(m->trace.bussiness->staff_info.staff, "Trần Thị B");
  EXPECT_EQ(m->trace.bussiness->staff_info.mobile, "0912000001");
  EXPECT_FALSE(m->trace.bussiness->bussiness_document_info);
  ASSERT_EQ(m->manifest.size(), 2u);
  EXPECT_EQ(m->manifest[0].content_id, "cid:209");
  EXPECT_EQ(m->manifest[0].content_type, "text/plain");
  EXPECT_EQ(m->manifest[0].attachment_name, "7816_VPCP-TTĐT.txt");
  EXPECT_EQ(m->manifest[1].content_id, "cid:210");
  EXPECT_EQ(m->manifest[1].description, "Phụ lục");
  ASSERT_EQ(m->attachments.size(), 2u);
  EXPECT_EQ(m->attachments[0].content_id, "cid:209");
  EXPECT_EQ(m->attachments[0].bytes, testing::kFirstAttachment);  // base64 across two lines
  EXPECT_EQ(m->attachments[1].content_type, "application/pdf");
  EXPECT_EQ(m->attachments[1].bytes, testing::kSecondAttachment);
  EXPECT_TRUE(validate(*m)) << validate(*m).error().detail;
}

TEST(EdxmlParse, WriteThenParseGivesTheSameMessage) {
  auto m = parse_edxml(sample_edxml());
  ASSERT_TRUE(m);
  auto again = parse_edxml(to_edxml(*m));
  ASSERT_TRUE(again) << again.error().detail;
  EXPECT_EQ(*again, *m);

  // Text that needs escaping, surrounding spaces, CR, the optional blocks and lists.
  EdxmlMessage built = *m;
  built.header.subject = "  a < b && c > d ]]> \"q\" 'x'\r\nline two\t";
  built.header.response_for.push_back(
      {"000.00.00.H20", "12/UBND-VP", "2015/09/01", "000.00.00.H20,2015/09/01,12/UBND-VP"});
  built.trace.bussiness->bussiness_document_info =
      BussinessDocumentInfo{"info", "receiver", {{1, "001.00.10.H47"}, {0, "000.00.00.H20"}}};
  built.trace.bussiness->replacement_info_list.push_back(
      {"000.00.00.G22,2015/09/29,7800/VPCP-TTĐT", {"000.00.00.H20", "001.00.10.H47"}});
  built.attachments[1].bytes = std::string(1000, '\0') + "\xff";
  auto parsed = parse_edxml(to_edxml(built));
  ASSERT_TRUE(parsed) << parsed.error().detail;
  EXPECT_EQ(*parsed, built);
  EXPECT_NE(*parsed, *m);  // the comparison sees the changes
}

TEST(EdxmlParse, WriterLayout) {
  auto m = parse_edxml(sample_edxml());
  ASSERT_TRUE(m);
  const std::string out = to_edxml(*m);
  EXPECT_THAT(out, HasSubstr("<edXML xmlns=\"http://www.mic.gov.vn/TBT/QCVN_102_2016\">"));
  EXPECT_THAT(out, HasSubstr("<edXML:edXMLEnvelope "
                             "xmlns:edXML=\"http://www.mic.gov.vn/TBT/QCVN_102_2016\">"));
  EXPECT_THAT(out, HasSubstr("&lt;đợt 2&gt;"));
  EXPECT_LT(out.find("</edXML:edXMLEnvelope>"), out.find("<AttachmentEncoded>"));
  EXPECT_THAT(out, HasSubstr("<edXML:ContentTransferEncoded xmlns:edXML="));
  EXPECT_THAT(out, HasSubstr("JVBERi0xLjQKAAEC//4="));
  // Invalid UTF-8 in a field still gives well-formed XML (validate() refuses it first).
  m->header.content = "bad \xC3 byte";
  auto parsed = parse_edxml(to_edxml(*m));
  ASSERT_TRUE(parsed) << parsed.error().detail;
  EXPECT_EQ(parsed->header.content, "bad \xEF\xBF\xBD byte");
}

TEST(EdxmlParse, DoctypeAndEntitiesRefused) {
  const std::string dtd = "<?xml version=\"1.0\"?>\n<!DOCTYPE edXML [<!ENTITY x \"boom\">]>\n" +
                          sample_edxml().substr(sample_edxml().find("<edXML "));
  EXPECT_EQ(error_of(parse_edxml(dtd)).code, ErrorCode::kXmlDtdRefused);
  EXPECT_EQ(
      error_of(parse_edxml_status("<!DOCTYPE edXML SYSTEM \"file:///etc/passwd\"><edXML/>")).code,
      ErrorCode::kXmlDtdRefused);
  EXPECT_EQ(error_of(parse_edxml(replace(sample_edxml(), "Hà Nội<", "&x;<"))).code,
            ErrorCode::kXmlMalformed);  // an undeclared entity is not well-formed
}

TEST(EdxmlParse, OversizedDocumentRefused) {
  EdxmlLimits limits;
  limits.max_document_bytes = sample_edxml().size() - 1;
  const auto e = error_of(parse_edxml(sample_edxml(), limits));
  EXPECT_EQ(e.code, ErrorCode::kXmlLimitExceeded);
  EXPECT_THAT(e.detail, HasSubstr("exceeds the limit"));
  limits.max_document_bytes = sample_edxml().size();
  EXPECT_TRUE(parse_edxml(sample_edxml(), limits));
}

TEST(EdxmlParse, OversizedAttachmentRefused) {
  const size_t first = testing::kFirstAttachment.size();
  ASSERT_GT(first, testing::kSecondAttachment.size());
  EdxmlLimits limits;
  limits.max_attachment_bytes = first - 1;
  const auto e = error_of(parse_edxml(testing::sample_edxml(), limits));
  EXPECT_EQ(e.code, ErrorCode::kXmlLimitExceeded);
  EXPECT_THAT(e.detail, HasSubstr("AttachmentEncoded/Attachment[1]/ContentTransferEncoded: "
                                  "attachment of " +
                                  std::to_string(first) + " bytes exceeds the limit of " +
                                  std::to_string(first - 1)));
  limits.max_attachment_bytes = first;
  EXPECT_TRUE(parse_edxml(testing::sample_edxml(), limits));
}

// At the default limits: a scanned document of 12 MiB (16 MiB of base64, one text node beyond
// libxml2's own 10 MB cap) is read and signed; one over the 20 MiB attachment limit is refused
// as a limit, not as malformed XML.
TEST(EdxmlParse, LargeAttachmentsUpToTheLimitAreRead) {
  auto m = parse_edxml(sample_edxml());
  ASSERT_TRUE(m);
  m->attachments[1].bytes = std::string(size_t{12} << 20, '\x5a');
  const std::string big = to_edxml(*m);
  ASSERT_GT(big.size(), size_t{16} << 20);
  auto parsed = parse_edxml(big);
  ASSERT_TRUE(parsed) << parsed.error().detail;
  EXPECT_EQ(parsed->attachments[1].bytes.size(), size_t{12} << 20);
  m->attachments[1].bytes = std::string((size_t{20} << 20) + 1, '\x5a');
  const auto e = error_of(parse_edxml(to_edxml(*m)));
  EXPECT_EQ(e.code, ErrorCode::kXmlLimitExceeded) << e.detail;
  EXPECT_THAT(e.detail, HasSubstr("Attachment[2]"));
}

TEST(EdxmlParse, TooManyAttachmentsOrRecipientsRefused) {
  EdxmlLimits limits;
  limits.max_attachments = 1;
  auto e = error_of(parse_edxml(sample_edxml(), limits));
  EXPECT_EQ(e.code, ErrorCode::kXmlLimitExceeded);
  EXPECT_THAT(e.detail, HasSubstr("edXMLManifest/Reference: more than 1 element"));
  limits = {};
  limits.max_recipients = 1;
  e = error_of(parse_edxml(sample_edxml(), limits));
  EXPECT_EQ(e.code, ErrorCode::kXmlLimitExceeded);
  EXPECT_THAT(e.detail, HasSubstr("MessageHeader/To: more than 1 element"));
  limits.max_recipients = 2;
  EXPECT_TRUE(parse_edxml(sample_edxml(), limits));
}

TEST(EdxmlParse, BadBase64Refused) {
  for (const char* bad : {"JVBERi0xLjQKAAEC//4",      // length not a multiple of 4
                          "JVBERi0xLjQKAAEC//4==",    // too much padding
                          "JVBE*i0xLjQKAAEC//4=",     // outside the alphabet
                          "JVBERi0xLjQKAAEC-_4=",     // base64url's alphabet
                          "JV=ERi0xLjQKAAEC//4=",     // padding inside
                          "JVBERi0xLjQKAAEC//5="}) {  // non-zero trailing bits
    const auto e = error_of(parse_edxml(replace(sample_edxml(), "JVBERi0xLjQKAAEC//4=", bad)));
    EXPECT_EQ(e.code, ErrorCode::kBadRequest) << bad;
    EXPECT_THAT(e.detail, HasSubstr("Attachment[2]/ContentTransferEncoded: not base64")) << bad;
  }
}

TEST(EdxmlParse, WrongNamespaceRefused) {
  auto e = error_of(parse_edxml(
      replace(sample_edxml(), "<edXML xmlns=\"http://www.mic.gov.vn/TBT/QCVN_102_2016\"",
              "<edXML xmlns=\"http://www.mic.gov.vn/TBT/QCVN_102_2015\"")));
  EXPECT_EQ(e.code, ErrorCode::kBadRequest);
  EXPECT_THAT(e.detail, HasSubstr("edXML: root element in namespace "
                                  "'http://www.mic.gov.vn/TBT/QCVN_102_2015'"));
  e = error_of(parse_edxml(
      replace(sample_edxml(),
              "<edXML:edXMLEnvelope xmlns:edXML=\"http://www.mic.gov.vn/TBT/QCVN_102_2016\"",
              "<edXML:edXMLEnvelope xmlns:edXML=\"urn:other\"")));
  EXPECT_EQ(e.code, ErrorCode::kBadRequest);
  EXPECT_THAT(e.detail, HasSubstr("edXML/edXMLEnvelope: in namespace 'urn:other'"));
  e = error_of(parse_edxml("<edXML><edXMLEnvelope/></edXML>"));
  EXPECT_EQ(e.code, ErrorCode::kBadRequest);
}

TEST(EdxmlParse, UnknownOrMisplacedElementsRefusedByName) {
  auto e = error_of(parse_edxml(
      replace(sample_edxml(), "<edXML:Content>", "<edXML:Secret>x</edXML:Secret><edXML:Content>")));
  EXPECT_EQ(e.code, ErrorCode::kBadRequest);
  EXPECT_EQ(e.detail, "edXML/edXMLEnvelope/edXMLHeader/MessageHeader: unknown element 'Secret'");
  e = error_of(parse_edxml(replace(sample_edxml(), "<edXML:Subject>",
                                   "<edXML:DueDate>2015/10/15</edXML:DueDate><edXML:Subject>")));
  EXPECT_THAT(e.detail, HasSubstr("MessageHeader/Subject: out of order"));
  e = error_of(parse_edxml(replace(sample_edxml(), "<edXML:Subject>", "<edXML:Subject><b/>")));
  EXPECT_THAT(e.detail, HasSubstr("MessageHeader/Subject: expected text, found element 'b'"));
  e = error_of(parse_edxml(replace(sample_edxml(), "<edXML:Priority>1<", "<edXML:Priority>x<")));
  EXPECT_THAT(e.detail, HasSubstr("OtherInfo/Priority: 'x' is not an integer"));
  e = error_of(parse_edxml(
      replace(sample_edxml(), "<edXML:MessageHeader>", "stray text<edXML:MessageHeader>")));
  EXPECT_THAT(e.detail, HasSubstr("edXMLHeader: text where only elements are expected"));
  // A Status is not a message, and the other way round.
  EXPECT_THAT(error_of(parse_edxml(sample_status("01"))).detail,
              HasSubstr("edXMLHeader: unknown element 'Status'"));
  EXPECT_THAT(error_of(parse_edxml_status(sample_edxml())).detail,
              HasSubstr("edXMLHeader: unknown element 'MessageHeader'"));
}

TEST(EdxmlStatus, EveryValidCodeAcceptedAndRoundTrips) {
  for (const char* code : {"01", "02", "03", "04", "05", "06", "13", "15", "16"}) {
    auto s = parse_edxml_status(sample_status(code));
    ASSERT_TRUE(s) << code << ": " << s.error().detail;
    EXPECT_EQ(s->status_code, code);
    EXPECT_EQ(s->from.organ_id, "000.00.00.H20");
    EXPECT_EQ(s->response_for.document_id, "000.00.00.G22,2015/09/30,7816/VPCP-TTĐT");
    EXPECT_EQ(s->response_for.code, "7816/VPCP-TTĐT");
    EXPECT_EQ(s->timestamp, "2015/09/30 17:02:00");
    EXPECT_EQ(s->staff_info.staff, "Lê Văn C");
    EXPECT_TRUE(validate(*s)) << code;
    auto again = parse_edxml_status(to_edxml(*s));
    ASSERT_TRUE(again) << again.error().detail;
    EXPECT_EQ(*again, *s);
  }
}

TEST(EdxmlStatus, CodesOutsideTheSetRefused) {
  for (const char* code : {"07", "14", "00", "17", "1", "", "12"}) {
    const auto e = error_of(parse_edxml_status(sample_status(code)));
    EXPECT_EQ(e.code, ErrorCode::kBadRequest) << code;
    EXPECT_THAT(e.detail,
                HasSubstr("StatusCode: '" + std::string(code) + "' is not a status code"));
    EdxmlStatus s = *parse_edxml_status(sample_status("01"));
    s.status_code = code;
    EXPECT_FALSE(validate(s)) << code;
  }
}

}  // namespace

// schemas/xml/edxml.xsd documents the shape the reader accepts: the sample validates against
// it through the same safe parse, and documents the reader refuses do not.
namespace {

bool schema_valid(const std::string& document) {
  std::ifstream in(std::string(LIENTHONG_SOURCE_DIR) + "/schemas/xml/edxml.xsd");
  const std::string xsd((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_FALSE(xsd.empty());
  xmlSchemaParserCtxtPtr parser =
      xmlSchemaNewMemParserCtxt(xsd.data(), static_cast<int>(xsd.size()));
  xmlSchemaPtr schema = xmlSchemaParse(parser);
  xmlSchemaFreeParserCtxt(parser);
  EXPECT_NE(schema, nullptr);
  if (schema == nullptr) return false;
  auto doc =
      crypto::parse_untrusted_xml(document, EdxmlLimits{}.xml(), crypto::IdAttribute::defaults());
  bool valid = false;
  if (doc) {
    xmlSchemaValidCtxtPtr ctxt = xmlSchemaNewValidCtxt(schema);
    xmlSchemaSetValidErrors(ctxt, nullptr, nullptr, nullptr);
    valid = xmlSchemaValidateDoc(ctxt, doc->get()) == 0;
    xmlSchemaFreeValidCtxt(ctxt);
  }
  xmlSchemaFree(schema);
  return valid;
}

TEST(EdxmlSchema, AgreesWithTheReader) {
  EXPECT_TRUE(schema_valid(sample_edxml()));
  EXPECT_TRUE(schema_valid(sample_status("13")));
  auto m = parse_edxml(sample_edxml());
  ASSERT_TRUE(m);
  EXPECT_TRUE(schema_valid(to_edxml(*m)));
  EXPECT_FALSE(schema_valid(sample_status("07")));
  EXPECT_FALSE(schema_valid(
      replace(sample_edxml(), "<edXML:Content>", "<edXML:Secret>x</edXML:Secret><edXML:Content>")));
  EXPECT_FALSE(schema_valid(replace(sample_edxml(), "<edXML:Subject>",
                                    "<edXML:DueDate>2015/10/15</edXML:DueDate><edXML:Subject>")));
}

}  // namespace
}  // namespace lienthong::edxml
