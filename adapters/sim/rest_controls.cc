#include "adapters/sim/rest_controls.h"

#include <boost/beast/http.hpp>

#include "gateway/core/log.h"

namespace lienthong::sim {

namespace http = boost::beast::http;

Knobs RestControls::knobs() const {
  std::lock_guard lock(mutex_);
  return knobs_;
}

std::optional<SimReply> RestControls::handle(const HttpRequest& request, std::string_view path,
                                             bool from_loopback) {
  const auto method = request.method();
  if (path == "/token") {
    if (method != http::verb::post) return plain_reply(405, "use POST for /token");
    return tokens_.issue(request);
  }
  if (path == "/sim/knobs") {
    std::lock_guard lock(mutex_);
    if (method == http::verb::get) return json_reply(200, knobs_json(knobs_));
    if (!from_loopback) return plain_reply(403, "knobs are set from loopback only");
    auto next = apply_knobs_json(knobs_, request.body());
    if (!next) return plain_reply(400, next.error().detail);
    knobs_ = *next;
    return json_reply(200, knobs_json(knobs_));
  }
  if (path == "/sim/expire-tokens") {
    if (method != http::verb::post || !from_loopback)
      return plain_reply(403, "POST from loopback only");
    tokens_.expire_all();
    return json_reply(200, R"({"tokens":"expired"})");
  }
  return std::nullopt;
}

RestControls::Call RestControls::next_call() {
  Call call;
  call.number = calls_++;
  call.knobs = knobs();
  call.delay = std::chrono::milliseconds(call.knobs.latency_ms);
  if (call.knobs.latency_jitter_ms > 0) {
    call.delay += std::chrono::milliseconds(static_cast<int64_t>(
        fault_draw(seed_, call.number, kJitter) * call.knobs.latency_jitter_ms));
  }
  return call;
}

std::optional<SimReply> RestControls::injected_fault(const Call& call,
                                                     FaultCounters& counters) const {
  if (fault_draw(seed_, call.number, kTimeout) < call.knobs.timeout_rate) {
    ++counters.injected_timeouts;
    SimReply hold;
    hold.hold = true;
    return hold;
  }
  if (fault_draw(seed_, call.number, kError) < call.knobs.error_rate) {
    ++counters.injected_errors;
    SimReply r = json_error(500, "server_error", "simulated upstream failure (--error-rate)");
    r.delay = call.delay;
    return r;
  }
  return std::nullopt;
}

SimReply RestControls::signed_answer(std::string body, const DetachedSigner& sign, const Call& call,
                                     FaultCounters& counters) const {
  auto signature = sign(body);
  if (!signature) {
    LT_LOG(error, "lienthong-sim (SIMULATOR): cannot sign the answer: {}", signature.error().detail);
    return json_error(500, "server_error", "the simulator could not sign its answer");
  }
  if (fault_draw(seed_, call.number, kBadSignature) < call.knobs.bad_signature_rate) {
    body.insert(body.size() - 1, " ");  // still valid JSON, no longer the signed bytes
    ++counters.bad_signatures;
  }
  SimReply r = json_reply(200, std::move(body));
  r.headers.emplace_back(std::string(kSignatureHeader), std::move(*signature));
  r.delay = call.delay;
  return r;
}

}  // namespace lienthong::sim
