// POST /v1/lookup with Content-Type: application/json (lookup_decoding.h).
#include <nlohmann/json.hpp>

#include <limits>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "gateway/exchange/signed_json.h"
#include "gateway/front/http/lookup_decoding.h"

namespace lienthong::front::http {

namespace {

using nlohmann::json;

// The request nests two levels; anything much deeper is not a lookup. Checked before parsing so
// that no deep tree is ever built.
constexpr int kMaxDepth = 8;

bool nested_deeper_than(std::string_view text, int limit) {
  int depth = 0;
  bool in_string = false;
  bool escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped)
        escaped = false;
      else if (c == '\\')
        escaped = true;
      else if (c == '"')
        in_string = false;
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (++depth > limit) return true;
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  return false;
}

// nlohmann keeps the last of two equal keys; another parser might keep the first. A request
// that means different things to different readers is refused.
class DuplicateKeyCheck {
 public:
  bool on_event(json::parse_event_t event, const json& parsed) {
    switch (event) {
      case json::parse_event_t::object_start:
        frames_.emplace_back(std::set<std::string>{});
        break;
      case json::parse_event_t::array_start:
        frames_.emplace_back(std::nullopt);
        break;
      case json::parse_event_t::object_end:
      case json::parse_event_t::array_end:
        if (!frames_.empty()) frames_.pop_back();
        break;
      case json::parse_event_t::key:
        if (!frames_.empty() && frames_.back() && parsed.is_string() &&
            !frames_.back()->insert(parsed.get_ref<const std::string&>()).second &&
            duplicate_.empty())
          duplicate_ = parsed.get_ref<const std::string&>();
        break;
      case json::parse_event_t::value:
        break;
    }
    return true;  // keep everything: the structure is checked afterwards
  }
  const std::string& duplicate() const { return duplicate_; }

 private:
  std::vector<std::optional<std::set<std::string>>> frames_;
  std::string duplicate_;
};

// A key name for an error message: keys are the caller's bytes, so shorten and keep ASCII.
std::string shown(std::string_view key) {
  std::string out;
  for (char c : key.substr(0, 40)) out.push_back(c >= 0x20 && c < 0x7f ? c : '?');
  return out;
}

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
  if (nested_deeper_than(body, kMaxDepth))
    return fail(ErrorCode::kBadRequest, "JSON nested deeper than " + std::to_string(kMaxDepth));
  DuplicateKeyCheck duplicates;
  const json doc = json::parse(
      body.begin(), body.end(),
      [&duplicates](int /*depth*/, json::parse_event_t event, json& parsed) {
        return duplicates.on_event(event, parsed);
      },
      /*allow_exceptions=*/false);
  if (doc.is_discarded()) return fail(ErrorCode::kBadRequest, "body is not well-formed JSON");
  if (!duplicates.duplicate().empty())
    return fail(ErrorCode::kBadRequest, "key '" + shown(duplicates.duplicate()) + "' repeated");
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
