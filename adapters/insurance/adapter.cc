#include "adapters/insurance/adapter.h"

#include <algorithm>

#include "gateway/core/identifiers.h"

namespace lienthong::adapters::insurance {
namespace {

constexpr const char* kCodeField = "ma_so_bhxh";
constexpr const char* kPersonalIdField = "so_dinh_danh";
constexpr size_t kMaxAccount = 128;

// Mã số BHXH: 10 digits (FORMATS.md §2).
bool is_insurance_code(std::string_view s) {
  return s.size() == 10 &&
         std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Goes into a header: visible ASCII only, so it can neither end the header nor smuggle another.
bool is_header_text(std::string_view s) {
  return !s.empty() && s.size() <= kMaxAccount &&
         std::all_of(s.begin(), s.end(), [](char c) { return c > 0x20 && c < 0x7f; });
}

}  // namespace

Result<std::shared_ptr<InsuranceAdapter>> InsuranceAdapter::create(
    rest::SignedRestAdapterParts parts) {
  if (auto ok = check_mapping("insurance", parts, {kCodeField, kPersonalIdField}); !ok)
    return tl::unexpected(ok.error());
  return std::shared_ptr<InsuranceAdapter>(new InsuranceAdapter(std::move(parts)));
}

Result<void> InsuranceAdapter::check_subject(std::string_view subject) const {
  if (is_insurance_code(subject)) return {};
  if (subject.size() == 12) {
    auto id = parse_personal_id(subject);
    if (!id) return tl::unexpected(id.error());
    return {};
  }
  return fail(ErrorCode::kBadRequest,
              "subject must be a 10-digit social insurance code or a 12-digit personal ID");
}

Result<rest::SignedRestAdapter::Request> InsuranceAdapter::request_for(
    const exchange::AdapterQuery& q) const {
  if (auto ok = check_subject(q.subject); !ok) return tl::unexpected(ok.error());
  // Every lookup names the officer who asks (DESIGN.md §3).
  if (!parse_personal_id(q.officer.personal_id)) {
    return fail(ErrorCode::kBadRequest,
                "social insurance lookups need the officer's valid 12-digit personal ID");
  }
  if (!is_header_text(q.officer.account)) {
    return fail(ErrorCode::kBadRequest,
                "social insurance lookups need the officer's account (printable ASCII, at most "
                "128 characters)");
  }
  const char* key = is_insurance_code(q.subject) ? "maSoBHXH=" : "soDinhDanh=";
  return Request{
      key + q.subject,
      {{"X-Officer-Id", q.officer.personal_id}, {"X-Officer-Account", q.officer.account}}};
}

Result<RecordFields> InsuranceAdapter::fields_of(const exchange::AdapterQuery& q,
                                                 const nlohmann::json& answer) const {
  if (!answer.is_object())
    return fail(ErrorCode::kUpstreamUnavailable, "insurance: the answer is not a JSON object");
  // {"maKetQua":"000","data":{…}} or, not found, {"maKetQua":"404","data":null}.
  const auto result = answer.find("maKetQua");
  const auto data = answer.find("data");
  const bool no_data = data == answer.end() || data->is_null();
  if (result != answer.end() && *result != "000" && !(no_data && *result == "404")) {
    return fail(ErrorCode::kUpstreamUnavailable,
                "insurance: the upstream answered an unexpected maKetQua");
  }
  if (no_data) return fail(ErrorCode::kNotFound, "no insured person with this code or ID");
  auto fields = mapping().apply(answer);
  if (!fields) return tl::unexpected(fields.error());
  const std::string* key =
      find_field(*fields, is_insurance_code(q.subject) ? kCodeField : kPersonalIdField);
  if (!key || *key != q.subject) {
    return fail(ErrorCode::kUpstreamUnavailable, "social insurance answered about another person");
  }
  return fields;
}

}  // namespace lienthong::adapters::insurance
