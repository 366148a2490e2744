// The access token of an upstream behind an API manager (NGSP/LGSP, WSO2 style; FORMATS.md §4):
// `POST <token_url>` with `Authorization: Basic base64(client_id:client_secret)` and
// `grant_type=client_credentials`, answered by
// `{"access_token":"…","token_type":"Bearer","expires_in":3600}`.
//
// The token is kept until `refresh_margin` before it expires, so a call never leaves with a
// token about to lapse. Callers that ask while no token is held wait for one fetch together
// (single flight). After a 401 the adapter calls invalidate(token) and asks again once: only
// that token is dropped, so a 401 for a token already replaced does not throw the new one away.
// The secret never appears in logs or errors.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "gateway/core/clock.h"
#include "gateway/core/error.h"
#include "gateway/upstream/http_client.h"

namespace lienthong::upstream {

struct TokenConfig {
  std::string token_url;  // absolute, or relative to the HttpClient's base_url
  std::string client_id;
  std::string client_secret;
  std::chrono::seconds refresh_margin{60};
  std::chrono::seconds max_lifetime{24 * 3600};  // caps a (mis)configured huge expires_in
  std::size_t max_answer_bytes = 16 << 10;
};

class BearerTokenSource : public std::enable_shared_from_this<BearerTokenSource> {
 public:
  using TokenCallback = std::function<void(Result<std::string>)>;

  static std::shared_ptr<BearerTokenSource> create(HttpClient::Ptr http, TokenConfig config,
                                                   Clock::Ptr clock);

  // `done` gets a token valid for at least refresh_margin, or UPSTREAM_UNAVAILABLE /
  // UPSTREAM_TIMEOUT saying why none could be had. It may run on the HTTP client's thread, or
  // at once on the caller's when a token is held.
  void get(TokenCallback done);

  // Drops `token` if it is the one held (the upstream refused it).
  void invalidate(const std::string& token);

  std::size_t fetches() const;  // how many token requests were made (metrics, tests)

 private:
  BearerTokenSource(HttpClient::Ptr http, TokenConfig config, Clock::Ptr clock);
  void fetch();
  void finish(Result<std::pair<std::string, std::chrono::seconds>> outcome);

  HttpClient::Ptr http_;
  TokenConfig config_;
  Clock::Ptr clock_;

  mutable std::mutex mutex_;
  std::optional<std::string> token_;
  TimePoint refresh_at_{};
  bool fetching_ = false;
  std::vector<TokenCallback> waiting_;
  std::size_t fetches_ = 0;
};

// Reads a token endpoint's answer: the access token and its lifetime. UPSTREAM_UNAVAILABLE for
// anything else (a non-2xx status, not JSON, no access_token, a token_type other than Bearer,
// no positive expires_in). Public for tests.
Result<std::pair<std::string, std::chrono::seconds>> parse_token_answer(const HttpResponse& answer,
                                                                        std::size_t max_bytes);

}  // namespace lienthong::upstream
