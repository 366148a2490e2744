#include "gateway/front/http/document_routes.h"

#include <nlohmann/json.hpp>

#include <charconv>
#include <cstdio>
#include <ctime>
#include <exception>
#include <limits>
#include <typeinfo>
#include <utility>
#include <vector>

#include "gateway/core/encoding.h"
#include "gateway/core/log.h"
#include "gateway/crypto/jws_json.h"
#include "gateway/front/http/problem.h"
#include "gateway/front/http/router.h"

namespace lienthong::front::http {

namespace {

using crypto::shown;  // a key for an error message: the caller's bytes, shortened, ASCII
using nlohmann::json;

constexpr std::string_view kClientRequestIdHeader = "X-Client-Request-Id";
constexpr std::size_t kClientRequestIdMax = 64;
// The status body nests two levels.
constexpr std::size_t kStatusBodyDepth = 4;

Error bad(std::string detail) { return Error{ErrorCode::kBadRequest, std::move(detail)}; }

Response json_response(bhttp::status status, const json& doc) {
  Response res{status, 11};
  res.set(bhttp::field::content_type, "application/json");
  res.set(bhttp::field::cache_control, "no-store");
  // `replace`: text from a document (a subject, a description) never turns into an exception.
  res.body() = doc.dump(-1, ' ', false, json::error_handler_t::replace);
  return res;
}

Response refusal(const Error& error, const std::string& request_id, int status = 0) {
  Response res = problem_response(error, request_id, status);
  res.set(bhttp::field::cache_control, "no-store");
  return res;
}

Response method_not_allowed(std::string_view allow, const std::string& request_id) {
  Response res =
      refusal(Error{ErrorCode::kBadRequest, "method not allowed here; use " + std::string(allow)},
              request_id, 405);
  res.set(bhttp::field::allow, to_beast(allow));
  return res;
}

// Content-Type must be `type`, with no charset or utf-8; else 415.
std::optional<Response> check_media_type(const Request& request, std::string_view type,
                                         const std::string& request_id) {
  const MediaType media = parse_media_type(to_std(request[bhttp::field::content_type]));
  if (!media.charset.empty() && media.charset != "utf-8")
    return refusal(bad("charset '" + shown(media.charset) + "' refused; use utf-8"), request_id,
                   415);
  if (media.type != type)
    return refusal(bad("Content-Type must be " + std::string(type)), request_id, 415);
  return std::nullopt;
}

Result<std::string> client_request_id(const Request& request) {
  const auto name = to_beast(kClientRequestIdHeader);
  if (request.count(name) > 1) return fail(ErrorCode::kBadRequest, "X-Client-Request-Id repeated");
  const std::string_view id = to_std(request[name]);
  if (id.size() > kClientRequestIdMax)
    return fail(ErrorCode::kBadRequest, "X-Client-Request-Id is longer than 64 characters");
  for (char c : id)
    if (c < 0x21 || c > 0x7e)
      return fail(ErrorCode::kBadRequest,
                  "X-Client-Request-Id must be printable ASCII without spaces");
  return std::string(id);
}

json nullable(const std::string& text) { return text.empty() ? json(nullptr) : json(text); }
json nullable(const std::optional<TimePoint>& at) {
  return at ? json(format_utc_time_ms(*at)) : json(nullptr);
}

// A header value from the service: kept only if it is printable ASCII.
bool header_safe(std::string_view value) {
  for (char c : value)
    if (c < 0x20 || c > 0x7e) return false;
  return true;
}

Result<std::uint64_t> decimal(std::string_view text, std::string_view name) {
  std::uint64_t value = 0;
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || text.front() == '+' || ec != std::errc() || ptr != end)
    return fail(ErrorCode::kBadRequest, std::string(name) + " must be a decimal number");
  return value;
}

struct ReceivedQuery {
  std::uint64_t after = 0;
  std::size_t limit = kDefaultReceivedLimit;
};

// "after=N&limit=M", both optional; unknown or repeated parameters are refused.
Result<ReceivedQuery> parse_received_query(std::string_view target) {
  ReceivedQuery out;
  const std::size_t question = target.find('?');
  std::string_view query = question == std::string_view::npos ? "" : target.substr(question + 1);
  bool have_after = false;
  bool have_limit = false;
  while (!query.empty()) {
    const std::size_t amp = query.find('&');
    const std::string_view param = query.substr(0, amp);
    query = amp == std::string_view::npos ? "" : query.substr(amp + 1);
    if (param.empty()) continue;
    const std::size_t eq = param.find('=');
    const std::string_view key = param.substr(0, eq);
    const std::string_view value = eq == std::string_view::npos ? "" : param.substr(eq + 1);
    bool* seen = key == "after" ? &have_after : key == "limit" ? &have_limit : nullptr;
    if (seen == nullptr)
      return fail(ErrorCode::kBadRequest, "unknown query parameter '" + shown(key) + "'");
    if (*seen) return fail(ErrorCode::kBadRequest, std::string(key) + " given twice");
    *seen = true;
    auto number = decimal(value, key);
    if (!number) return tl::unexpected(number.error());
    if (key == "after") {
      out.after = *number;
    } else {
      if (*number < 1 || *number > kMaxReceivedLimit)
        return fail(ErrorCode::kBadRequest,
                    "limit must be between 1 and " + std::to_string(kMaxReceivedLimit));
      out.limit = static_cast<std::size_t>(*number);
    }
  }
  return out;
}

Result<std::string> optional_string(const json& value, const std::string& name) {
  if (value.is_null()) return std::string();
  if (!value.is_string()) return fail(ErrorCode::kBadRequest, name + " must be a string");
  return value.get<std::string>();
}

// {"statusCode":"03","description":"…","staff":{"department","name","email","mobile"}}.
Result<documents::StatusUpdate> decode_status_update(std::string_view body) {
  auto parsed = crypto::parse_strict_json(body, kStatusBodyDepth, "body", ErrorCode::kBadRequest);
  if (!parsed) return tl::unexpected(parsed.error());
  if (!parsed->is_object()) return fail(ErrorCode::kBadRequest, "body must be a JSON object");
  documents::StatusUpdate out;
  bool have_code = false;
  for (const auto& [key, value] : parsed->items()) {
    if (key == "statusCode") {
      if (!value.is_string()) return fail(ErrorCode::kBadRequest, "statusCode must be a string");
      out.status_code = value.get<std::string>();
      have_code = true;
    } else if (key == "description") {
      auto text = optional_string(value, key);
      if (!text) return tl::unexpected(text.error());
      out.description = std::move(*text);
    } else if (key == "staff") {
      if (value.is_null()) continue;
      if (!value.is_object()) return fail(ErrorCode::kBadRequest, "staff must be an object");
      for (const auto& [field, text_value] : value.items()) {
        std::string* target = field == "department" ? &out.staff_department
                              : field == "name"     ? &out.staff_name
                              : field == "email"    ? &out.staff_email
                              : field == "mobile"   ? &out.staff_mobile
                                                    : nullptr;
        if (target == nullptr)
          return fail(ErrorCode::kBadRequest, "unknown key 'staff." + shown(field) + "'");
        auto text = optional_string(text_value, "staff." + field);
        if (!text) return tl::unexpected(text.error());
        *target = std::move(*text);
      }
    } else {
      return fail(ErrorCode::kBadRequest, "unknown key '" + shown(key) + "'");
    }
  }
  if (!have_code) return fail(ErrorCode::kBadRequest, "statusCode is required");
  return out;
}

json status_json(const documents::StatusRecord& record) {
  return {{"from", record.from_organ},
          {"statusCode", record.status_code},
          {"description", record.description},
          {"timestamp", record.timestamp},
          {"receivedAt", record.received_at}};
}

// Runs `call` (the blocking service call, returning a Deferred) on the executor and hands its
// Deferred to `respond`. A service that throws breaks its contract: INTERNAL, and the
// exception's type in the log.
template <class Call>
void run_on(Executor& executor, const Handler::Respond& respond, const std::string& request_id,
            Call call) {
  executor.post([respond, request_id, call = std::move(call)]() mutable {
    log::RequestIdScope scope(request_id);
    Handler::Deferred answer;
    try {
      answer = call();
    } catch (const std::exception& e) {
      LT_LOG(error, "document call failed inside the gateway: exception {}", typeid(e).name());
      answer = [request_id] {
        return refusal(
            Error{ErrorCode::kInternal, "internal error; see the gateway log for this request id"},
            request_id);
      };
    }
    respond(std::move(answer));
  });
}

}  // namespace

bool is_documents_path(std::string_view path) {
  return path == kDocumentsPath ||
         (path.starts_with(kDocumentsPath) && path[kDocumentsPath.size()] == '/');
}

bool is_document_send(const Request& header) {
  const std::string_view target = to_std(header.target());
  return header.method() == bhttp::verb::post &&
         target.substr(0, target.find('?')) == kDocumentsPath;
}

Result<std::string> decode_document_id(std::string_view segment) {
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  out.reserve(segment.size());
  for (std::size_t i = 0; i < segment.size(); ++i) {
    const char c = segment[i];
    if (c == '%') {
      const bool complete = i + 2 < segment.size();
      const int hi = complete ? hex(segment[i + 1]) : -1;
      const int lo = complete ? hex(segment[i + 2]) : -1;
      if (hi < 0 || lo < 0)
        return fail(ErrorCode::kBadRequest, "document id: a '%' is not followed by two hex digits");
      const char decoded = static_cast<char>((hi << 4) | lo);
      if (static_cast<unsigned char>(decoded) < 0x20 || decoded == 0x7f)
        return fail(ErrorCode::kBadRequest, "document id: a control character");
      out.push_back(decoded);
      i += 2;
    } else if (c < 0x21 || c > 0x7e) {
      return fail(ErrorCode::kBadRequest, "document id: a byte that must be percent-encoded");
    } else {
      out.push_back(c);
    }
  }
  if (out.empty()) return fail(ErrorCode::kBadRequest, "document id is empty");
  if (out.size() > kMaxDocumentIdBytes)
    return fail(ErrorCode::kBadRequest,
                "document id is longer than " + std::to_string(kMaxDocumentIdBytes) + " bytes");
  return out;
}

DocumentRoutes::DocumentRoutes(documents::DocumentService::Ptr service, Executor::Ptr executor)
    : service_(std::move(service)), executor_(std::move(executor)) {}

std::optional<Response> DocumentRoutes::handle(Request& request, std::string_view path,
                                               const std::string& request_id,
                                               const Result<Member>& member,
                                               const Handler::Respond& respond) const {
  using documents::DocumentCaller;
  const auto method = request.method();

  // Which route: the segments after /v1/documents/, still percent-encoded.
  enum class Route { kSend, kSent, kReceivedList, kReceived, kStatus, kNone };
  Route route = Route::kNone;
  std::string_view id_segment;
  if (path == kDocumentsPath) {
    route = Route::kSend;
  } else {
    std::string_view rest = path.substr(kDocumentsPath.size() + 1);
    std::vector<std::string_view> segments;
    while (true) {
      const std::size_t slash = rest.find('/');
      segments.push_back(rest.substr(0, slash));
      if (slash == std::string_view::npos) break;
      rest = rest.substr(slash + 1);
    }
    if (segments.size() == 1 && segments[0] == "received") {
      route = Route::kReceivedList;
    } else if (segments.size() == 2 && segments[0] == "sent") {
      route = Route::kSent;
      id_segment = segments[1];
    } else if (segments.size() == 2 && segments[0] == "received") {
      route = Route::kReceived;
      id_segment = segments[1];
    } else if (segments.size() == 2 && segments[1] == "status") {
      route = Route::kStatus;
      id_segment = segments[0];
    }
  }
  if (route == Route::kNone)
    return refusal(Error{ErrorCode::kNotFound, "no document resource at this path"}, request_id,
                   404);

  if (route == Route::kSend && method != bhttp::verb::post)
    return method_not_allowed("POST", request_id);
  if (route == Route::kStatus && method != bhttp::verb::get && method != bhttp::verb::post)
    return method_not_allowed("GET, POST", request_id);
  if ((route == Route::kSent || route == Route::kReceivedList || route == Route::kReceived) &&
      method != bhttp::verb::get)
    return method_not_allowed("GET", request_id);

  std::string document_id;
  if (route != Route::kSend && route != Route::kReceivedList) {
    auto decoded = decode_document_id(id_segment);
    if (!decoded) return refusal(decoded.error(), request_id);
    document_id = std::move(*decoded);
  }
  if (route == Route::kSend) {
    if (auto refused = check_media_type(request, "application/xml", request_id)) return refused;
  } else if (route == Route::kStatus && method == bhttp::verb::post) {
    if (auto refused = check_media_type(request, "application/json", request_id)) return refused;
  }
  auto client_id = client_request_id(request);
  if (!client_id) return refusal(client_id.error(), request_id);
  // The member is who the TLS session proved; without one there is no caller to speak for.
  if (!member) return refusal(member.error(), request_id);

  DocumentCaller caller{*member, request_id, std::move(*client_id), "http"};
  if (!caller.client_request_id.empty())
    LT_LOG(debug, "http documents: client request id {}", caller.client_request_id);
  auto service = service_;

  switch (route) {
    case Route::kSend:
      run_on(*executor_, respond, request_id,
             [service, caller = std::move(caller), edxml = std::move(request.body())]() mutable {
               Result<documents::SendReceipt> receipt = service->send(caller, std::move(edxml));
               return Handler::Deferred([receipt = std::move(receipt),
                                         request_id = caller.request_id] {
                 if (!receipt) return refusal(receipt.error(), request_id);
                 Response res =
                     json_response(bhttp::status::accepted,
                                   {{"requestId", request_id},
                                    {"documentId", receipt->document_id},
                                    {"outboxId", receipt->outbox_id},
                                    {"duplicate", receipt->duplicate},
                                    {"state", std::string(outbox::state_name(receipt->state))}});
                 res.set(bhttp::field::location, std::string(kDocumentsPath) + "/sent/" +
                                                     percent_encode(receipt->document_id));
                 return res;
               });
             });
      return std::nullopt;

    case Route::kSent:
      run_on(
          *executor_, respond, request_id,
          [service, caller = std::move(caller), document_id = std::move(document_id)] {
            Result<outbox::OutboxStatus> status = service->sent(caller, document_id);
            return Handler::Deferred([status = std::move(status), request_id = caller.request_id] {
              if (!status) return refusal(status.error(), request_id);
              return json_response(bhttp::status::ok,
                                   {{"documentId", status->document_id},
                                    {"outboxId", status->outbox_id},
                                    {"state", std::string(outbox::state_name(status->state))},
                                    {"attempts", status->attempts},
                                    {"axisId", nullable(status->axis_id)},
                                    {"axisDuplicate", status->axis_duplicate},
                                    {"lastError", nullable(status->last_error)},
                                    {"acceptedAt", format_utc_time_ms(status->accepted_at)},
                                    {"nextAttemptAt", nullable(status->next_attempt_at)},
                                    {"leaseUntil", nullable(status->lease_until)},
                                    {"finishedAt", nullable(status->finished_at)}});
            });
          });
      return std::nullopt;

    case Route::kReceivedList: {
      auto query = parse_received_query(to_std(request.target()));
      if (!query) return refusal(query.error(), request_id);
      run_on(*executor_, respond, request_id, [service, caller = std::move(caller), q = *query] {
        Result<std::vector<documents::ReceivedSummary>> list =
            service->received(caller, q.after, q.limit);
        return Handler::Deferred(
            [list = std::move(list), after = q.after, request_id = caller.request_id] {
              if (!list) return refusal(list.error(), request_id);
              json documents = json::array();
              std::uint64_t next = after;
              for (const auto& s : *list) {
                documents.push_back({{"sequence", s.sequence},
                                     {"documentId", s.document_id},
                                     {"axisId", s.axis_id},
                                     {"from", s.from_organ},
                                     {"code", s.code},
                                     {"promulgationDate", s.promulgation_date},
                                     {"subject", s.subject},
                                     {"businessType", s.business_type},
                                     {"receivedAt", format_utc_time_ms(s.received_at)}});
                next = s.sequence;
              }
              return json_response(bhttp::status::ok,
                                   {{"documents", std::move(documents)}, {"next", next}});
            });
      });
      return std::nullopt;
    }

    case Route::kReceived:
      run_on(*executor_, respond, request_id,
             [service, caller = std::move(caller), document_id = std::move(document_id)] {
               Result<documents::ReceivedDocument> document = service->get(caller, document_id);
               return Handler::Deferred([document = std::move(document), document_id,
                                         request_id = caller.request_id]() mutable {
                 if (!document) return refusal(document.error(), request_id);
                 Response res{bhttp::status::ok, 11};
                 res.set(bhttp::field::content_type, "application/xml");
                 res.set(bhttp::field::cache_control, "no-store");
                 const std::string& id = document->summary.document_id.empty()
                                             ? document_id
                                             : document->summary.document_id;
                 res.set("X-Document-Id", percent_encode(id));
                 if (header_safe(document->signer_fingerprint))
                   res.set("X-Signer-Fingerprint", document->signer_fingerprint);
                 res.body() = std::move(document->edxml);
                 return res;
               });
             });
      return std::nullopt;

    case Route::kStatus:
      if (method == bhttp::verb::post) {
        auto update = decode_status_update(request.body());
        if (!update) return refusal(update.error(), request_id);
        run_on(*executor_, respond, request_id,
               [service, caller = std::move(caller), document_id = std::move(document_id),
                update = std::move(*update)] {
                 Result<documents::StatusRecord> record =
                     service->update_status(caller, document_id, update);
                 return Handler::Deferred(
                     [record = std::move(record), document_id, request_id = caller.request_id] {
                       if (!record) return refusal(record.error(), request_id);
                       json doc = status_json(*record);
                       doc["documentId"] = document_id;
                       doc["duplicate"] = record->duplicate;
                       return json_response(bhttp::status::created, doc);
                     });
               });
      } else {
        run_on(*executor_, respond, request_id,
               [service, caller = std::move(caller), document_id = std::move(document_id)] {
                 Result<std::vector<documents::StatusRecord>> history =
                     service->status_history(caller, document_id);
                 return Handler::Deferred(
                     [history = std::move(history), document_id, request_id = caller.request_id] {
                       if (!history) return refusal(history.error(), request_id);
                       json statuses = json::array();
                       for (const auto& record : *history) statuses.push_back(status_json(record));
                       return json_response(bhttp::status::ok, {{"documentId", document_id},
                                                                {"statuses", std::move(statuses)}});
                     });
               });
      }
      return std::nullopt;

    case Route::kNone:
      break;
  }
  return refusal(Error{ErrorCode::kNotFound, "no document resource at this path"}, request_id, 404);
}

}  // namespace lienthong::front::http
