#include "adapters/business/adapter.h"

#include "gateway/core/identifiers.h"

namespace lienthong::adapters::business {
namespace {

constexpr const char* kCodeField = "ma_so_doanh_nghiep";

}  // namespace

Result<std::shared_ptr<BusinessAdapter>> BusinessAdapter::create(
    rest::SignedRestAdapterParts parts) {
  if (auto ok = check_mapping("business", parts, {kCodeField}); !ok)
    return tl::unexpected(ok.error());
  return std::shared_ptr<BusinessAdapter>(new BusinessAdapter(std::move(parts)));
}

Result<void> BusinessAdapter::check_subject(std::string_view subject) const {
  auto code = parse_enterprise_code(subject);
  if (!code) return tl::unexpected(code.error());
  return {};
}

Result<rest::SignedRestAdapter::Request> BusinessAdapter::request_for(
    const exchange::AdapterQuery& q) const {
  auto code = parse_enterprise_code(q.subject);
  if (!code) return tl::unexpected(code.error());
  return Request{"msdn=" + code->text, {}};  // digits and '-' only: nothing to escape
}

Result<RecordFields> BusinessAdapter::fields_of(const exchange::AdapterQuery& q,
                                                const nlohmann::json& answer) const {
  if (!answer.is_object())
    return fail(ErrorCode::kUpstreamUnavailable, "business: the answer is not a JSON object");
  // Not found: shape one answers {"Data":null}, the flat shape {}.
  const auto data = answer.find("Data");
  if ((data != answer.end() && data->is_null()) || answer.empty())
    return fail(ErrorCode::kNotFound, "no enterprise with this code");
  auto fields = mapping().apply(answer);
  if (!fields) return tl::unexpected(fields.error());
  const std::string* code = find_field(*fields, kCodeField);
  if (!code || *code != q.subject) {
    return fail(ErrorCode::kUpstreamUnavailable,
                "the enterprise registry answered about another enterprise");
  }
  return fields;
}

}  // namespace lienthong::adapters::business
