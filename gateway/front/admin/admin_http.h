// Small HTTP pieces of the admin API: JSON answers, problem documents with extra members (the
// lint's findings), query strings and path parameters. No sockets, no state.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "gateway/core/error.h"
#include "gateway/front/http/http_types.h"

namespace lienthong::front::admin {

using http::Request;
using http::Response;
namespace bhttp = http::bhttp;

// application/json, Cache-Control: no-store (every admin answer is about the current state).
Response json_response(int status, const nlohmann::json& doc);

// The lookup front's problem document (http/problem.h) plus `extra` members, e.g. "problems".
// `status` 0: http_status(error.code).
Response problem(const Error& error, std::string_view request_id, int status = 0,
                 const nlohmann::json& extra = nlohmann::json::object());

// "%2F" → "/", "+" → " " when `plus_is_space` (query strings). nullopt for a malformed escape.
std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space);

// "a=1&b=2&b=3" → {a: [1], b: [2, 3]}, decoded. nullopt for a malformed escape.
using QueryParams = std::map<std::string, std::vector<std::string>, std::less<>>;
std::optional<QueryParams> parse_query(std::string_view query);
// The first value of `key`, or "".
std::string first(const QueryParams& params, std::string_view key);

// The media type of a Content-Type header, lowercased, without parameters.
std::string media_type(std::string_view content_type);

// A JSON request body as an object, or BAD_REQUEST saying why not.
Result<nlohmann::json> json_object_body(const Request& request);
// A string member of `doc`: nullopt when absent or null; BAD_REQUEST when of another type.
Result<std::optional<std::string>> string_member(const nlohmann::json& doc, std::string_view key);

// At most `max` bytes of `text`, cut on a UTF-8 boundary (for audit details and messages).
std::string shorten(std::string_view text, std::size_t max = 200);

}  // namespace lienthong::front::admin
