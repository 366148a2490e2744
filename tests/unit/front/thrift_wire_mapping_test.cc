// The Thrift front's mapping between the wire (lienthong.thrift) and the internal request.
#include "gateway/front/thrift/wire_mapping.h"

#include <gtest/gtest.h>

#include <functional>
#include <set>
#include <string>

#include "tests/unit/front_thrift/thrift_test_support.h"

namespace lienthong::front::thrift_internal {
namespace {

using lienthong::testing::sample_response;
using lienthong::testing::sample_wire_request;

constexpr int kFirstCode = static_cast<int>(ErrorCode::kBadRequest);
constexpr int kLastCode = static_cast<int>(ErrorCode::kInternal);

TEST(ThriftErrorCodes, EveryCodeMapsToTheWireCodeOfTheSameName) {
  std::set<int> wire_values;
  for (int i = kFirstCode; i <= kLastCode; ++i) {
    const auto code = static_cast<ErrorCode>(i);
    const wire::ErrorCode::type mapped = to_wire(code);
    const auto name = wire::_ErrorCode_VALUES_TO_NAMES.find(mapped);
    ASSERT_NE(name, wire::_ErrorCode_VALUES_TO_NAMES.end()) << error_code_name(code);
    EXPECT_EQ(std::string(name->second), error_code_name(code));
    wire_values.insert(mapped);
  }
  // One to one, and nothing on the wire the gateway cannot say.
  EXPECT_EQ(wire_values.size(), static_cast<size_t>(kLastCode - kFirstCode + 1));
  EXPECT_EQ(wire::_ErrorCode_VALUES_TO_NAMES.size(), wire_values.size());
}

TEST(ThriftErrorCodes, LookupErrorCarriesCodeNameDetailAndRequestId) {
  const auto error = to_wire(Error{ErrorCode::kCertRevoked, "member certificate revoked"}, "ab12");
  EXPECT_EQ(error.code, wire::ErrorCode::CERT_REVOKED);
  EXPECT_EQ(error.codeName, "CERT_REVOKED");
  EXPECT_EQ(error.detail, "member certificate revoked");
  ASSERT_TRUE(error.__isset.requestId);
  EXPECT_EQ(error.requestId, "ab12");

  EXPECT_FALSE(to_wire(Error{ErrorCode::kInternal, "x"}, "").__isset.requestId);
}

TEST(ThriftRequestMapping, CopiesEveryFieldAndTakesTheMemberFromTheConnection) {
  auto in = sample_wire_request();
  in.__set_maxAgeSeconds(600);
  in.__set_fields({"ho_va_ten", "ngay_sinh"});
  in.__set_clientRequestId("bo-tu-phap-42");
  Member member;
  member.organ_code = "000.00.00.G22";

  auto out = from_wire(in, member, "0123456789abcdef0123456789abcdef");
  ASSERT_TRUE(out) << out.error().detail;
  EXPECT_EQ(out->request_id, "0123456789abcdef0123456789abcdef");
  EXPECT_EQ(out->front, "thrift");
  EXPECT_EQ(out->member.organ_code, "000.00.00.G22");
  EXPECT_EQ(out->subject, in.subjectId);
  EXPECT_EQ(out->document_type, "CD01");
  EXPECT_EQ(out->purpose.dossier_code, in.purpose.dossierCode);
  EXPECT_EQ(out->purpose.procedure_code, in.purpose.procedureCode);
  EXPECT_EQ(out->officer.personal_id, in.officer.personalId);
  EXPECT_EQ(out->officer.account, in.officer.account);
  ASSERT_TRUE(out->max_age.has_value());
  EXPECT_EQ(out->max_age->count(), 600);
  EXPECT_EQ(out->fields, (std::vector<std::string>{"ho_va_ten", "ngay_sinh"}));
}

TEST(ThriftRequestMapping, AbsentOptionalsStayAbsent) {
  auto out = from_wire(sample_wire_request(), Member{}, "id");
  ASSERT_TRUE(out);
  EXPECT_FALSE(out->max_age.has_value());
  EXPECT_TRUE(out->fields.empty());
}

TEST(ThriftRequestMapping, ZeroMaxAgeMeansFresh) {
  auto in = sample_wire_request();
  in.__set_maxAgeSeconds(0);
  auto out = from_wire(in, Member{}, "id");
  ASSERT_TRUE(out);
  ASSERT_TRUE(out->max_age.has_value());
  EXPECT_EQ(out->max_age->count(), 0);
}

TEST(ThriftRequestMapping, NegativeMaxAgeIsBadRequest) {
  auto in = sample_wire_request();
  in.__set_maxAgeSeconds(-1);
  auto out = from_wire(in, Member{}, "id");
  ASSERT_FALSE(out);
  EXPECT_EQ(out.error().code, ErrorCode::kBadRequest);
}

TEST(ThriftRequestMapping, ClientRequestIdUpTo64Characters) {
  auto in = sample_wire_request();
  in.__set_clientRequestId(std::string(64, 'a'));
  EXPECT_TRUE(from_wire(in, Member{}, "id"));
  in.__set_clientRequestId(std::string(65, 'a'));
  auto out = from_wire(in, Member{}, "id");
  ASSERT_FALSE(out);
  EXPECT_EQ(out.error().code, ErrorCode::kBadRequest);
  EXPECT_NE(out.error().detail.find("clientRequestId"), std::string::npos);
}

TEST(ThriftResponseMapping, RecordFieldsInOrderAndTimesInUtc) {
  LookupRequest request;
  request.request_id = "rid";
  request.subject = "001203004510";
  request.document_type = "CD01";
  const LookupResponse response = sample_response(request);

  const wire::LookupResponse out = to_wire(response);
  EXPECT_EQ(out.requestId, "rid");
  EXPECT_TRUE(out.fromCache);
  EXPECT_EQ(out.signedEnvelope, response.envelope);
  EXPECT_EQ(out.record.code, "001203004510.CD01");
  EXPECT_EQ(out.record.subjectId, "001203004510");
  EXPECT_EQ(out.record.documentType, "CD01");
  EXPECT_EQ(out.record.source, "population");
  EXPECT_EQ(out.record.verifiedAt, "2026-11-22T08:15:30Z");
  EXPECT_EQ(out.record.expiresAt, "2027-11-22T08:15:30Z");
  ASSERT_EQ(out.record.fields.size(), response.record.fields.size());
  for (size_t i = 0; i < out.record.fields.size(); ++i) {
    EXPECT_EQ(out.record.fields[i].name, response.record.fields[i].first);
    EXPECT_EQ(out.record.fields[i].value, response.record.fields[i].second);
  }
}

TEST(ThriftRequestMapping, SignedRequestMustSayWhatThePlainFieldsSay) {
  auto plain = from_wire(sample_wire_request(), Member{}, "req-1");
  ASSERT_TRUE(plain);
  LookupRequest same = *plain;
  EXPECT_TRUE(check_same_request(*plain, same));
  const std::vector<std::pair<std::string, std::function<void(LookupRequest&)>>> changes = {
      {"subjectId", [](LookupRequest& r) { r.subject = "079085000111"; }},
      {"documentType", [](LookupRequest& r) { r.document_type = "CD02"; }},
      {"purpose", [](LookupRequest& r) { r.purpose.dossier_code += "9"; }},
      {"officer", [](LookupRequest& r) { r.officer.account = "other"; }},
      {"maxAgeSeconds", [](LookupRequest& r) { r.max_age = std::chrono::seconds(1); }},
      {"fields", [](LookupRequest& r) { r.fields.push_back("ngay_sinh"); }},
      {"clientRequestId", [](LookupRequest& r) { r.client_request_id = "x"; }},
  };
  for (const auto& [name, change] : changes) {
    LookupRequest differs = *plain;
    change(differs);
    auto checked = check_same_request(*plain, differs);
    ASSERT_FALSE(checked) << name;
    EXPECT_EQ(checked.error().detail, name + " differs from the signed request in jws");
  }
}

}  // namespace
}  // namespace lienthong::front::thrift_internal
