#include "adapters/documents/axis_client.h"

#include <cctype>
#include <functional>
#include <future>
#include <nlohmann/json.hpp>

namespace lienthong::edxml {

namespace {

// The axis's own error code ("conflict", "invalid_edxml", …) from a refusal, bounded and
// restricted to a safe alphabet: error_description can quote element paths and is left out.
std::string axis_error_code(const upstream::HttpResponse& answer) {
  auto body = nlohmann::json::parse(answer.body, nullptr, /*allow_exceptions=*/false);
  if (!body.is_object() || !body.contains("error") || !body["error"].is_string()) return "";
  std::string code = body["error"].get<std::string>().substr(0, 40);
  for (char c : code)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return "";
  return code;
}

std::string describe(const upstream::HttpResponse& answer) {
  const std::string code = axis_error_code(answer);
  return "axis answered HTTP " + std::to_string(answer.status) + (code.empty() ? "" : " " + code);
}

template <class T>
Result<T> wait_for(std::function<void(std::function<void(Result<T>)>)> start) {
  auto promise = std::make_shared<std::promise<Result<T>>>();
  auto future = promise->get_future();
  start([promise](Result<T> r) { promise->set_value(std::move(r)); });
  return future.get();
}

}  // namespace

Result<outbox::AxisReceipt> parse_axis_receipt(const upstream::HttpResponse& answer,
                                               std::string_view document_id,
                                               std::size_t max_bytes) {
  if (answer.body.size() > max_bytes)
    return fail(ErrorCode::kUpstreamUnavailable, "axis answer larger than allowed");
  auto body = nlohmann::json::parse(answer.body, nullptr, /*allow_exceptions=*/false);
  if (!body.is_object() || !body.contains("id") || !body["id"].is_string() ||
      body["id"].get<std::string>().empty())
    return fail(ErrorCode::kUpstreamUnavailable, "axis answer without a document id");
  // The axis must be answering about this document; anything else is an axis fault, retried.
  if (body.contains("document_id") &&
      (!body["document_id"].is_string() || body["document_id"].get<std::string>() != document_id))
    return fail(ErrorCode::kUpstreamUnavailable, "axis answered about another DocumentId");
  outbox::AxisReceipt receipt;
  receipt.axis_id = body["id"].get<std::string>();
  receipt.duplicate =
      answer.status == 200 || (body.contains("duplicate") && body["duplicate"].is_boolean() &&
                               body["duplicate"].get<bool>());
  return receipt;
}

Result<std::shared_ptr<AxisClient>> AxisClient::create(
    upstream::HttpClient::Ptr http, std::shared_ptr<upstream::BearerTokenSource> tokens,
    AxisClientConfig config) {
  if (!http) return fail(ErrorCode::kInternal, "axis client: no HTTP client");
  if (config.documents_path.empty() || config.documents_path.front() != '/')
    return fail(ErrorCode::kInternal, "axis client: documents_path must start with '/'");
  if (config.max_answer_bytes == 0)
    return fail(ErrorCode::kInternal, "axis client: max_answer_bytes must be > 0");
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

Result<upstream::HttpResponse> AxisClient::post(const outbox::OutboxEntry& entry,
                                                const std::string& token) {
  upstream::HttpRequest request;
  request.method = "POST";
  request.url = config_.documents_path;
  request.headers = {{"Content-Type", "application/xml"}, {"Accept", "application/json"}};
  if (!token.empty()) request.headers.emplace_back("Authorization", "Bearer " + token);
  request.body = entry.edxml;
  // The axis detects a second send of the same DocumentId and answers "duplicate": a resend
  // after a lost answer is harmless, so the client may retry it like a lookup.
  request.idempotent = true;
  return wait_for<upstream::HttpResponse>(
      [this, &request](auto done) { http_->send(std::move(request), std::move(done)); });
}

Result<outbox::AxisReceipt> AxisClient::send(const outbox::OutboxEntry& entry) {
  for (int round = 0;; ++round) {
    auto bearer = token();
    if (!bearer) return tl::unexpected(bearer.error());
    auto answer = post(entry, *bearer);
    if (!answer) return tl::unexpected(answer.error());
    switch (answer->status) {
      case 200:
      case 201:
        return parse_axis_receipt(*answer, entry.document_id, config_.max_answer_bytes);
      case 401:
        if (tokens_ && round == 0) {
          tokens_->invalidate(*bearer);
          continue;  // once: a token that lapsed or was revoked
        }
        return fail(ErrorCode::kUpstreamUnavailable, describe(*answer) + " (token refused)");
      case 400:
      case 409:
      case 413:
      case 415:
        return fail(ErrorCode::kBadRequest, describe(*answer));
      case 429:
        return fail(ErrorCode::kRateLimited, describe(*answer));
      default:
        // 5xx (when the client did not already turn it into an error), 404 of a wrong path,
        // 403, 507: not the document's fault, so retried until the attempts run out.
        return fail(ErrorCode::kUpstreamUnavailable, describe(*answer));
    }
  }
}

}  // namespace lienthong::edxml
