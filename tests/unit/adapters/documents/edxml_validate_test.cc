#include "adapters/documents/edxml_validate.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>
#include <string>

#include "adapters/documents/edxml_parse.h"
#include "tests/unit/adapters/documents/sample_envelope.h"

namespace lienthong::edxml {
namespace {

// n Vietnamese characters of 3 UTF-8 bytes each: the limits count characters, not bytes.
std::string chars(size_t n) {
  std::string s;
  for (size_t i = 0; i < n; ++i) s += "ệ";
  return s;
}

EdxmlMessage sample() {
  auto m = parse_edxml(testing::sample_edxml());
  if (!m) ADD_FAILURE() << m.error().detail;
  return m ? *m : EdxmlMessage{};
}

// Applies one change to the valid sample; validate must refuse it with exactly `detail`.
void expect_refused(const std::function<void(EdxmlMessage&)>& change, const std::string& detail) {
  EdxmlMessage m = sample();
  ASSERT_TRUE(validate(m));
  change(m);
  auto r = validate(m);
  ASSERT_FALSE(r) << "accepted; expected: " << detail;
  EXPECT_EQ(r.error().code, ErrorCode::kBadRequest);
  EXPECT_EQ(r.error().detail, detail);
}

void expect_accepted(const std::function<void(EdxmlMessage&)>& change) {
  EdxmlMessage m = sample();
  change(m);
  auto r = validate(m);
  EXPECT_TRUE(r) << r.error().detail;
}

TEST(EdxmlValidate, SubjectRequiredAndAtMost500Characters) {
  expect_refused([](auto& m) { m.header.subject = ""; }, "MessageHeader/Subject: missing");
  expect_refused([](auto& m) { m.header.subject = " \n "; }, "MessageHeader/Subject: missing");
  expect_refused([](auto& m) { m.header.subject = chars(501); },
                 "MessageHeader/Subject: 501 characters, at most 500");
  expect_accepted([](auto& m) { m.header.subject = chars(500); });  // 1500 bytes
  expect_refused([](auto& m) { m.header.subject = "bad \xC3"; },
                 "MessageHeader/Subject: not valid UTF-8");
}

TEST(EdxmlValidate, FieldLengths) {
  expect_refused([](auto& m) { m.header.content = chars(501); },
                 "MessageHeader/Content: 501 characters, at most 500");
  expect_accepted([](auto& m) { m.header.content = chars(500); });
  expect_refused([](auto& m) { m.header.to_places[1] = chars(151); },
                 "MessageHeader/ToPlaces/Place[2]: 151 characters, at most 150");
  expect_accepted([](auto& m) { m.header.to_places[1] = chars(150); });
  expect_refused([](auto& m) { m.header.other_info.appendixes[0] = chars(251); },
                 "MessageHeader/OtherInfo/Appendixes/Appendix[1]: 251 characters, at most 250");
  expect_accepted([](auto& m) { m.header.other_info.appendixes[0] = chars(250); });
  expect_refused([](auto& m) { m.manifest[1].attachment_name = chars(201); },
                 "edXMLManifest/Reference[2]/AttachmentName: 201 characters, at most 200");
  expect_refused([](auto& m) { m.attachments[0].attachment_name = chars(201); },
                 "AttachmentEncoded/Attachment[1]/AttachmentName: 201 characters, at most 200");
  expect_accepted([](auto& m) { m.attachments[0].attachment_name = chars(200); });
}

TEST(EdxmlValidate, Recipients) {
  expect_refused([](auto& m) { m.header.to.clear(); }, "MessageHeader/To: at least one recipient");
  expect_refused([](auto& m) { m.header.to[1].organ_id = m.header.to[0].organ_id; },
                 "MessageHeader/To[2]/OrganId: '000.00.00.H20' is already a recipient");
}

TEST(EdxmlValidate, OrganCodes) {
  expect_refused([](auto& m) { m.header.to[0].organ_id = "28.22.H17"; },
                 "MessageHeader/To[1]/OrganId: '28.22.H17': organ code must have the form "
                 "NNN.NN.NN.ANN");
  expect_refused([](auto& m) { m.header.to[1].organ_id = "001.00.10.h47"; },
                 "MessageHeader/To[2]/OrganId: '001.00.10.h47': organ code must have the form "
                 "NNN.NN.NN.ANN");
  expect_refused([](auto& m) { m.header.from.organ_id = ""; },
                 "MessageHeader/From/OrganId: missing");
  expect_refused([](auto& m) { m.trace.trace_headers[0].organ_id = "000.00.00.G2"; },
                 "TraceHeaderList/TraceHeader[1]/OrganId: '000.00.00.G2': organ code must have "
                 "the form NNN.NN.NN.ANN");
}

TEST(EdxmlValidate, DocumentIdShapeAndConsistency) {
  expect_refused([](auto& m) { m.header.code.code_number = "7817"; },
                 "MessageHeader/DocumentId: '000.00.00.G22,2015/09/30,7816/VPCP-TTĐT' does not "
                 "match From/OrganId, PromulgationInfo/PromulgationDate and Code "
                 "('000.00.00.G22,2015/09/30,7817/VPCP-TTĐT' expected)");
  expect_refused([](auto& m) { m.header.document_id = "000.00.00.G22-2015/09/30-7816"; },
                 "MessageHeader/DocumentId: '000.00.00.G22-2015/09/30-7816' is not "
                 "<OrganId>,<yyyy/MM/dd>,<CodeNumber>/<CodeNotation>");
  expect_refused([](auto& m) { m.header.document_id = "000.00.00.G22,30/09/2015,7816/VPCP-TTĐT"; },
                 "MessageHeader/DocumentId: '000.00.00.G22,30/09/2015,7816/VPCP-TTĐT' is not "
                 "<OrganId>,<yyyy/MM/dd>,<CodeNumber>/<CodeNotation>");
  expect_refused([](auto& m) { m.header.document_id = ""; }, "MessageHeader/DocumentId: missing");
  // Another sender's id for the same number is not this document's.
  expect_refused(
      [](auto& m) { m.header.document_id = "000.00.00.H20,2015/09/30,7816/VPCP-TTĐT"; },
      "MessageHeader/DocumentId: '000.00.00.H20,2015/09/30,7816/VPCP-TTĐT' does not match "
      "From/OrganId, PromulgationInfo/PromulgationDate and Code "
      "('000.00.00.G22,2015/09/30,7816/VPCP-TTĐT' expected)");
}

TEST(EdxmlValidate, CalendarDatesAndTimestamps) {
  expect_refused([](auto& m) { m.header.promulgation_info.promulgation_date = "2015/02/29"; },
                 "MessageHeader/PromulgationInfo/PromulgationDate: '2015/02/29' is not a "
                 "calendar date yyyy/MM/dd");
  expect_accepted([](auto& m) {  // a leap day
    m.header.promulgation_info.promulgation_date = "2016/02/29";
    m.header.document_id = "000.00.00.G22,2016/02/29,7816/VPCP-TTĐT";
  });
  expect_refused([](auto& m) { m.header.due_date = "2015/13/01"; },
                 "MessageHeader/DueDate: '2015/13/01' is not a calendar date yyyy/MM/dd");
  expect_refused([](auto& m) { m.header.due_date = "2015-10-15"; },
                 "MessageHeader/DueDate: '2015-10-15' is not a calendar date yyyy/MM/dd");
  expect_accepted([](auto& m) { m.header.due_date = ""; });  // optional
  expect_refused([](auto& m) { m.trace.trace_headers[0].timestamp = "2015/09/30 24:00:00"; },
                 "TraceHeaderList/TraceHeader[1]/Timestamp: '2015/09/30 24:00:00' is not "
                 "yyyy/MM/dd HH:mm:ss");
  expect_refused([](auto& m) { m.trace.trace_headers[0].timestamp = "2015/09/30"; },
                 "TraceHeaderList/TraceHeader[1]/Timestamp: '2015/09/30' is not yyyy/MM/dd "
                 "HH:mm:ss");
  EXPECT_TRUE(is_edxml_timestamp("2015/09/30 23:59:59"));
  EXPECT_FALSE(is_edxml_date("2015/9/30"));
}

TEST(EdxmlValidate, ManifestAndAttachmentsMatchOneToOne) {
  expect_refused([](auto& m) { m.attachments.pop_back(); },
                 "edXMLManifest/Reference[2]: no attachment with ContentId 'cid:210'");
  expect_refused([](auto& m) { m.attachments[1].content_id = "cid:999"; },
                 "AttachmentEncoded/Attachment[2]/ContentId: 'cid:999' is not in the manifest");
  expect_refused([](auto& m) { m.attachments[1].content_id = "cid:209"; },
                 "AttachmentEncoded/Attachment[2]/ContentId: 'cid:209' appears twice");
  expect_refused([](auto& m) { m.manifest[1].content_id = "cid:209"; },
                 "edXMLManifest/Reference[2]/ContentId: 'cid:209' appears twice");
  expect_refused(
      [](auto& m) {
        m.manifest.clear();
        m.attachments.resize(1);
      },
      "AttachmentEncoded/Attachment[1]/ContentId: 'cid:209' is not in the manifest");
  expect_accepted([](auto& m) {
    m.manifest.clear();
    m.attachments.clear();
  });
}

TEST(EdxmlValidate, CodeRanges) {
  expect_refused([](auto& m) { m.trace.bussiness->bussiness_doc_type = 4; },
                 "TraceHeaderList/Bussiness/BussinessDocType: 4 is not in 0..3");
  expect_refused([](auto& m) { m.trace.bussiness->bussiness_doc_type = -1; },
                 "TraceHeaderList/Bussiness/BussinessDocType: -1 is not in 0..3");
  expect_accepted([](auto& m) { m.trace.bussiness->bussiness_doc_type = 3; });
  expect_refused([](auto& m) { m.header.other_info.priority = 5; },
                 "MessageHeader/OtherInfo/Priority: 5 is not in 0..4");
  expect_accepted([](auto& m) { m.header.other_info.priority = 4; });
}

TEST(EdxmlValidate, Utf8Length) {
  EXPECT_EQ(utf8_length("Đồng Tháp"), 9u);
  EXPECT_EQ(utf8_length("\xF0\x9F\x98\x80"), 1u);
  EXPECT_FALSE(utf8_length("\xC0\xAF"));          // overlong
  EXPECT_FALSE(utf8_length("\xED\xA0\x80"));      // surrogate
  EXPECT_FALSE(utf8_length("\xE1\xBB"));          // truncated
  EXPECT_FALSE(utf8_length("\xF4\x90\x80\x80"));  // past U+10FFFF
}

TEST(EdxmlValidate, StatusRules) {
  auto s = parse_edxml_status(testing::sample_status("05"));
  ASSERT_TRUE(s) << s.error().detail;
  EXPECT_TRUE(validate(*s));
  EdxmlStatus bad = *s;
  bad.timestamp = "30/09/2015 17:02:00";
  EXPECT_EQ(validate(bad).error().detail,
            "Status/Timestamp: '30/09/2015 17:02:00' is not yyyy/MM/dd HH:mm:ss");
  bad = *s;
  bad.from.organ_id = "H20";
  EXPECT_EQ(validate(bad).error().detail,
            "Status/From/OrganId: 'H20': organ code must have the form NNN.NN.NN.ANN");
  bad = *s;
  bad.status_code = "14";
  EXPECT_EQ(validate(bad).error().detail,
            "Status/StatusCode: '14' is not a status code (01-06, 13, 15, 16)");
}

}  // namespace
}  // namespace lienthong::edxml
