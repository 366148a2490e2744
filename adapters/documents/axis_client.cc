#include "adapters/documents/axis_client.h"

#include "gateway/core/encoding.h"
#include <cctype>
#include <functional>
#include <future>
#include <nlohmann/json.hpp>
#include <optional>

namespace lienthong::edxml {

namespace {

using nlohmann::json;

// No answer of the axis nests deeper than a list of objects; anything deeper is not the axis.
// nlohmann's parser keeps its own stack, so the bound is about memory and sanity, not recursion.
constexpr int kMaxJsonDepth = 6;
constexpr std::size_t kMaxAxisIdBytes = 128;
constexpr std::size_t kMaxDocumentIdBytes = 256;
constexpr std::size_t kMaxOrganBytes = 64;
constexpr std::size_t kMaxTextBytes = 4096;  // a Status description: 500 code points

// The body as JSON within the limits, or nullopt.
std::optional<json> read_json(std::string_view body, std::size_t max_bytes) {
  if (body.size() > max_bytes) return std::nullopt;
  bool too_deep = false;
  json parsed = json::parse(
      body,
      [&too_deep](int depth, json::parse_event_t, json&) {
        if (depth > kMaxJsonDepth) too_deep = true;
        return depth <= kMaxJsonDepth;  // a value too deep is not even built
      },
      /*allow_exceptions=*/false);
  if (too_deep || parsed.is_discarded()) return std::nullopt;
  return parsed;
}

// A string member of at most `max` bytes; an absent member reads as "" when `optional`.
std::optional<std::string> string_field(const json& object, const char* name, std::size_t max,
                                        bool optional = false) {
  const auto it = object.find(name);
  if (it == object.end()) return optional ? std::optional<std::string>("") : std::nullopt;
  if (!it->is_string()) return std::nullopt;
  const auto& text = it->get_ref<const std::string&>();
  if (text.size() > max) return std::nullopt;
  return text;
}

bool flag(const json& object, const char* name) {
  const auto it = object.find(name);
  return it != object.end() && it->is_boolean() && it->get<bool>();
}

// An axis document id goes into URL paths and into the inbox: printable ASCII, bounded.
bool is_axis_id(std::string_view id) {
  if (id.empty() || id.size() > kMaxAxisIdBytes) return false;
  for (char c : id)
    if (c <= ' ' || c > '~') return false;
  return true;
}

// The axis's own error code ("conflict", "invalid_edxml", …) from a refusal, bounded and
// restricted to a safe alphabet: error_description can quote element paths and is left out.
std::string axis_error_code(const upstream::HttpResponse& answer) {
  auto body = read_json(answer.body, 64 << 10);
  if (!body || !body->is_object()) return "";
  auto code = string_field(*body, "error", 40);
  if (!code) return "";
  for (char c : *code)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return "";
  return *code;
}

std::string describe(const upstream::HttpResponse& answer) {
  const std::string code = axis_error_code(answer);
  return "axis answered HTTP " + std::to_string(answer.status) + (code.empty() ? "" : " " + code);
}

tl::unexpected<Error> unreadable(std::string_view what) {
  return fail(ErrorCode::kUpstreamUnavailable, "axis answer unreadable: " + std::string(what));
}

// A status the caller did not expect. The outbox retries everything but a refusal of the
// document itself; the inbound calls also tell "no such document" and "not yours" apart.
tl::unexpected<Error> refusal(const upstream::HttpResponse& answer, bool inbound) {
  switch (answer.status) {
    case 400:
    case 409:
    case 413:
    case 415:
      return fail(ErrorCode::kBadRequest, describe(answer));
    case 429:
      return fail(ErrorCode::kRateLimited, describe(answer));
    case 404:
      if (inbound) return fail(ErrorCode::kNotFound, describe(answer));
      break;
    case 403:
      if (inbound) return fail(ErrorCode::kAccessDenied, describe(answer));
      break;
    default:
      break;
  }
  // 5xx (when the client did not already turn it into an error), 404 of a wrong path, 507:
  // not the caller's fault, so retried.
  return fail(ErrorCode::kUpstreamUnavailable, describe(answer));
}

template <class T>
Result<T> wait_for(std::function<void(std::function<void(Result<T>)>)> start) {
  auto promise = std::make_shared<std::promise<Result<T>>>();
  auto future = promise->get_future();
  start([promise](Result<T> r) { promise->set_value(std::move(r)); });
  return future.get();
}

bool valid_path(const std::string& path, bool with_id) {
  if (path.empty() || path.front() != '/') return false;
  const auto at = path.find("{id}");
  if (!with_id) return at == std::string::npos;
  return at != std::string::npos && path.find("{id}", at + 1) == std::string::npos;
}

std::string with_organ(std::string url, std::string_view organ) {
  url += url.find('?') == std::string::npos ? "?organ=" : "&organ=";
  return url + percent_encode(organ);
}

upstream::HttpRequest request_of(std::string method, std::string url, std::string accept) {
  upstream::HttpRequest request;
  request.method = std::move(method);
  request.url = std::move(url);
  request.headers = {{"Accept", std::move(accept)}};
  return request;
}

}  // namespace

Result<outbox::AxisReceipt> parse_axis_receipt(const upstream::HttpResponse& answer,
                                               std::string_view document_id,
                                               std::size_t max_bytes) {
  if (answer.body.size() > max_bytes)
    return fail(ErrorCode::kUpstreamUnavailable, "axis answer larger than allowed");
  auto body = read_json(answer.body, max_bytes);
  if (!body || !body->is_object()) return unreadable("not a JSON object");
  auto id = string_field(*body, "id", kMaxAxisIdBytes);
  if (!id || id->empty())
    return fail(ErrorCode::kUpstreamUnavailable, "axis answer without a document id");
  // The axis must be answering about this document; anything else is an axis fault, retried.
  if (body->contains("document_id") &&
      string_field(*body, "document_id", kMaxDocumentIdBytes) != std::string(document_id))
    return fail(ErrorCode::kUpstreamUnavailable, "axis answered about another DocumentId");
  outbox::AxisReceipt receipt;
  receipt.axis_id = std::move(*id);
  receipt.duplicate = answer.status == 200 || flag(*body, "duplicate");
  return receipt;
}

Result<std::vector<documents::PendingDocument>> parse_pending(const upstream::HttpResponse& answer,
                                                              std::size_t max_bytes,
                                                              std::size_t max_entries) {
  if (answer.body.size() > max_bytes) return unreadable("pending list larger than allowed");
  auto body = read_json(answer.body, max_bytes);
  if (!body || !body->is_object()) return unreadable("pending list is not a JSON object");
  const auto list = body->find("documents");
  if (list == body->end() || !list->is_array()) return unreadable("pending list without documents");
  if (list->size() > max_entries) return unreadable("pending list longer than allowed");
  std::vector<documents::PendingDocument> out;
  out.reserve(list->size());
  for (const json& entry : *list) {
    if (!entry.is_object()) return unreadable("pending entry is not an object");
    auto id = string_field(entry, "id", kMaxAxisIdBytes);
    auto document_id = string_field(entry, "document_id", kMaxDocumentIdBytes, true);
    auto from = string_field(entry, "from", kMaxOrganBytes, true);
    if (!id || !is_axis_id(*id)) return unreadable("pending entry without a usable id");
    if (!document_id || !from) return unreadable("pending entry with an odd DocumentId or From");
    out.push_back({std::move(*id), std::move(*document_id), std::move(*from)});
  }
  return out;
}

Result<std::vector<documents::StatusRecord>> parse_status_history(
    const upstream::HttpResponse& answer, std::size_t max_bytes, std::size_t max_entries) {
  if (answer.body.size() > max_bytes) return unreadable("status history larger than allowed");
  auto body = read_json(answer.body, max_bytes);
  if (!body || !body->is_object()) return unreadable("status history is not a JSON object");
  const auto list = body->find("statuses");
  if (list == body->end() || !list->is_array()) return unreadable("status history without list");
  if (list->size() > max_entries) return unreadable("status history longer than allowed");
  std::vector<documents::StatusRecord> out;
  out.reserve(list->size());
  for (const json& entry : *list) {
    if (!entry.is_object()) return unreadable("status entry is not an object");
    auto from = string_field(entry, "from", kMaxOrganBytes);
    auto code = string_field(entry, "status_code", 8);
    auto description = string_field(entry, "description", kMaxTextBytes, true);
    auto timestamp = string_field(entry, "timestamp", 64, true);
    auto received_at = string_field(entry, "received_at", 64, true);
    if (!from || !code || !description || !timestamp || !received_at)
      return unreadable("status entry with missing or odd fields");
    documents::StatusRecord r;
    r.from_organ = std::move(*from);
    r.status_code = std::move(*code);
    r.description = std::move(*description);
    r.timestamp = std::move(*timestamp);
    r.received_at = std::move(*received_at);
    out.push_back(std::move(r));
  }
  return out;
}

Result<std::shared_ptr<AxisClient>> AxisClient::create(
    upstream::HttpClient::Ptr http, std::shared_ptr<upstream::BearerTokenSource> tokens,
    AxisClientConfig config) {
  if (!http) return fail(ErrorCode::kInternal, "axis client: no HTTP client");
  if (!valid_path(config.documents_path, false) || !valid_path(config.pending_path, false))
    return fail(ErrorCode::kInternal,
                "axis client: documents_path and pending_path must start with '/', no {id}");
  if (!valid_path(config.document_path, true) || !valid_path(config.ack_path, true) ||
      !valid_path(config.status_path, true))
    return fail(ErrorCode::kInternal,
                "axis client: document_path, ack_path and status_path must start with '/' and "
                "hold {id} once");
  if (config.max_answer_bytes == 0 || config.max_list_bytes == 0 || config.max_list_entries == 0 ||
      config.max_document_bytes == 0)
    return fail(ErrorCode::kInternal, "axis client: limits must be > 0");
  return std::shared_ptr<AxisClient>(
      new AxisClient(std::move(http), std::move(tokens), std::move(config)));
}

AxisClient::AxisClient(upstream::HttpClient::Ptr http,
                       std::shared_ptr<upstream::BearerTokenSource> tokens, AxisClientConfig config)
    : http_(std::move(http)), tokens_(std::move(tokens)), config_(std::move(config)) {}

Result<std::string> AxisClient::token() {
  if (!tokens_) return std::string();
  return wait_for<std::string>([this](auto done) { tokens_->get(std::move(done)); });
}

Result<upstream::HttpResponse> AxisClient::call(upstream::HttpRequest request) {
  for (int round = 0;; ++round) {
    auto bearer = token();
    if (!bearer) return tl::unexpected(bearer.error());
    upstream::HttpRequest attempt = request;
    if (!bearer->empty()) attempt.headers.emplace_back("Authorization", "Bearer " + *bearer);
    auto answer = wait_for<upstream::HttpResponse>(
        [this, &attempt](auto done) { http_->send(std::move(attempt), std::move(done)); });
    if (!answer) return tl::unexpected(answer.error());
    if (answer->status != 401) return answer;
    if (!tokens_ || round > 0)
      return fail(ErrorCode::kUpstreamUnavailable, describe(*answer) + " (token refused)");
    tokens_->invalidate(*bearer);  // once: a token that lapsed or was revoked
  }
}

std::string AxisClient::document_url(const std::string& path, std::string_view axis_id) const {
  std::string url = path;
  url.replace(url.find("{id}"), 4, percent_encode(axis_id));
  return url;
}

Result<outbox::AxisReceipt> AxisClient::send(const outbox::OutboxEntry& entry) {
  auto request = request_of("POST", config_.documents_path, "application/json");
  request.headers.emplace_back("Content-Type", "application/xml");
  request.body = entry.edxml;
  // The axis detects a second send of the same DocumentId and answers "duplicate": a resend
  // after a lost answer is harmless, so the client may retry it like a lookup.
  request.idempotent = true;
  auto answer = call(std::move(request));
  if (!answer) return tl::unexpected(answer.error());
  if (answer->status == 200 || answer->status == 201)
    return parse_axis_receipt(*answer, entry.document_id, config_.max_answer_bytes);
  return refusal(*answer, /*inbound=*/false);
}

Result<std::vector<documents::PendingDocument>> AxisClient::pending(std::string_view organ) {
  if (organ.empty()) return fail(ErrorCode::kBadRequest, "axis client: pending needs an organ");
  auto answer =
      call(request_of("GET", with_organ(config_.pending_path, organ), "application/json"));
  if (!answer) return tl::unexpected(answer.error());
  if (answer->status != 200) return refusal(*answer, true);
  return parse_pending(*answer, config_.max_list_bytes, config_.max_list_entries);
}

Result<std::string> AxisClient::fetch(std::string_view axis_id) {
  if (!is_axis_id(axis_id)) return fail(ErrorCode::kBadRequest, "axis client: unusable axis id");
  auto answer = call(
      request_of("GET", document_url(config_.document_path, axis_id), "application/xml, text/xml"));
  if (!answer) return tl::unexpected(answer.error());
  if (answer->status != 200) return refusal(*answer, true);
  if (answer->body.size() > config_.max_document_bytes)
    return unreadable("document larger than " + std::to_string(config_.max_document_bytes) +
                      " bytes");
  if (answer->body.empty()) return unreadable("empty document");
  // A JSON error page behind a 200 (a proxy's) is not a document.
  if (!answer->content_type.empty() && answer->content_type.find("xml") == std::string::npos)
    return unreadable("document of type " + answer->content_type.substr(0, 60));
  return std::move(answer->body);
}

Result<void> AxisClient::ack(std::string_view axis_id, std::string_view organ) {
  if (!is_axis_id(axis_id) || organ.empty())
    return fail(ErrorCode::kBadRequest, "axis client: ack needs an axis id and an organ");
  auto request = request_of("POST", with_organ(document_url(config_.ack_path, axis_id), organ),
                            "application/json");
  request.idempotent = true;  // the axis's ack is idempotent
  auto answer = call(std::move(request));
  if (!answer) return tl::unexpected(answer.error());
  if (answer->status != 200) return refusal(*answer, true);
  return {};
}

Result<documents::StatusRecord> AxisClient::post_status(std::string_view axis_id,
                                                        const std::string& signed_status) {
  if (!is_axis_id(axis_id)) return fail(ErrorCode::kBadRequest, "axis client: unusable axis id");
  auto request = request_of("POST", document_url(config_.status_path, axis_id), "application/json");
  request.headers.emplace_back("Content-Type", "application/xml");
  request.body = signed_status;
  // The axis answers the same (From, StatusCode, Timestamp) again with "duplicate".
  request.idempotent = true;
  auto answer = call(std::move(request));
  if (!answer) return tl::unexpected(answer.error());
  if (answer->status != 200 && answer->status != 201) return refusal(*answer, true);
  auto body = read_json(answer->body, config_.max_answer_bytes);
  if (!body || !body->is_object()) return unreadable("status answer is not a JSON object");
  auto code = string_field(*body, "status_code", 8);
  if (!code) return unreadable("status answer without a status code");
  documents::StatusRecord record;
  record.status_code = std::move(*code);
  record.duplicate = answer->status == 200 || flag(*body, "duplicate");
  return record;
}

Result<std::vector<documents::StatusRecord>> AxisClient::status_history(std::string_view axis_id) {
  if (!is_axis_id(axis_id)) return fail(ErrorCode::kBadRequest, "axis client: unusable axis id");
  auto answer =
      call(request_of("GET", document_url(config_.status_path, axis_id), "application/json"));
  if (!answer) return tl::unexpected(answer.error());
  if (answer->status != 200) return refusal(*answer, true);
  return parse_status_history(*answer, config_.max_list_bytes, config_.max_list_entries);
}

}  // namespace lienthong::edxml
