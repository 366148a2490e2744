#include "adapters/sim/sim_tokens.h"

#include <openssl/rand.h>

#include <nlohmann/json.hpp>

#include "adapters/sim/sim_knobs.h"
#include "gateway/core/encoding.h"

namespace lienthong::sim {
namespace {

std::string_view sv(boost::beast::string_view s) { return {s.data(), s.size()}; }

}  // namespace

SimReply json_error(unsigned status, std::string_view error, std::string_view description) {
  return json_reply(status, nlohmann::json{{"error", error},
                                           {"error_description", description},
                                           {"simulator", std::string(kServerHeader)}}
                                .dump());
}

SimReply TokenIssuer::issue(const HttpRequest& request) {
  namespace http = boost::beast::http;
  const std::string expected =
      "Basic " + base64_encode(config_.client_id + ":" + config_.client_secret);
  if (sv(request[http::field::authorization]) != expected)
    return json_error(401, "invalid_client", "unknown client or wrong secret");
  if (request.body().find("grant_type=client_credentials") == std::string::npos)
    return json_error(400, "unsupported_grant_type", "only client_credentials is offered");
  unsigned char raw[24];
  if (RAND_bytes(raw, sizeof raw) != 1) return plain_reply(500, "no randomness");
  std::string token = to_hex(raw, sizeof raw);
  {
    std::lock_guard lock(mutex_);
    const TimePoint now = config_.clock->now();
    std::erase_if(tokens_, [&](const auto& t) { return t.second <= now; });
    tokens_[token] = now + config_.lifetime;
    ++issued_;
  }
  return json_reply(200, nlohmann::json{{"access_token", token},
                                        {"scope", "am_application_scope default"},
                                        {"token_type", "Bearer"},
                                        {"expires_in", config_.lifetime.count()}}
                             .dump());
}

bool TokenIssuer::accepts(const HttpRequest& request) const {
  const std::string_view auth = sv(request[boost::beast::http::field::authorization]);
  if (!auth.starts_with("Bearer ")) return false;
  const std::string token(auth.substr(7));
  std::lock_guard lock(mutex_);
  const auto it = tokens_.find(token);
  return it != tokens_.end() && it->second > config_.clock->now();
}

SimReply TokenIssuer::refusal() {
  SimReply r = json_error(401, "invalid_token", "the access token is missing, unknown or expired");
  r.headers.emplace_back("WWW-Authenticate", "Bearer error=\"invalid_token\"");
  return r;
}

void TokenIssuer::expire_all() {
  std::lock_guard lock(mutex_);
  tokens_.clear();
}

uint64_t TokenIssuer::issued() const {
  std::lock_guard lock(mutex_);
  return issued_;
}

}  // namespace lienthong::sim
