// What the REST simulators (enterprise registry, social insurance) share beyond the server:
// the API manager's tokens, the fault knobs and their control endpoints, the injected faults of
// one call, and the signed answer with its detached JWS (and the bad-signature knob).
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "adapters/sim/sim_knobs.h"
#include "adapters/sim/sim_server.h"
#include "adapters/sim/sim_tokens.h"
#include "gateway/core/error.h"
#include "gateway/crypto/jws_verifier.h"

namespace lienthong::sim {

inline constexpr std::string_view kSignatureHeader = crypto::kJwsSignatureHeader;

// The detached JWS (compact, "header..signature") over an answer's exact bytes.
using DetachedSigner = std::function<Result<std::string>(std::string_view body)>;

// Counters of what the faults and the signing did, for each simulator's /sim/stats.
struct FaultCounters {
  std::atomic<uint64_t> injected_errors{0}, injected_timeouts{0}, bad_signatures{0};
};

class RestControls {
 public:
  RestControls(TokenIssuerConfig tokens, Knobs knobs, uint64_t seed)
      : tokens_(std::move(tokens)), knobs_(knobs), seed_(seed) {}

  TokenIssuer& tokens() { return tokens_; }
  const TokenIssuer& tokens() const { return tokens_; }
  Knobs knobs() const;

  // POST /token, GET/POST /sim/knobs, POST /sim/expire-tokens; nullopt for any other path.
  std::optional<SimReply> handle(const HttpRequest& request, std::string_view path,
                                 bool from_loopback);

  // The numbered draw of one lookup: its delay, and the injected timeout or 500 it meets, if any.
  struct Call {
    uint64_t number = 0;
    Knobs knobs;
    std::chrono::milliseconds delay{0};
  };
  Call next_call();
  std::optional<SimReply> injected_fault(const Call& call, FaultCounters& counters) const;

  // 200 with `body` and its detached JWS in X-JWS-Signature; with the bad-signature knob the
  // body is changed after signing (still valid JSON). 500 when signing fails.
  SimReply signed_answer(std::string body, const DetachedSigner& sign, const Call& call,
                         FaultCounters& counters) const;

 private:
  TokenIssuer tokens_;
  mutable std::mutex mutex_;  // knobs_
  Knobs knobs_;
  uint64_t seed_;
  std::atomic<uint64_t> calls_{0};
};

}  // namespace lienthong::sim
