#include "adapters/business/sim_service.h"

#include <boost/beast/core.hpp>
#include <nlohmann/json.hpp>

#include <stdexcept>

#include "gateway/core/identifiers.h"
#include "gateway/core/log.h"

namespace lienthong::business::sim {
namespace {

namespace http = boost::beast::http;
using lienthong::sim::json_error;
using lienthong::sim::json_reply;
using lienthong::sim::plain_reply;
using lienthong::sim::SimReply;

std::string_view sv(boost::beast::string_view s) { return {s.data(), s.size()}; }

}  // namespace

BusinessService::BusinessService(BusinessSimConfig config)
    : config_(std::move(config)), tokens_(config_.tokens) {
  if (!config_.dataset || !config_.sign_detached || !config_.clock)
    throw std::invalid_argument("BusinessService needs a data set, a signer and a clock");
  knobs_ = config_.knobs;
}

void BusinessService::connection_opened() {
  ++counters_.connections;
  ++counters_.connections_total;
}

void BusinessService::connection_closed() { --counters_.connections; }

BusinessService::Stats BusinessService::stats() const {
  Stats s;
  s.requests = counters_.requests;
  s.lookups = counters_.lookups;
  s.found = counters_.found;
  s.not_found = counters_.not_found;
  s.tokens_issued = counters_.tokens_issued;
  s.auth_failures = counters_.auth_failures;
  s.bad_requests = counters_.bad_requests;
  s.injected_errors = counters_.injected_errors;
  s.injected_timeouts = counters_.injected_timeouts;
  s.bad_signatures = counters_.bad_signatures;
  s.connections = counters_.connections;
  s.connections_total = counters_.connections_total;
  return s;
}

std::string BusinessService::stats_json() const {
  const Stats s = stats();
  return nlohmann::json{{"simulator", std::string(lienthong::sim::kServerHeader)},
                        {"system", "business"},
                        {"requests", s.requests},
                        {"lookups", s.lookups},
                        {"found", s.found},
                        {"not_found", s.not_found},
                        {"tokens_issued", s.tokens_issued},
                        {"auth_failures", s.auth_failures},
                        {"bad_requests", s.bad_requests},
                        {"injected_errors", s.injected_errors},
                        {"injected_timeouts", s.injected_timeouts},
                        {"bad_signatures", s.bad_signatures},
                        {"connections", s.connections},
                        {"connections_total", s.connections_total}}
      .dump();
}

SimReply BusinessService::handle(const lienthong::sim::HttpRequest& request, bool from_loopback) {
  const std::string_view full = sv(request.target());
  const std::string_view target = lienthong::sim::target_path(full);
  const auto method = request.method();

  if (target == kTokenPath) {
    if (method != http::verb::post) return plain_reply(405, "use POST for /token");
    SimReply issued = tokens_.issue(request);
    ++(issued.status == 200 ? counters_.tokens_issued : counters_.auth_failures);
    return issued;
  }
  if (target == kLookupPath) {
    if (method != http::verb::get) return plain_reply(405, "use GET for " + std::string(kLookupPath));
    return lookup(request);
  }
  if (target == "/healthz") return plain_reply(200, "ok (SIMULATOR)\n");
  if (target == "/sim/stats") return json_reply(200, stats_json());
  if (target == "/sim/enterprises") return enterprises_page(full);
  if (target == "/sim/knobs") {
    if (method == http::verb::get) {
      std::lock_guard lock(mutex_);
      return json_reply(200, lienthong::sim::knobs_json(knobs_));
    }
    if (!from_loopback) return plain_reply(403, "knobs are set from loopback only");
    std::lock_guard lock(mutex_);
    auto next = lienthong::sim::apply_knobs_json(knobs_, request.body());
    if (!next) return plain_reply(400, next.error().detail);
    knobs_ = *next;
    return json_reply(200, lienthong::sim::knobs_json(knobs_));
  }
  if (target == "/sim/expire-tokens") {
    if (method != http::verb::post || !from_loopback)
      return plain_reply(403, "POST from loopback only");
    tokens_.expire_all();
    return json_reply(200, R"({"tokens":"expired"})");
  }
  return plain_reply(404, "not a path of this simulator");
}

SimReply BusinessService::lookup(const lienthong::sim::HttpRequest& request) {
  ++counters_.requests;
  const uint64_t n = request_counter_++;
  lienthong::sim::Knobs k;
  {
    std::lock_guard lock(mutex_);
    k = knobs_;
  }
  std::chrono::milliseconds delay(k.latency_ms);
  if (k.latency_jitter_ms > 0) {
    delay += std::chrono::milliseconds(static_cast<int64_t>(
        lienthong::sim::fault_draw(config_.seed, n, lienthong::sim::kJitter) * k.latency_jitter_ms));
  }
  if (!tokens_.accepts(request)) {
    ++counters_.auth_failures;
    return lienthong::sim::TokenIssuer::refusal();
  }
  const std::string_view msdn = lienthong::sim::query_value(sv(request.target()), "msdn");
  auto code = parse_enterprise_code(msdn);
  if (!code) {
    ++counters_.bad_requests;
    return json_error(400, "invalid_request", code.error().detail);
  }
  if (lienthong::sim::fault_draw(config_.seed, n, lienthong::sim::kTimeout) < k.timeout_rate) {
    ++counters_.injected_timeouts;
    SimReply hold;
    hold.hold = true;
    return hold;
  }
  if (lienthong::sim::fault_draw(config_.seed, n, lienthong::sim::kError) < k.error_rate) {
    ++counters_.injected_errors;
    SimReply r = json_error(500, "server_error", "simulated upstream failure (--error-rate)");
    r.delay = delay;
    return r;
  }

  ++counters_.lookups;
  // Branches (-NNN) are not simulated: their head office answers.
  const auto enterprise = config_.dataset->find(code->base);
  ++(enterprise ? counters_.found : counters_.not_found);
  std::string body = enterprise ? render_answer(*enterprise, config_.shape)
                                : render_not_found(config_.shape);
  auto signature = config_.sign_detached(body);
  if (!signature) {
    LT_LOG(error, "lienthong-sim (SIMULATOR): cannot sign the answer: {}", signature.error().detail);
    return json_error(500, "server_error", "the simulator could not sign its answer");
  }
  if (lienthong::sim::fault_draw(config_.seed, n, lienthong::sim::kBadSignature) <
      k.bad_signature_rate) {
    // Still valid JSON, no longer the signed bytes.
    body.insert(body.size() - 1, " ");
    ++counters_.bad_signatures;
  }
  SimReply r = json_reply(200, std::move(body));
  r.headers.emplace_back(std::string(kSignatureHeader), std::move(*signature));
  r.delay = delay;
  return r;
}

SimReply BusinessService::enterprises_page(std::string_view target) const {
  const uint64_t start = lienthong::sim::query_number(target, "start", 0);
  const uint64_t count = std::min<uint64_t>(lienthong::sim::query_number(target, "count", 10), 1000);
  nlohmann::json codes = nlohmann::json::array();
  for (uint64_t i = start; i < config_.dataset->size() && i - start < count; ++i)
    codes.push_back(config_.dataset->code_at(i));
  return json_reply(200, nlohmann::json{{"enterprises", codes},
                                        {"size", config_.dataset->size()},
                                        {"simulator", std::string(lienthong::sim::kServerHeader)}}
                             .dump());
}

}  // namespace lienthong::business::sim
