#include "adapters/land/adapter.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <chrono>

#include "gateway/core/canonical_xml.h"
#include "gateway/crypto/openssl_types.h"
#include "gateway/crypto/xml_nodes.h"

namespace lienthong::adapters::land {
namespace xml = crypto::xml;
namespace {

constexpr size_t kMaxSubject = 64;

std::string escape(std::string_view s) {
  std::string out;
  append_escaped_text(s, out);
  return out;
}

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// 1..max_digits digits with a value of at least 1 ("012" is 12: forms often zero-pad).
std::optional<uint32_t> positive_number(std::string_view s, size_t max_digits) {
  while (s.size() > 1 && s.front() == '0') s.remove_prefix(1);
  if (!all_digits(s) || s.size() > max_digits) return std::nullopt;
  uint32_t value = 0;
  std::from_chars(s.data(), s.data() + s.size(), value);
  if (value == 0) return std::nullopt;
  return value;
}

bool is_date(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  if (!all_digits(s.substr(0, 4)) || !all_digits(s.substr(5, 2)) || !all_digits(s.substr(8, 2))) {
    return false;
  }
  int year = 0;
  std::from_chars(s.data(), s.data() + 4, year);  // four digits, checked above
  const unsigned month = static_cast<unsigned>((s[5] - '0') * 10 + (s[6] - '0'));
  const unsigned day = static_cast<unsigned>((s[8] - '0') * 10 + (s[9] - '0'));
  // A day on the calendar: 2025-02-30 is refused, 2024-02-29 accepted.
  return std::chrono::year_month_day{std::chrono::year{year}, std::chrono::month{month},
                                     std::chrono::day{day}}
      .ok();
}

const xmlNode* child(const xmlNode* parent, std::string_view local) {
  if (!parent) return nullptr;
  for (const xmlNode* c = xml::first_element(parent); c; c = xml::next_element(c)) {
    if (xml::is(c, kLandNs, local)) return c;
  }
  return nullptr;
}

std::string text_at(const xmlNode* parent, std::string_view a, std::string_view b) {
  const xmlNode* node = child(child(parent, a), b);
  if (!node) return {};
  const std::string text = xml::text(node);
  return std::string(exchange::trim_whitespace(text));
}

}  // namespace

Result<void> LandConfig::validate() const {
  if (url.rfind("https://", 0) != 0) {
    return fail(ErrorCode::kBadRequest, "land: url must be https://");
  }
  if (ma_dvc.empty() || x_road_client.empty()) {
    return fail(ErrorCode::kBadRequest, "land: ma_dvc and x_road_client are required");
  }
  if (trusted_signers.empty()) {
    return fail(ErrorCode::kBadRequest,
                "land: trusted_signers must name the certificate(s) that sign answers");
  }
  return {};
}

Result<LandSubject> parse_land_subject(std::string_view s) {
  if (s.empty() || s.size() > kMaxSubject) {
    return fail(ErrorCode::kBadRequest, "land subject must be 1 to 64 characters");
  }
  LandSubject out;
  if (s.front() >= 'A' && s.front() <= 'Z') {
    // A certificate serial (số phát hành): two series letters, six digits, no space.
    const bool ok = s.size() == 8 && s[1] >= 'A' && s[1] <= 'Z' && all_digits(s.substr(2));
    if (!ok) {
      return fail(ErrorCode::kBadRequest,
                  "certificate serial must be two capital letters and six digits (CS123456)");
    }
    out.kind = LandSubject::Kind::kCertificate;
    out.serial = std::string(s);
    return out;
  }
  const size_t at = s.find('@');
  if (at != std::string_view::npos) {
    const std::string_view date = s.substr(at + 1);
    if (!is_date(date)) {
      return fail(ErrorCode::kBadRequest, "the date after '@' must be YYYY-MM-DD");
    }
    out.as_of = std::string(date);
    s = s.substr(0, at);
  }
  const size_t first = s.find('-');
  const size_t second = first == std::string_view::npos ? first : s.find('-', first + 1);
  if (second == std::string_view::npos || s.find('-', second + 1) != std::string_view::npos) {
    return fail(ErrorCode::kBadRequest,
                "parcel subject must be <MaDvhc>-<ToBanDo>-<ThuaDatSo> (e.g. 00004-12-345) or a "
                "certificate serial");
  }
  const std::string_view commune = s.substr(0, first);
  auto sheet = positive_number(s.substr(first + 1, second - first - 1), 3);
  auto parcel = positive_number(s.substr(second + 1), 4);
  if (commune.size() != 5 || !all_digits(commune)) {
    return fail(ErrorCode::kBadRequest, "MaDvhc must be a 5-digit commune code");
  }
  if (!sheet) return fail(ErrorCode::kBadRequest, "ToBanDo must be a number of 1 to 3 digits");
  if (!parcel) return fail(ErrorCode::kBadRequest, "ThuaDatSo must be a number of 1 to 4 digits");
  out.commune_code = std::string(commune);
  out.sheet = *sheet;
  out.parcel = *parcel;
  return out;
}

Result<std::shared_ptr<LandAdapter>> LandAdapter::create(LandParts parts) {
  if (!parts.config || !parts.communes || !parts.http || !parts.verifier || !parts.mapping ||
      !parts.executor || !parts.clock) {
    return fail(ErrorCode::kInternal, "land adapter: a part is missing");
  }
  if (auto ok = parts.config->validate(); !ok) return tl::unexpected(ok.error());
  const auto& m = *parts.mapping;
  if (m.ns != kLandNs || m.record_element != "HoSo") {
    return fail(ErrorCode::kBadRequest,
                fmt::format("{}: land answers are HoSo elements in {}", m.source, kLandNs));
  }
  // The answer is checked against the subject with these, so the mapping must keep them.
  for (const char* needed :
       {"thua_dat.ma_dvhc", "thua_dat.to_ban_do", "thua_dat.so_thua", "gcn.so_phat_hanh"}) {
    auto names = m.field_names();
    if (!std::binary_search(names.begin(), names.end(), std::string(needed))) {
      return fail(ErrorCode::kBadRequest,
                  fmt::format("{}: the land mapping must map '{}'", m.source, needed));
    }
  }
  return std::shared_ptr<LandAdapter>(new LandAdapter(std::move(parts)));
}

LandAdapter::LandAdapter(LandParts parts) : parts_(std::move(parts)) {
  types_.push_back(exchange::DocumentTypeSpec{parts_.mapping->document_type,
                                              parts_.mapping->description, parts_.mapping->ttl,
                                              parts_.mapping->field_names()});
}

Result<std::string> LandAdapter::normalize_subject(std::string_view subject) const {
  auto parsed = parse_land_subject(subject);
  if (!parsed) return tl::unexpected(parsed.error());
  if (parsed->kind == LandSubject::Kind::kCertificate) return parsed->serial;
  auto current = parts_.communes->resolve(parsed->commune_code, parsed->as_of);
  if (!current) return tl::unexpected(current.error());
  return fmt::format("{}-{}-{}", *current, parsed->sheet, parsed->parcel);
}

Result<void> LandAdapter::check_subject(std::string_view subject) const {
  auto normal = normalize_subject(subject);
  if (!normal) return tl::unexpected(normal.error());
  return {};
}

std::string LandAdapter::record_subject(std::string_view subject) const {
  auto normal = normalize_subject(subject);
  return normal ? std::move(*normal) : std::string(subject);  // refused before: cannot happen
}

Result<upstream::HttpRequest> LandAdapter::build_request(const exchange::AdapterQuery& q) const {
  const auto& c = *parts_.config;
  for (std::string_view value :
       {std::string_view(q.request_id), std::string_view(q.officer.personal_id),
        std::string_view(q.officer.account), std::string_view(q.member_organ_code),
        std::string_view(q.purpose.dossier_code)}) {
    if (!is_xml_text(value)) return fail(ErrorCode::kBadRequest, "request text is not valid XML");
  }
  auto normal = normalize_subject(q.subject);
  if (!normal) return tl::unexpected(normal.error());
  auto subject = parse_land_subject(*normal);
  if (!subject) return tl::unexpected(subject.error());

  std::string what;
  if (subject->kind == LandSubject::Kind::kCertificate) {
    what = fmt::format("<dd:SoPhatHanh>{}</dd:SoPhatHanh>", subject->serial);
  } else {
    what = fmt::format(
        "<dd:ThuaDat><dd:MaDvhc>{}</dd:MaDvhc><dd:ToBanDo>{}</dd:ToBanDo>"
        "<dd:ThuaDatSo>{}</dd:ThuaDatSo></dd:ThuaDat>",
        subject->commune_code, subject->sheet, subject->parcel);
  }
  upstream::HttpRequest request;
  request.method = "POST";
  request.url = c.url;
  request.idempotent = true;
  request.body = fmt::format(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?><dd:TraCuuThuaDat xmlns:dd=\"{}\">"
      "<dd:MaYeuCau>{}</dd:MaYeuCau><dd:MaDVC>{}</dd:MaDVC><dd:MaCanBo>{}</dd:MaCanBo>"
      "<dd:TaiKhoan>{}</dd:TaiKhoan><dd:MaDonVi>{}</dd:MaDonVi><dd:MaHoSo>{}</dd:MaHoSo>{}"
      "</dd:TraCuuThuaDat>",
      kLandNs, escape(q.request_id), escape(c.ma_dvc), escape(q.officer.personal_id),
      escape(q.officer.account), escape(q.member_organ_code), escape(q.purpose.dossier_code), what);
  request.headers = {{"Content-Type", "text/xml; charset=utf-8"},
                     {"X-Road-Client", c.x_road_client}};
  return request;
}

void LandAdapter::fetch(exchange::AdapterQuery query, exchange::RecordCallback done) {
  auto request = build_request(query);
  if (!request) return done(tl::unexpected(request.error()));
  auto self = shared_from_this();
  auto shared_query = std::make_shared<exchange::AdapterQuery>(std::move(query));
  parts_.http->send(std::move(*request), [self, shared_query, done = std::move(done)](
                                             Result<upstream::HttpResponse> response) mutable {
    // On the upstream client's thread: hand the signature check to the worker pool.
    self->parts_.executor->post(
        [self, shared_query, done = std::move(done), response = std::move(response)]() mutable {
          if (!response) return done(tl::unexpected(response.error()));
          done(self->read_answer(*shared_query, *response));
        });
  });
}

Result<VerifiedRecord> LandAdapter::read_answer(const exchange::AdapterQuery& q,
                                                const upstream::HttpResponse& response) const {
  if (response.status != 200) {
    return fail(ErrorCode::kUpstreamUnavailable,
                fmt::format("land DB answered HTTP {}", response.status));
  }
  auto normal = normalize_subject(q.subject);
  if (!normal) return tl::unexpected(normal.error());
  auto subject = parse_land_subject(*normal);
  if (!subject) return tl::unexpected(subject.error());

  auto verified = parts_.verifier->verify(response.body);
  if (!verified) {
    return fail(ErrorCode::kUpstreamBadSignature,
                fmt::format("land DB answer: {}: {}", error_code_name(verified.error().code),
                            verified.error().detail));
  }
  const std::string signer_cn =
      verified->chain.empty() ? "" : crypto::common_name(verified->chain[0].get());
  const auto& allowed = parts_.config->trusted_signers;
  if (std::find(allowed.begin(), allowed.end(), signer_cn) == allowed.end()) {
    return fail(
        ErrorCode::kUpstreamBadSignature,
        fmt::format("answer signed by '{}', which is not a configured land DB signer", signer_cn));
  }
  // Read only what the signature covers: one reference, to the root dd:KetQuaTraCuu.
  if (verified->references.size() != 1 || !verified->references[0].node) {
    return fail(ErrorCode::kUpstreamBadSignature, "answer must sign exactly one element");
  }
  const xmlNode* result = verified->references[0].node;
  if (!xml::is(result, kLandNs, "KetQuaTraCuu") ||
      result != xmlDocGetRootElement(verified->document.get())) {
    return fail(ErrorCode::kUpstreamBadSignature,
                "the signed element is not the root dd:KetQuaTraCuu");
  }
  // An old signed answer replayed does not fit this request.
  const xmlNode* echo = child(result, "MaYeuCau");
  if (!echo || xml::text(echo) != q.request_id) {
    return fail(ErrorCode::kUpstreamBadSignature, "signed answer is not for this request");
  }
  const xmlNode* record_node = nullptr;
  for (const xmlNode* c = xml::first_element(result); c; c = xml::next_element(c)) {
    if (!xml::is(c, kLandNs, "HoSo")) continue;
    if (record_node) return fail(ErrorCode::kUpstreamUnavailable, "land DB answered two records");
    record_node = c;
  }
  if (!record_node) {
    return fail(ErrorCode::kNotFound, subject->kind == LandSubject::Kind::kCertificate
                                          ? "no certificate with this serial"
                                          : "no parcel with this commune, sheet and number");
  }
  // The record must be the one asked for (by its current commune code after normalising).
  const bool same =
      subject->kind == LandSubject::Kind::kCertificate
          ? text_at(record_node, "GiayChungNhan", "soPhatHanh") == subject->serial
          : text_at(record_node, "ThuaDat", "MaDvhc") == subject->commune_code &&
                text_at(record_node, "ThuaDat", "ToBanDo") == std::to_string(subject->sheet) &&
                text_at(record_node, "ThuaDat", "ThuaDatSo") == std::to_string(subject->parcel);
  if (!same) return fail(ErrorCode::kUpstreamUnavailable, "land DB answered about another parcel");

  auto fields = parts_.mapping->apply(record_node);
  if (!fields) return tl::unexpected(fields.error());

  const TimePoint now = parts_.clock->now();
  VerifiedRecord record;
  record.subject = *normal;  // keyed on the current commune code: one parcel, one cache entry
  record.doc_type = q.document_type;
  record.code = record_code(record.subject, q.document_type);
  record.fields = std::move(*fields);
  record.source = "land";
  record.evidence =
      Evidence{"xmldsig", response.body, verified->signer, verified->signer_fingerprint};
  record.verified_at = now;
  record.expires_at = now + types_.front().ttl;
  return record;
}

}  // namespace lienthong::adapters::land
