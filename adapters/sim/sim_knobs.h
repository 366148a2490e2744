// The fault knobs every SIMULATOR offers (latency, errors, timeouts, bad signatures), their
// JSON form for POST /sim/knobs, and the deterministic draw that decides which request gets
// which fault: the same run of requests meets the same faults.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "adapters/sim/sim_server.h"
#include "gateway/core/error.h"

namespace lienthong::sim {

inline constexpr uint32_t kMaxLatencyMs = 600'000;

struct Knobs {
  uint32_t latency_ms = 0;         // added before every answer to the lookup endpoint
  uint32_t latency_jitter_ms = 0;  // plus a deterministic 0..jitter
  double error_rate = 0;           // share of lookups answered HTTP 500
  double timeout_rate = 0;         // share never answered (the connection closes later)
  double bad_signature_rate = 0;   // share whose signed answer is altered after signing
};

// {"latency_ms":..,...}; apply_knobs_json refuses unknown keys, wrong types and rates outside
// [0, 1], and leaves keys that are absent unchanged.
std::string knobs_json(const Knobs& knobs);
Result<Knobs> apply_knobs_json(Knobs current, std::string_view json);

// Fault purposes: separate draws so one knob does not shift another's choices.
enum FaultPurpose : uint64_t { kJitter = 1, kTimeout = 2, kError = 3, kBadSignature = 4 };

// Uniform in [0, 1) from (seed, request number, purpose).
double fault_draw(uint64_t seed, uint64_t request_number, uint64_t purpose);

// Replies every simulator sends alike.
SimReply plain_reply(unsigned status, std::string body);
SimReply json_reply(unsigned status, std::string body);

}  // namespace lienthong::sim
