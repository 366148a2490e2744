#include "adapters/population/adapter.h"

#include <fmt/format.h>

#include "gateway/core/canonical_xml.h"
#include "gateway/core/encoding.h"
#include "gateway/core/identifiers.h"
#include "gateway/crypto/digest_signer.h"
#include "gateway/crypto/openssl_types.h"
#include "gateway/crypto/xml_nodes.h"

namespace lienthong::adapters::population {
namespace xml = crypto::xml;
namespace {

constexpr std::string_view kSoapNs = "http://schemas.xmlsoap.org/soap/envelope/";
constexpr std::string_view kRequestNs = "http://dancuquocgia.bca";
constexpr std::string_view kAnswerNs = "http://www.mic.gov.vn/dancu/1.0";

std::string escape(std::string_view s) {
  std::string out;
  append_escaped_text(s, out);
  return out;
}

const xmlNode* child(const xmlNode* parent, std::string_view ns, std::string_view local) {
  for (const xmlNode* c = xml::first_element(parent); c; c = xml::next_element(c)) {
    if (xml::is(c, ns, local)) return c;
  }
  return nullptr;
}

}  // namespace

Result<void> PopulationConfig::validate() const {
  if (url.rfind("https://", 0) != 0) {
    return fail(ErrorCode::kBadRequest, "population: url must be https://");
  }
  if (username.empty() || secret.empty() || api_key.empty()) {
    return fail(ErrorCode::kBadRequest, "population: username, secret and api_key are required");
  }
  if (ma_dvc.empty() || x_road_client.empty()) {
    return fail(ErrorCode::kBadRequest, "population: ma_dvc and x_road_client are required");
  }
  if (trusted_signers.empty()) {
    return fail(ErrorCode::kBadRequest,
                "population: trusted_signers must name the certificate(s) that sign answers");
  }
  return {};
}

Result<std::shared_ptr<PopulationAdapter>> PopulationAdapter::create(PopulationParts parts) {
  if (!parts.config || !parts.http || !parts.verifier || !parts.mapping || !parts.executor ||
      !parts.clock) {
    return fail(ErrorCode::kInternal, "population adapter: a part is missing");
  }
  if (auto ok = parts.config->validate(); !ok) return tl::unexpected(ok.error());
  const auto& m = *parts.mapping;
  if (m.ns != kAnswerNs || m.record_element != "CongDan") {
    return fail(ErrorCode::kBadRequest,
                fmt::format("{}: population answers are ns1:CongDan in {}", m.source, kAnswerNs));
  }
  for (const char* needed : {"so_dinh_danh", "gioi_tinh", "nam_sinh"}) {
    auto names = m.field_names();
    if (!std::binary_search(names.begin(), names.end(), std::string(needed))) {
      return fail(ErrorCode::kBadRequest,
                  fmt::format("{}: the population mapping must map '{}' (identity checks use it)",
                              m.source, needed));
    }
  }
  return std::shared_ptr<PopulationAdapter>(new PopulationAdapter(std::move(parts)));
}

PopulationAdapter::PopulationAdapter(PopulationParts parts) : parts_(std::move(parts)) {
  types_.push_back(exchange::DocumentTypeSpec{parts_.mapping->document_type,
                                              parts_.mapping->description, parts_.mapping->ttl,
                                              parts_.mapping->field_names()});
}

Result<void> PopulationAdapter::check_subject(std::string_view subject) const {
  auto id = parse_personal_id(subject);
  if (!id) return tl::unexpected(id.error());
  return {};
}

Result<upstream::HttpRequest> PopulationAdapter::build_request(
    const exchange::AdapterQuery& q) const {
  const auto& c = *parts_.config;
  for (std::string_view value : {std::string_view(q.request_id), std::string_view(q.subject),
                                 std::string_view(q.officer.personal_id),
                                 std::string_view(q.officer.account),
                                 std::string_view(q.member_organ_code)}) {
    if (!is_xml_text(value)) return fail(ErrorCode::kBadRequest, "request text is not valid XML");
  }
  std::string body;
  body.reserve(1024);
  body += fmt::format(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
      "<soapenv:Envelope xmlns:soapenv=\"{}\" xmlns:dan=\"{}\"><soapenv:Header/><soapenv:Body>"
      "<dan:TraCuuThongTinCongDan>"
      "<dan:MaYeuCau>{}</dan:MaYeuCau><dan:MaDVC>{}</dan:MaDVC><dan:MaTichHop>037</dan:MaTichHop>"
      "<dan:MaCanBo>{}</dan:MaCanBo><dan:MaDonVi>{}</dan:MaDonVi><dan:TaiKhoan>{}</dan:TaiKhoan>"
      "<dan:SoDinhDanh>{}</dan:SoDinhDanh>"
      "</dan:TraCuuThongTinCongDan></soapenv:Body></soapenv:Envelope>",
      kSoapNs, kRequestNs, escape(q.request_id), escape(c.ma_dvc), escape(q.officer.personal_id),
      escape(q.member_organ_code), escape(q.officer.account), escape(q.subject));

  // Authorization: Basic base64(username:hex(sha256(url_xacthuc + username + timestamp + secret)))
  const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                          parts_.clock->now().time_since_epoch())
                          .count();
  const std::string timestamp = std::to_string(now_ms);
  const std::string material = c.auth_url + c.username + timestamp + c.secret;
  const std::string credentials = c.username + ":" + sha256_hex(material);

  upstream::HttpRequest request;
  request.method = "POST";
  request.url = c.url;
  request.body = std::move(body);
  request.idempotent = true;
  request.headers = {{"Content-Type", "text/xml; charset=utf-8"},
                     {"SOAPAction", "\"\""},
                     {"Timestamp", timestamp},
                     {"ApiKey", c.api_key},
                     {"X-Road-Client", c.x_road_client},
                     {"Authorization", "Basic " + base64_encode(credentials)}};
  return request;
}

void PopulationAdapter::fetch(exchange::AdapterQuery query, exchange::RecordCallback done) {
  auto request = build_request(query);
  if (!request) return done(tl::unexpected(request.error()));
  auto self = shared_from_this();
  auto shared_query = std::make_shared<exchange::AdapterQuery>(std::move(query));
  parts_.http->send(std::move(*request), [self, shared_query, done = std::move(done)](
                                             Result<upstream::HttpResponse> response) mutable {
    // On the upstream client's thread: hand the signature check to the worker pool.
    self->parts_.executor->post([self, shared_query, done = std::move(done),
                                 response = std::move(response)]() mutable {
      if (!response) return done(tl::unexpected(response.error()));
      done(self->read_answer(*shared_query, *response));
    });
  });
}

Result<VerifiedRecord> PopulationAdapter::read_answer(const exchange::AdapterQuery& q,
                                                      const upstream::HttpResponse& response) const {
  if (response.status == 401 || response.status == 403) {
    return fail(ErrorCode::kUpstreamUnavailable,
                fmt::format("population DB refused the gateway's credentials (HTTP {})",
                            response.status));
  }
  if (response.status != 200) {
    return fail(ErrorCode::kUpstreamUnavailable,
                fmt::format("population DB answered HTTP {}", response.status));
  }
  auto verified = parts_.verifier->verify(response.body);
  if (!verified) {
    return fail(ErrorCode::kUpstreamBadSignature,
                fmt::format("population DB answer: {}: {}", error_code_name(verified.error().code),
                            verified.error().detail));
  }
  // The signer must be the population DB itself, not any holder of a national certificate.
  const std::string signer_cn =
      verified->chain.empty() ? "" : crypto::common_name(verified->chain[0].get());
  const auto& allowed = parts_.config->trusted_signers;
  if (std::find(allowed.begin(), allowed.end(), signer_cn) == allowed.end()) {
    return fail(ErrorCode::kUpstreamBadSignature,
                fmt::format("answer signed by '{}', which is not a configured population DB signer",
                            signer_cn));
  }
  // Read only what the signature covers: one reference, to ns1:CongdanCollection, in the SOAP
  // Body of this document.
  if (verified->references.size() != 1 || !verified->references[0].node) {
    return fail(ErrorCode::kUpstreamBadSignature, "answer must sign exactly one element");
  }
  const xmlNode* collection = verified->references[0].node;
  const xmlNode* body = collection->parent;
  if (!xml::is(collection, kAnswerNs, "CongdanCollection") || !xml::is(body, kSoapNs, "Body") ||
      !body->parent || !xml::is(body->parent, kSoapNs, "Envelope") ||
      body->parent != xmlDocGetRootElement(verified->document.get())) {
    return fail(ErrorCode::kUpstreamBadSignature,
                "the signed element is not soapenv:Envelope/Body/ns1:CongdanCollection");
  }
  // The signed answer must be for this request: an old signed answer replayed does not fit.
  const xmlNode* echo = child(collection, kAnswerNs, "MaYeuCau");
  if (!echo || xml::text(echo) != q.request_id) {
    return fail(ErrorCode::kUpstreamBadSignature, "signed answer is not for this request");
  }
  const xmlNode* citizen = nullptr;
  for (const xmlNode* c = xml::first_element(collection); c; c = xml::next_element(c)) {
    if (!xml::is(c, kAnswerNs, "CongDan")) continue;
    const xmlNode* id = child(c, kAnswerNs, "SoDinhDanh");
    if (id && xml::text(id) == q.subject) {
      citizen = c;
      break;
    }
    return fail(ErrorCode::kUpstreamUnavailable, "population DB answered about another person");
  }
  if (!citizen) return fail(ErrorCode::kNotFound, "no citizen with this personal ID");

  auto fields = parts_.mapping->apply(citizen);
  if (!fields) return tl::unexpected(fields.error());
  // The century/gender digit and birth year of the ID must agree with the record.
  auto id = parse_personal_id(q.subject);
  if (!id) return tl::unexpected(id.error());
  const std::string* birth = find_field(*fields, "ngay_sinh");
  if (!birth) birth = find_field(*fields, "nam_sinh");
  const std::string* gender = find_field(*fields, "gioi_tinh");
  if (auto ok = check_personal_id_consistency(*id, birth ? *birth : "", gender ? *gender : "");
      !ok) {
    return tl::unexpected(ok.error());
  }

  const TimePoint now = parts_.clock->now();
  VerifiedRecord record;
  record.subject = q.subject;
  record.doc_type = q.document_type;
  record.code = record_code(q.subject, q.document_type);
  record.fields = std::move(*fields);
  record.source = "population";
  record.evidence = Evidence{"xmldsig", response.body, verified->signer,
                             verified->signer_fingerprint};
  record.verified_at = now;
  record.expires_at = now + types_.front().ttl;
  return record;
}

}  // namespace lienthong::adapters::population
