// The API manager in front of the simulated REST upstreams (FORMATS.md §4, WSO2 style): it
// issues bearer tokens for client credentials and checks them on every call. Tokens are
// opaque random strings remembered until they expire, or until expire_all() (so tests can
// make the gateway meet a 401 and refresh). Thread-safe.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <string>

#include "adapters/sim/sim_server.h"
#include "gateway/core/clock.h"

namespace lienthong::sim {

struct TokenIssuerConfig {
  std::string client_id = "lienthong-dev";
  std::string client_secret = "dev-secret-not-for-production";
  std::chrono::seconds lifetime{3600};
  Clock::Ptr clock = SystemClock::instance();
};

class TokenIssuer {
 public:
  explicit TokenIssuer(TokenIssuerConfig config) : config_(std::move(config)) {}

  // POST /token: 200 with {"access_token","scope","token_type":"Bearer","expires_in"}, 401
  // invalid_client, 400 unsupported_grant_type.
  SimReply issue(const HttpRequest& request);
  // The request carries "Authorization: Bearer <a live token>".
  bool accepts(const HttpRequest& request) const;
  // The 401 a call without a live token gets, with its WWW-Authenticate challenge.
  static SimReply refusal();
  void expire_all();
  uint64_t issued() const;

 private:
  TokenIssuerConfig config_;
  mutable std::mutex mutex_;
  std::map<std::string, TimePoint> tokens_;  // token → expiry
  uint64_t issued_ = 0;
};

// {"error":..,"error_description":..,"simulator":..} with `status`.
SimReply json_error(unsigned status, std::string_view error, std::string_view description);

}  // namespace lienthong::sim
