#include "gateway/front/admin/admin_http.h"

#include <algorithm>
#include <cctype>

#include "gateway/front/http/problem.h"

namespace lienthong::front::admin {

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string dump(const nlohmann::json& doc) {
  // `replace`: a caller's bytes in a message never turn an answer into an exception.
  return doc.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

Response json_response(int status, const nlohmann::json& doc) {
  Response res{static_cast<bhttp::status>(status), 11};
  res.set(bhttp::field::content_type, "application/json");
  res.set(bhttp::field::cache_control, "no-store");
  res.body() = dump(doc);
  return res;
}

Response problem(const Error& error, std::string_view request_id, int status,
                 const nlohmann::json& extra) {
  Response res = http::problem_response(error, request_id, status);
  res.set(bhttp::field::cache_control, "no-store");
  if (extra.is_object() && !extra.empty()) {
    auto doc = nlohmann::json::parse(res.body(), nullptr, false);
    if (doc.is_object()) {
      for (const auto& [key, value] : extra.items()) doc[key] = value;
      res.body() = dump(doc);
    }
  }
  return res;
}

std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '%') {
      if (i + 2 >= text.size()) return std::nullopt;
      const int hi = hex_value(text[i + 1]), lo = hex_value(text[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::optional<QueryParams> parse_query(std::string_view query) {
  QueryParams params;
  while (!query.empty()) {
    const std::size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? "" : query.substr(amp + 1);
    if (pair.empty()) continue;
    const std::size_t eq = pair.find('=');
    auto key = percent_decode(pair.substr(0, eq), true);
    auto value = percent_decode(eq == std::string_view::npos ? "" : pair.substr(eq + 1), true);
    if (!key || !value) return std::nullopt;
    params[*key].push_back(std::move(*value));
  }
  return params;
}

std::string first(const QueryParams& params, std::string_view key) {
  const auto it = params.find(key);
  return it == params.end() || it->second.empty() ? "" : it->second.front();
}

std::string media_type(std::string_view content_type) {
  std::string_view type = content_type.substr(0, content_type.find(';'));
  while (!type.empty() && (type.front() == ' ' || type.front() == '\t')) type.remove_prefix(1);
  while (!type.empty() && (type.back() == ' ' || type.back() == '\t')) type.remove_suffix(1);
  std::string out(type);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

Result<nlohmann::json> json_object_body(const Request& request) {
  if (media_type(http::to_std(request[bhttp::field::content_type])) != "application/json")
    return fail(ErrorCode::kBadRequest, "Content-Type must be application/json");
  auto doc = nlohmann::json::parse(request.body(), nullptr, false);
  if (doc.is_discarded() || !doc.is_object())
    return fail(ErrorCode::kBadRequest, "the body must be one JSON object");
  return doc;
}

Result<std::optional<std::string>> string_member(const nlohmann::json& doc, std::string_view key) {
  const auto it = doc.find(std::string(key));
  if (it == doc.end() || it->is_null()) return std::optional<std::string>();
  if (!it->is_string()) return fail(ErrorCode::kBadRequest, std::string(key) + " must be a string");
  return std::optional<std::string>(it->get<std::string>());
}

std::string shorten(std::string_view text, std::size_t max) {
  if (text.size() <= max) return std::string(text);
  std::size_t cut = max;
  // Back up over UTF-8 continuation bytes so that a character is never cut in half.
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return std::string(text.substr(0, cut)) + "…";
}

}  // namespace lienthong::front::admin
