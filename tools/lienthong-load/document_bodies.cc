#include "tools/lienthong-load/document_bodies.h"

#include <fmt/format.h>
#include <openssl/err.h>
#include <openssl/rand.h>

#include <chrono>
#include <ctime>
#include <random>

#include "adapters/documents/edxml_parse.h"
#include "adapters/documents/edxml_validate.h"
#include "adapters/documents/edxml_write.h"

namespace lienthong::load {
namespace {

// Stands for n in the template: ASCII, escaped by nobody, not a number.
constexpr std::string_view kMarker = "LTSEQMARKER";
// What comes after the envelope; the marker is looked for only before it (not in the base64).
constexpr std::string_view kAttachments = "<AttachmentEncoded>";

std::tm utc_now() {
  const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  return tm;
}

edxml::Organization organization(const std::string& organ_id, std::string_view name) {
  edxml::Organization o;
  o.organ_id = organ_id;
  o.organization_in_charge = std::string(name);
  o.organ_name = std::string(name);
  o.organ_add = "Hà Nội";
  o.email = "vanthu@example.gov.vn";
  return o;
}

edxml::EdxmlMessage document_with_code(const DocumentSpec& spec, std::string_view code_number) {
  edxml::EdxmlMessage m;
  auto& h = m.header;
  h.from = organization(spec.from_organ, "Cơ quan gửi (lienthong-load)");
  h.to.push_back(organization(spec.to_organ, "Cơ quan nhận (lienthong-load)"));
  h.code = {std::string(code_number), "LT-" + spec.run_id};
  h.promulgation_info = {"Hà Nội", spec.date};
  h.document_id =
      spec.from_organ + "," + spec.date + "," + h.code.code_number + "/" + h.code.code_notation;
  h.document_type = {1, 0, "Công văn"};
  h.subject = "V/v đo tải liên thông văn bản (tài liệu thử, không có giá trị)";
  h.content = "Văn bản tổng hợp do lienthong-load tạo ra để đo hiệu năng.";
  h.signer_info = {"KT. CHÁNH VĂN PHÒNG", "Phó Chánh Văn phòng", "Nguyễn Văn A"};
  h.other_info.priority = 0;
  h.other_info.promulgation_amount = 1;
  h.other_info.page_amount = 1;
  h.other_info.direction = "false";
  h.steering_type = 1;
  m.trace.trace_headers.push_back({spec.from_organ, spec.timestamp});
  edxml::Bussiness b;
  b.document_id = h.document_id;
  b.bussiness_doc_type = 0;
  b.bussiness_doc_reason = "Văn bản điện tử mới";
  b.paper = "0";
  b.staff_info = {"Văn thư", "lienthong-load", "vanthu@example.gov.vn", ""};
  m.trace.bussiness = std::move(b);
  m.manifest.push_back({"cid:1", "application/pdf", "Văn bản", "van_ban.pdf"});
  m.attachments.push_back({"cid:1", "van_ban.pdf", "Văn bản", "application/pdf",
                           attachment_bytes(spec.attachment_seed, spec.attachment_bytes)});
  return m;
}

}  // namespace

std::string random_run_id() {
  unsigned char bytes[4];
  if (RAND_bytes(bytes, sizeof bytes) != 1) {
    ERR_clear_error();
    std::random_device rd;  // not secret: only has to differ between runs
    for (auto& b : bytes) b = static_cast<unsigned char>(rd());
  }
  std::string out;
  for (unsigned char b : bytes) out += fmt::format("{:02X}", b);
  return out;
}

std::string edxml_date_now() {
  const std::tm tm = utc_now();
  return fmt::format("{:04}/{:02}/{:02}", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

std::string edxml_timestamp_now() {
  const std::tm tm = utc_now();
  return fmt::format("{:04}/{:02}/{:02} {:02}:{:02}:{:02}", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

DocumentSpec document_spec(std::string from_organ) {
  DocumentSpec spec;
  spec.from_organ = std::move(from_organ);
  spec.run_id = random_run_id();
  spec.date = edxml_date_now();
  spec.timestamp = edxml_timestamp_now();
  return spec;
}

std::string attachment_bytes(uint64_t seed, std::size_t size) {
  std::mt19937_64 random(seed);
  std::string out(size, '\0');
  for (std::size_t i = 0; i < size; i += 8) {
    const uint64_t word = random();
    for (std::size_t k = 0; k < 8 && i + k < size; ++k)
      out[i + k] = static_cast<char>((word >> (8 * k)) & 0xFF);
  }
  return out;
}

edxml::EdxmlMessage benchmark_document(const DocumentSpec& spec, uint64_t n) {
  return document_with_code(spec, std::to_string(n));
}

std::string benchmark_document_id(const DocumentSpec& spec, uint64_t n) {
  return fmt::format("{},{},{}/LT-{}", spec.from_organ, spec.date, n, spec.run_id);
}

Result<std::unique_ptr<DocumentBodies>> DocumentBodies::create(DocumentSpec spec) {
  if (spec.run_id.empty() || spec.run_id.size() > 16 ||
      spec.run_id.find_first_not_of("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ") != std::string::npos)
    return fail(ErrorCode::kBadRequest, "document run id must be 1..16 of [A-Z0-9]");
  const std::string written = edxml::to_edxml(document_with_code(spec, kMarker));
  const std::size_t envelope_end = written.find(kAttachments);
  if (envelope_end == std::string::npos)
    return fail(ErrorCode::kInternal, "documents: the envelope has no AttachmentEncoded");

  std::unique_ptr<DocumentBodies> out(new DocumentBodies(std::move(spec)));
  std::size_t from = 0;
  for (std::size_t at = written.find(kMarker); at != std::string::npos && at < envelope_end;
       at = written.find(kMarker, from)) {
    out->pieces_.push_back(written.substr(from, at - from));
    from = at + kMarker.size();
  }
  out->pieces_.push_back(written.substr(from));

  // What the gateway will do with it first: read it and check it.
  const std::string first = out->body(0);
  auto parsed = edxml::parse_edxml(first);
  if (!parsed) return fail(ErrorCode::kBadRequest, "documents: " + parsed.error().detail);
  if (auto ok = edxml::validate(*parsed); !ok)
    return fail(ErrorCode::kBadRequest, "documents: " + ok.error().detail);
  if (*parsed != benchmark_document(out->spec_, 0) ||
      parsed->header.document_id != benchmark_document_id(out->spec_, 0))
    return fail(ErrorCode::kInternal, "documents: the template does not read back as written");
  return out;
}

std::string DocumentBodies::body(uint64_t n) const {
  const std::string number = std::to_string(n);
  std::string out;
  out.reserve(body_size(number.size()));
  for (std::size_t i = 0; i < pieces_.size(); ++i) {
    if (i > 0) out += number;
    out += pieces_[i];
  }
  return out;
}

std::size_t DocumentBodies::body_size(std::size_t digits) const {
  std::size_t size = 0;
  for (const auto& piece : pieces_) size += piece.size();
  return size + digits * (pieces_.empty() ? 0 : pieces_.size() - 1);
}

}  // namespace lienthong::load
