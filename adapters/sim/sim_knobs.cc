#include "adapters/sim/sim_knobs.h"

#include <nlohmann/json.hpp>

#include "adapters/sim/draws.h"

namespace lienthong::sim {

std::string knobs_json(const Knobs& k) {
  return nlohmann::json{{"latency_ms", k.latency_ms},
                        {"latency_jitter_ms", k.latency_jitter_ms},
                        {"error_rate", k.error_rate},
                        {"timeout_rate", k.timeout_rate},
                        {"bad_signature_rate", k.bad_signature_rate}}
      .dump();
}

Result<Knobs> apply_knobs_json(Knobs current, std::string_view text) {
  const auto doc = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object())
    return fail(ErrorCode::kBadRequest, "knobs must be a JSON object");
  for (const auto& [key, value] : doc.items()) {
    if (key == "latency_ms" || key == "latency_jitter_ms") {
      if (!value.is_number_unsigned() || value.get<uint64_t>() > kMaxLatencyMs)
        return fail(ErrorCode::kBadRequest,
                    key + " must be an integer from 0 to " + std::to_string(kMaxLatencyMs));
      (key == "latency_ms" ? current.latency_ms : current.latency_jitter_ms) =
          static_cast<uint32_t>(value.get<uint64_t>());
    } else if (key == "error_rate" || key == "timeout_rate" || key == "bad_signature_rate") {
      if (!value.is_number() || value.get<double>() < 0 || value.get<double>() > 1)
        return fail(ErrorCode::kBadRequest, key + " must be a number from 0 to 1");
      double& rate = key == "error_rate"     ? current.error_rate
                     : key == "timeout_rate" ? current.timeout_rate
                                             : current.bad_signature_rate;
      rate = value.get<double>();
    } else {
      return fail(ErrorCode::kBadRequest, "unknown knob '" + key + "'");
    }
  }
  return current;
}

double fault_draw(uint64_t seed, uint64_t request_number, uint64_t purpose) {
  const uint64_t h = mix(mix(seed ^ (purpose << 58)) ^ request_number);
  return static_cast<double>(h >> 11) * 0x1.0p-53;
}

SimReply plain_reply(unsigned status, std::string body) {
  SimReply r;
  r.status = status;
  r.content_type = "text/plain; charset=utf-8";
  r.body = std::move(body);
  return r;
}

SimReply json_reply(unsigned status, std::string body) {
  SimReply r;
  r.status = status;
  r.content_type = "application/json";
  r.body = std::move(body);
  return r;
}

}  // namespace lienthong::sim
