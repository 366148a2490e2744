#include "gateway/upstream/bearer_token.h"

#include <nlohmann/json.hpp>

#include <cctype>
#include <utility>

#include "gateway/core/encoding.h"
#include "gateway/core/log.h"

namespace lienthong::upstream {
namespace {

tl::unexpected<Error> unusable(const std::string& why) {
  return fail(ErrorCode::kUpstreamUnavailable, "token endpoint: " + why);
}

// Characters a bearer token may hold (RFC 6750 b64token): anything else would let an answer
// inject header text.
bool is_b64token(const std::string& t) {
  if (t.empty() || t.size() > 4096) return false;
  for (unsigned char c : t) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '.' || c == '_' || c == '~' || c == '+' || c == '/' || c == '=';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

Result<std::pair<std::string, std::chrono::seconds>> parse_token_answer(const HttpResponse& answer,
                                                                        std::size_t max_bytes) {
  if (answer.status < 200 || answer.status > 299)
    return unusable("HTTP " + std::to_string(answer.status));
  if (answer.body.size() > max_bytes) return unusable("answer too large");
  // nlohmann would stop at a NUL and take what came before for the whole answer.
  if (answer.body.find('\0') != std::string::npos) return unusable("answer is not JSON");
  const auto doc = nlohmann::json::parse(answer.body, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) return unusable("answer is not a JSON object");
  const auto token = doc.find("access_token");
  if (token == doc.end() || !token->is_string() || !is_b64token(token->get<std::string>()))
    return unusable("no usable access_token");
  const auto type = doc.find("token_type");
  if (type != doc.end()) {
    if (!type->is_string()) return unusable("token_type is not a string");
    std::string name = type->get<std::string>();
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (name != "bearer") return unusable("token_type is not Bearer");
  }
  const auto expires = doc.find("expires_in");
  if (expires == doc.end() || !expires->is_number_integer() || expires->get<long long>() <= 0)
    return unusable("no positive expires_in");
  return std::pair{token->get<std::string>(), std::chrono::seconds(expires->get<long long>())};
}

std::shared_ptr<BearerTokenSource> BearerTokenSource::create(HttpClient::Ptr http,
                                                             TokenConfig config, Clock::Ptr clock) {
  return std::shared_ptr<BearerTokenSource>(
      new BearerTokenSource(std::move(http), std::move(config), std::move(clock)));
}

BearerTokenSource::BearerTokenSource(HttpClient::Ptr http, TokenConfig config, Clock::Ptr clock)
    : http_(std::move(http)), config_(std::move(config)), clock_(std::move(clock)) {}

void BearerTokenSource::get(TokenCallback done) {
  std::string held;
  {
    std::lock_guard lock(mutex_);
    if (token_ && clock_->now() < refresh_at_) {
      held = *token_;
    } else {
      waiting_.push_back(std::move(done));
      if (fetching_) return;  // one fetch serves every waiter
      fetching_ = true;
      ++fetches_;
    }
  }
  if (!held.empty()) {
    done(std::move(held));
    return;
  }
  fetch();
}

void BearerTokenSource::invalidate(const std::string& token) {
  std::lock_guard lock(mutex_);
  if (token_ && *token_ == token) token_.reset();
}

std::size_t BearerTokenSource::fetches() const {
  std::lock_guard lock(mutex_);
  return fetches_;
}

void BearerTokenSource::fetch() {
  HttpRequest request;
  request.method = "POST";
  request.url = config_.token_url;
  request.headers = {
      {"Authorization", "Basic " + base64_encode(config_.client_id + ":" + config_.client_secret)},
      {"Content-Type", "application/x-www-form-urlencoded"},
      {"Accept", "application/json"}};
  request.body = "grant_type=client_credentials";
  request.idempotent = true;  // asking for a token twice only yields two tokens
  std::weak_ptr<BearerTokenSource> weak = weak_from_this();
  const std::size_t max_bytes = config_.max_answer_bytes;
  http_->send(std::move(request), [weak, max_bytes](Result<HttpResponse> answer) {
    auto self = weak.lock();
    if (!self) return;
    if (!answer) {
      self->finish(tl::unexpected(answer.error()));
      return;
    }
    self->finish(parse_token_answer(*answer, max_bytes));
  });
}

void BearerTokenSource::finish(Result<std::pair<std::string, std::chrono::seconds>> outcome) {
  std::vector<TokenCallback> waiting;
  Result<std::string> result = tl::unexpected(Error{ErrorCode::kInternal, ""});
  {
    std::lock_guard lock(mutex_);
    fetching_ = false;
    waiting.swap(waiting_);
    if (outcome) {
      const auto lifetime = std::min(outcome->second, config_.max_lifetime);
      // A lifetime shorter than the margin is used for this round of callers only.
      refresh_at_ = clock_->now() + lifetime - std::min(config_.refresh_margin, lifetime);
      token_ = outcome->first;
      result = outcome->first;
    } else {
      token_.reset();
      result = tl::unexpected(outcome.error());
      LT_LOG(warn, "upstream token: {}", outcome.error().detail);
    }
  }
  for (auto& done : waiting) done(result);
}

}  // namespace lienthong::upstream
