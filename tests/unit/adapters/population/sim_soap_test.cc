#include "adapters/population/sim_soap.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "gateway/crypto/xml_nodes.h"
#include "gateway/crypto/canonical_signer.h"
#include "gateway/crypto/xml_verifier.h"
#include "tests/support/test_pki.h"

namespace lienthong::population::sim {
namespace {

using ::testing::HasSubstr;
namespace xml = crypto::xml;

struct RequestFields {
  std::string request_id = "7c9e6679-7425-40de-944b-e07fc1f90ae7";
  std::string officer_id = "001080000123";
  std::string account = "canbo.mc01";
  std::string personal_id = "001092000123";
  std::string extra;  // more children of dan:TraCuuThongTinCongDan
};

std::string request_xml(const RequestFields& f) {
  auto element = [](const char* name, const std::string& value) {
    return value.empty() ? std::string()
                         : "<dan:" + std::string(name) + ">" + value + "</dan:" + name + ">";
  };
  return "<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\" "
         "xmlns:dan=\"http://dancuquocgia.bca\"><soapenv:Header/><soapenv:Body>"
         "<dan:TraCuuThongTinCongDan>" +
         element("MaYeuCau", f.request_id) + "<dan:MaDVC>1.001234</dan:MaDVC>" +
         "<dan:MaTichHop>037</dan:MaTichHop>" + element("MaCanBo", f.officer_id) +
         "<dan:MaDonVi>000.00.00.H20</dan:MaDonVi>" + element("TaiKhoan", f.account) +
         element("SoDinhDanh", f.personal_id) + f.extra +
         "</dan:TraCuuThongTinCongDan></soapenv:Body></soapenv:Envelope>";
}

const CitizenDataset& dataset() {
  static const CitizenDataset data;
  return data;
}

TEST(SimSoap, ParsesTheRequest) {
  RequestFields f;
  f.extra =
      "<dan:HoVaTen>  Nguyễn   Văn An </dan:HoVaTen><dan:NgayThangNamSinh><dan:Nam>1992</dan:Nam>"
      "<dan:NgayThangNam>19921122</dan:NgayThangNam></dan:NgayThangNamSinh>";
  auto r = parse_lookup_request(request_xml(f));
  ASSERT_TRUE(r) << r.error().detail;
  EXPECT_EQ(r->request_id, f.request_id);
  EXPECT_EQ(r->service_code, "1.001234");
  EXPECT_EQ(r->integration_code, "037");
  EXPECT_EQ(r->officer_id, "001080000123");
  EXPECT_EQ(r->organ_code, "000.00.00.H20");
  EXPECT_EQ(r->officer_account, "canbo.mc01");
  EXPECT_EQ(r->personal_id, "001092000123");
  EXPECT_EQ(r->full_name, "Nguyễn Văn An");
  EXPECT_EQ(r->birth_year, "1992");
  EXPECT_EQ(r->birth_date, "19921122");
}

TEST(SimSoap, OptionalFieldsMayBeAbsent) {
  auto r = parse_lookup_request(request_xml({}));
  ASSERT_TRUE(r) << r.error().detail;
  EXPECT_FALSE(r->full_name);
  EXPECT_FALSE(r->birth_year);
  EXPECT_FALSE(r->birth_date);
}

TEST(SimSoap, RequiredFieldsAreRequired) {
  const std::pair<std::string, std::string RequestFields::*> required[] = {
      {"MaYeuCau", &RequestFields::request_id},
      {"MaCanBo", &RequestFields::officer_id},
      {"TaiKhoan", &RequestFields::account},
      {"SoDinhDanh", &RequestFields::personal_id},
  };
  for (const auto& [name, member] : required) {
    RequestFields f;
    f.*member = "";
    auto r = parse_lookup_request(request_xml(f));
    ASSERT_FALSE(r) << name;
    EXPECT_EQ(r.error().code, ErrorCode::kBadRequest);
    EXPECT_EQ(r.error().detail, "missing " + name);
    // Present but blank is missing too.
    f.extra = "<dan:" + name + ">  </dan:" + name + ">";
    r = parse_lookup_request(request_xml(f));
    ASSERT_FALSE(r) << name;
    EXPECT_EQ(r.error().detail, "missing " + name);
  }
}

TEST(SimSoap, RefusesDtdsMalformedXmlAndOtherShapes) {
  auto dtd = parse_lookup_request("<!DOCTYPE x [<!ENTITY e \"boom\">]>" + request_xml({}));
  ASSERT_FALSE(dtd);
  EXPECT_EQ(dtd.error().code, ErrorCode::kXmlDtdRefused);

  auto broken = parse_lookup_request(request_xml({}).substr(0, 120));
  ASSERT_FALSE(broken);
  EXPECT_EQ(broken.error().code, ErrorCode::kXmlMalformed);

  auto big = parse_lookup_request(request_xml({}) + std::string(70 << 10, ' '));
  ASSERT_FALSE(big);
  EXPECT_EQ(big.error().code, ErrorCode::kXmlLimitExceeded);

  std::string other_ns = request_xml({});
  other_ns.replace(other_ns.find("http://dancuquocgia.bca"), 23, "urn:not-the-population-db");
  auto wrong = parse_lookup_request(other_ns);
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().code, ErrorCode::kBadRequest);

  auto not_soap = parse_lookup_request("<TraCuuThongTinCongDan/>");
  ASSERT_FALSE(not_soap);
  EXPECT_THAT(not_soap.error().detail, HasSubstr("Envelope"));

  RequestFields twice;
  twice.extra = "<dan:SoDinhDanh>079203000001</dan:SoDinhDanh>";
  auto duplicate = parse_lookup_request(request_xml(twice));
  ASSERT_FALSE(duplicate);
  EXPECT_EQ(duplicate.error().detail, "duplicate SoDinhDanh");

  std::string other_api = request_xml({});
  other_api.replace(other_api.find(">037<"), 5, ">036<");
  auto api = parse_lookup_request(other_api);
  ASSERT_FALSE(api);
  EXPECT_THAT(api.error().detail, HasSubstr("037"));

  RequestFields bad_date;
  bad_date.extra =
      "<dan:NgayThangNamSinh><dan:NgayThangNam>1992-11-22</dan:NgayThangNam>"
      "</dan:NgayThangNamSinh>";
  EXPECT_FALSE(parse_lookup_request(request_xml(bad_date)));
}

TEST(SimSoap, OptionalNameAndBirthDateMustMatch) {
  const Citizen c = dataset().at(42);
  LookupRequest r;
  r.personal_id = c.personal_id;
  EXPECT_TRUE(matches(c, r));
  r.full_name = c.name.full();
  r.birth_year = c.birth_date.substr(0, 4);
  r.birth_date = c.birth_date;
  EXPECT_TRUE(matches(c, r));
  LookupRequest wrong_name = r;
  wrong_name.full_name = c.name.full() + "x";
  EXPECT_FALSE(matches(c, wrong_name));
  LookupRequest wrong_year = r;
  wrong_year.birth_year = std::to_string(c.birth_year + 1);
  EXPECT_FALSE(matches(c, wrong_year));
  LookupRequest wrong_date = r;
  wrong_date.birth_date =
      std::to_string(c.birth_year) + (c.birth_date.substr(4) == "0101" ? "0102" : "0101");
  EXPECT_FALSE(matches(c, wrong_date));
}

TEST(SimSoap, CollectionIdIsAnNcName) {
  EXPECT_EQ(collection_id("7c9e6679-7425"), "cd-7c9e6679-7425");
  EXPECT_EQ(collection_id("a b<c>&\"d'é.f_g"), "cd-abcd.f_g");
  EXPECT_EQ(collection_id(""), "cd-");
  EXPECT_EQ(collection_id(std::string(200, 'x')).size(), 3u + 64u);
}

TEST(SimSoap, ResponseIsWellFormedAndCarriesTheRecord) {
  const Citizen c = dataset().at(3);
  LookupRequest r;
  r.request_id = "req<&>1";
  r.personal_id = c.personal_id;
  const std::string doc = render_response(r, &c, *parse_utc_time("2026-07-01T08:00:00Z"));
  EXPECT_THAT(doc, HasSubstr("Id=\"cd-req1\""));
  EXPECT_THAT(doc, HasSubstr("<ns1:MaYeuCau>req&lt;&amp;&gt;1</ns1:MaYeuCau>"));
  EXPECT_THAT(doc, HasSubstr("<ns1:ThoiDiemDuLieu>2026-07-01T08:00:00Z</ns1:ThoiDiemDuLieu>"));
  EXPECT_THAT(doc, HasSubstr("<ns1:SoDinhDanh>" + c.personal_id + "</ns1:SoDinhDanh>"));
  EXPECT_THAT(doc, HasSubstr("<ns1:HoVaTen><ns1:Ho>" + c.name.family + "</ns1:Ho>"));
  EXPECT_THAT(doc, HasSubstr("<ns1:NgayThangNam>" + c.birth_date + "</ns1:NgayThangNam>"));
  EXPECT_THAT(doc, HasSubstr("<ns1:ChiTiet>" + c.permanent_residence.detail + "</ns1:ChiTiet>"));
  EXPECT_THAT(doc, HasSubstr("<ns1:QuocGia>VN</ns1:QuocGia>"));
  auto parsed = crypto::parse_untrusted_xml(doc, {}, crypto::IdAttribute::defaults());
  ASSERT_TRUE(parsed) << parsed.error().detail;

  const std::string none = render_response(r, nullptr, *parse_utc_time("2026-07-01T08:00:00Z"));
  EXPECT_THAT(none, ::testing::Not(HasSubstr("CongDan>")));
  EXPECT_TRUE(crypto::parse_untrusted_xml(none, {}, crypto::IdAttribute::defaults()));
}

TEST(SimSoap, FaultIsSoap11) {
  const std::string fault = render_fault("soapenv:Client", "BAD_REQUEST", "missing <MaYeuCau>");
  auto doc = crypto::parse_untrusted_xml(fault, {}, {});
  ASSERT_TRUE(doc) << doc.error().detail;
  const xmlNode* body = xml::first_element(xmlDocGetRootElement(doc->get()));
  const xmlNode* f = xml::first_element(body);
  ASSERT_TRUE(xml::is(f, kSoapEnvelopeNs, "Fault"));
  EXPECT_EQ(xml::text(xml::first_element(f)), "soapenv:Client");
  EXPECT_EQ(xml::text(xml::next_element(xml::first_element(f))), "missing <MaYeuCau>");
  EXPECT_THAT(fault, HasSubstr("SIMULATOR"));
}

// The adapter's side of the contract: verify with XmlDsigVerifier under the strict policy and
// the dev PKI trust, then read only the node the Reference covers. Signed as the simulator
// signs (CanonicalXmlSigner::sign_element over render_collection); the adapter's own tests
// verify answers signed by xmlsec.
class SignedResponseTest : public ::testing::TestWithParam<std::string> {
 protected:
  std::string signed_answer(const LookupRequest& r, const Citizen* c) {
    auto signer =
        crypto::CanonicalXmlSigner::create(testing::identity(GetParam(), "sim-population"));
    if (!signer) throw std::runtime_error(signer.error().detail);
    auto out = (*signer)->sign_element(render_collection(r, c, SystemClock::instance()->now()),
                                       collection_id(r.request_id));
    if (!out) throw std::runtime_error(out.error().detail);
    return wrap_in_envelope(*out);
  }
  Result<crypto::VerifiedXml> verify(const std::string& doc) {
    crypto::XmlVerifierConfig config;
    config.trust = testing::trust_store(GetParam());
    config.policy = &crypto::SignaturePolicy::strict();
    auto verifier = crypto::XmlDsigVerifier::create(std::move(config));
    if (!verifier) throw std::runtime_error(verifier.error().detail);
    return (*verifier)->verify(doc);
  }
};

TEST_P(SignedResponseTest, VerifiesStrictlyAndCoversTheCollection) {
  const Citizen c = dataset().at(1234);
  LookupRequest r;
  r.request_id = "7c9e6679-7425-40de-944b-e07fc1f90ae7";
  r.personal_id = c.personal_id;
  const std::string id = collection_id(r.request_id);
  const std::string signed_doc = signed_answer(r, &c);

  auto verified = verify(signed_doc);
  ASSERT_TRUE(verified) << verified.error().detail;
  EXPECT_THAT(verified->signer, HasSubstr("SIMULATOR"));
  ASSERT_EQ(verified->references.size(), 1u);
  EXPECT_EQ(verified->references[0].uri, "#" + id);
  const xmlNode* covered = verified->references[0].node;
  ASSERT_TRUE(xml::is(covered, kResponseNs, "CongdanCollection"));
  // Read the record from the covered node only.
  const xmlNode* congdan = nullptr;
  for (const xmlNode* n = xml::first_element(covered); n != nullptr; n = xml::next_element(n))
    if (xml::is(n, kResponseNs, "CongDan")) congdan = n;
  ASSERT_NE(congdan, nullptr);
  EXPECT_TRUE(xml::is(xml::first_element(congdan), kResponseNs, "SoDinhDanh"));
  EXPECT_EQ(xml::text(xml::first_element(congdan)), c.personal_id);
  EXPECT_THAT(verified->signed_xml(), HasSubstr(c.name.given));
  EXPECT_THAT(verified->signed_xml(), ::testing::Not(HasSubstr("soapenv:Body")));
}

// The answer is signed as written, so every character the data set can produce must already
// be in canonical form; a sample across the whole data set checks that.
TEST_P(SignedResponseTest, AnswersAcrossTheDataSetVerify) {
  const auto& citizens = dataset();
  for (uint64_t i = 0; i < 400; ++i) {
    const Citizen c = citizens.at(i * 2497 % citizens.size());
    LookupRequest r;
    r.request_id = "sample-" + std::to_string(i);
    r.personal_id = c.personal_id;
    auto verified = verify(signed_answer(r, &c));
    ASSERT_TRUE(verified) << c.personal_id << ": " << verified.error().detail;
  }
}

TEST_P(SignedResponseTest, NotFoundIsSignedToo) {
  LookupRequest r;
  r.request_id = "nf-1";
  const std::string signed_doc = signed_answer(r, nullptr);
  auto verified = verify(signed_doc);
  ASSERT_TRUE(verified) << verified.error().detail;
  EXPECT_THAT(verified->signed_xml(), ::testing::Not(HasSubstr("CongDan")));
}

TEST_P(SignedResponseTest, TamperingBreaksTheSignature) {
  const Citizen c = dataset().at(77);
  LookupRequest r;
  r.request_id = "t-1";
  std::string signed_doc = signed_answer(r, &c);
  ASSERT_TRUE(verify(signed_doc));
  ASSERT_TRUE(tamper_signed_response(signed_doc));
  auto verified = verify(signed_doc);
  ASSERT_FALSE(verified);
  EXPECT_EQ(verified.error().code, ErrorCode::kSignatureInvalid);
}

INSTANTIATE_TEST_SUITE_P(DevPki, SignedResponseTest, ::testing::Values("ec", "rsa"));

TEST(SimAuth, AcceptsTheDigestAndRefusesEverythingElse) {
  const Credentials creds;
  const TimePoint now = *parse_utc_time("2026-07-01T08:00:00Z");
  const auto ms = [](TimePoint t) {
    return std::to_string(
        std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count());
  };
  const std::string ts = ms(now);
  const std::string auth = authorization_header(creds, ts);
  EXPECT_THAT(auth, ::testing::StartsWith("Basic "));
  const auto check = [&](std::string_view timestamp, std::string_view key,
                         std::string_view authorization, std::string_view client) {
    return check_auth(creds, AuthHeaders{timestamp, key, authorization, client}, now,
                      std::chrono::seconds(300));
  };
  EXPECT_TRUE(check(ts, "dev-api-key", auth, "VN/GOV/000.00.00.G22/lienthong"));
  // Inside the window on either side.
  for (int s : {-299, 299}) {
    const std::string t = ms(now + std::chrono::seconds(s));
    EXPECT_TRUE(check(t, "dev-api-key", authorization_header(creds, t), "x")) << s;
  }

  const auto denied = [](const Result<void>& r) {
    return !r && r.error().code == ErrorCode::kAccessDenied;
  };
  EXPECT_TRUE(denied(check(ts, "dev-api-key", auth, "")));
  EXPECT_TRUE(denied(check(ts, "", auth, "x")));
  EXPECT_TRUE(denied(check(ts, "other-key", auth, "x")));
  EXPECT_TRUE(denied(check("", "dev-api-key", auth, "x")));
  EXPECT_TRUE(denied(check("12ab", "dev-api-key", auth, "x")));
  const std::string late = ms(now + std::chrono::seconds(301));
  EXPECT_TRUE(denied(check(late, "dev-api-key", authorization_header(creds, late), "x")));
  // The digest covers the timestamp: the same header with another timestamp fails.
  EXPECT_TRUE(denied(check(ms(now + std::chrono::seconds(1)), "dev-api-key", auth, "x")));
  Credentials wrong_secret = creds;
  wrong_secret.secret = "guess";
  EXPECT_TRUE(denied(check(ts, "dev-api-key", authorization_header(wrong_secret, ts), "x")));
  Credentials wrong_user = creds;
  wrong_user.username = "mallory";
  EXPECT_TRUE(denied(check(ts, "dev-api-key", authorization_header(wrong_user, ts), "x")));
  Credentials wrong_url = creds;
  wrong_url.auth_url = "https://elsewhere/xacthuc";
  EXPECT_TRUE(denied(check(ts, "dev-api-key", authorization_header(wrong_url, ts), "x")));
  EXPECT_TRUE(denied(check(ts, "dev-api-key", "Bearer abc", "x")));
  EXPECT_TRUE(denied(check(ts, "dev-api-key", "Basic !!!!", "x")));
  // Never echo the secret.
  auto r = check(ts, "dev-api-key", authorization_header(wrong_secret, ts), "x");
  EXPECT_THAT(r.error().detail, ::testing::Not(HasSubstr(creds.secret)));
}

}  // namespace
}  // namespace lienthong::population::sim
