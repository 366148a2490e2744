// POST /v1/lookup with Content-Type: application/json (lookup_decoding.h).
#include <nlohmann/json.hpp>

#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "gateway/crypto/jws_json.h"
#include "gateway/exchange/signed_json.h"
#include "gateway/front/http/lookup_decoding.h"

namespace lienthong::front::http {

namespace {

using nlohmann::json;
using crypto::shown;  // a key for an error message: the caller's bytes, shortened, ASCII

// The request nests two levels; anything much deeper is not a lookup. The strict parser refuses
// it while reading, so no deep tree is ever built, and refuses a repeated key: nlohmann keeps
// the last of two, another parser might keep the first, and a request that means different
// things to different readers is refused.
constexpr int kMaxDepth = 8;

Error bad(std::string detail) { return Error{ErrorCode::kBadRequest, std::move(detail)}; }

// A string member: null or absent is "".
Result<std::string> string_value(const json& value, std::string_view name) {
  if (value.is_null()) return std::string();
  if (!value.is_string()) return tl::unexpected(bad(std::string(name) + " must be a string"));
  return value.get<std::string>();
}

Result<void> decode_purpose(const json& value, Purpose& out) {
  if (value.is_null()) return {};
  if (!value.is_object()) return tl::unexpected(bad("purpose must be an object"));
  for (const auto& [key, member] : value.items()) {
    std::string* target = nullptr;
    if (key == "dossierCode") target = &out.dossier_code;
    if (key == "procedureCode") target = &out.procedure_code;
    if (target == nullptr) return tl::unexpected(bad("unknown key 'purpose." + shown(key) + "'"));
    auto text = string_value(member, "purpose." + key);
    if (!text) return tl::unexpected(text.error());
    *target = std::move(*text);
  }
  return {};
}

Result<void> decode_officer(const json& value, Officer& out) {
  if (value.is_null()) return {};
  if (!value.is_object()) return tl::unexpected(bad("officer must be an object"));
  for (const auto& [key, member] : value.items()) {
    std::string* target = nullptr;
    if (key == "personalId") target = &out.personal_id;
    if (key == "account") target = &out.account;
    if (target == nullptr) return tl::unexpected(bad("unknown key 'officer." + shown(key) + "'"));
    auto text = string_value(member, "officer." + key);
    if (!text) return tl::unexpected(text.error());
    *target = std::move(*text);
  }
  return {};
}

Result<void> decode_max_age(const json& value, LookupRequest& out) {
  if (value.is_null()) return {};
  if (!value.is_number_integer())
    return tl::unexpected(bad("maxAgeSeconds must be an integer number of seconds"));
  long long seconds = 0;
  if (value.is_number_unsigned()) {
    const auto u = value.get<std::uint64_t>();
    seconds = u > static_cast<std::uint64_t>(kMaxAgeSecondsLimit) ? kMaxAgeSecondsLimit + 1
                                                                  : static_cast<long long>(u);
  } else {
    seconds = value.get<std::int64_t>();
  }
  auto age = detail::check_max_age(seconds);
  if (!age) return tl::unexpected(age.error());
  out.max_age = *age;
  return {};
}

Result<void> decode_fields(const json& value, std::vector<std::string>& out) {
  if (value.is_null()) return {};
  if (!value.is_array()) return tl::unexpected(bad("fields must be an array of strings"));
  if (value.size() > detail::kMaxFields)
    return tl::unexpected(
        bad("fields lists more than " + std::to_string(detail::kMaxFields) + " names"));
  for (const auto& item : value) {
    if (!item.is_string()) return tl::unexpected(bad("fields must be an array of strings"));
    const auto& name = item.get_ref<const std::string&>();
    if (auto ok = detail::check_field_name(name); !ok) return tl::unexpected(ok.error());
    out.push_back(name);
  }
  return {};
}

}  // namespace

Result<DecodedLookup> decode_json_lookup(std::string_view body) {
  auto parsed = crypto::parse_strict_json(body, kMaxDepth, "body", ErrorCode::kBadRequest);
  if (!parsed) return tl::unexpected(parsed.error());
  const json& doc = *parsed;
  if (!doc.is_object()) return fail(ErrorCode::kBadRequest, "body must be a JSON object");

  DecodedLookup out;
  LookupRequest& req = out.request;
  bool have_subject = false;
  bool have_type = false;
  for (const auto& [key, value] : doc.items()) {
    Result<void> step;
    if (key == "subjectId" || key == "documentType") {
      if (!value.is_string()) return fail(ErrorCode::kBadRequest, key + " must be a string");
      (key == "subjectId" ? req.subject : req.document_type) = value.get<std::string>();
      (key == "subjectId" ? have_subject : have_type) = true;
    } else if (key == "purpose") {
      step = decode_purpose(value, req.purpose);
    } else if (key == "officer") {
      step = decode_officer(value, req.officer);
    } else if (key == "maxAgeSeconds") {
      step = decode_max_age(value, req);
    } else if (key == "fields") {
      step = decode_fields(value, req.fields);
    } else if (key == "clientRequestId") {
      auto id = string_value(value, "clientRequestId");
      if (!id) return tl::unexpected(id.error());
      step = detail::check_client_request_id(*id);
      out.client_request_id = std::move(*id);
    } else if (key == "iat") {
      if (!value.is_number_integer())
        return fail(ErrorCode::kBadRequest, "iat must be an integer number of seconds");
      constexpr auto kMax = std::numeric_limits<std::int64_t>::max();
      out.iat = value.is_number_unsigned() &&
                        value.get<std::uint64_t>() > static_cast<std::uint64_t>(kMax)
                    ? kMax
                    : value.get<std::int64_t>();
    } else if (key == "jti") {
      if (!value.is_string()) return fail(ErrorCode::kBadRequest, "jti must be a string");
      step = exchange::check_jti(value.get_ref<const std::string&>());
      out.jti = value.get<std::string>();
    } else {
      return fail(ErrorCode::kBadRequest, "unknown key '" + shown(key) + "'");
    }
    if (!step) return tl::unexpected(step.error());
  }
  if (!have_subject) return fail(ErrorCode::kBadRequest, "subjectId is required");
  if (!have_type) return fail(ErrorCode::kBadRequest, "documentType is required");
  return out;
}

}  // namespace lienthong::front::http
