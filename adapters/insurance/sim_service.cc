#include "adapters/insurance/sim_service.h"

#include <boost/beast/core.hpp>
#include <nlohmann/json.hpp>

#include <stdexcept>

#include "adapters/insurance/sim_json.h"
#include "gateway/core/identifiers.h"
#include "gateway/core/log.h"

namespace lienthong::insurance::sim {
namespace {

namespace http = boost::beast::http;
using lienthong::sim::json_error;
using lienthong::sim::json_reply;
using lienthong::sim::plain_reply;
using lienthong::sim::SimReply;

std::string_view sv(boost::beast::string_view s) { return {s.data(), s.size()}; }

bool ten_digits(std::string_view s) {
  return s.size() == 10 && s.find_first_not_of("0123456789") == std::string_view::npos;
}

}  // namespace

InsuranceService::InsuranceService(InsuranceSimConfig config)
    : config_(std::move(config)), tokens_(config_.tokens), knobs_(config_.knobs) {
  if (!config_.dataset || !config_.sign_detached)
    throw std::invalid_argument("InsuranceService needs a data set and a signer");
}

std::string InsuranceService::stats_json() const {
  return nlohmann::json{{"simulator", std::string(lienthong::sim::kServerHeader)},
                        {"system", "insurance"},
                        {"requests", requests_.load()},
                        {"lookups", lookups_.load()},
                        {"found", found_.load()},
                        {"not_found", not_found_.load()},
                        {"refused", refused_.load()},
                        {"tokens_issued", tokens_.issued()},
                        {"injected_errors", injected_errors_.load()},
                        {"injected_timeouts", injected_timeouts_.load()},
                        {"bad_signatures", bad_signatures_.load()},
                        {"connections", connections_.load()},
                        {"connections_total", connections_total_.load()}}
      .dump();
}

SimReply InsuranceService::handle(const lienthong::sim::HttpRequest& request, bool from_loopback) {
  const std::string_view full = sv(request.target());
  const std::string_view target = lienthong::sim::target_path(full);
  const auto method = request.method();
  if (target == kTokenPath) {
    if (method != http::verb::post) return plain_reply(405, "use POST for /token");
    return tokens_.issue(request);
  }
  if (target == kLookupPath) {
    if (method != http::verb::get) return plain_reply(405, "use GET for " + std::string(kLookupPath));
    return lookup(request);
  }
  if (target == "/healthz") return plain_reply(200, "ok (SIMULATOR)\n");
  if (target == "/sim/stats") return json_reply(200, stats_json());
  if (target == "/sim/insured") return insured_page(full);
  if (target == "/sim/knobs") {
    std::lock_guard lock(mutex_);
    if (method == http::verb::get) return json_reply(200, lienthong::sim::knobs_json(knobs_));
    if (!from_loopback) return plain_reply(403, "knobs are set from loopback only");
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

SimReply InsuranceService::lookup(const lienthong::sim::HttpRequest& request) {
  ++requests_;
  const uint64_t n = request_counter_++;
  lienthong::sim::Knobs k;
  {
    std::lock_guard lock(mutex_);
    k = knobs_;
  }
  if (!tokens_.accepts(request)) {
    ++refused_;
    return lienthong::sim::TokenIssuer::refusal();
  }
  // Every call names the officer who asks (as the population DB requires, DESIGN.md §3).
  if (!parse_personal_id(sv(request["X-Officer-Id"])) || request["X-Officer-Account"].empty()) {
    ++refused_;
    return json_error(400, "officer_required",
                      "X-Officer-Id (a 12-digit personal ID) and X-Officer-Account are required");
  }
  const std::string_view full = sv(request.target());
  const std::string_view code = lienthong::sim::query_value(full, "maSoBHXH");
  const std::string_view personal_id = lienthong::sim::query_value(full, "soDinhDanh");
  std::optional<uint64_t> index;
  if (!code.empty() && personal_id.empty()) {
    if (!ten_digits(code)) {
      ++refused_;
      return json_error(400, "invalid_request", "maSoBHXH must be 10 digits");
    }
    index = config_.dataset->index_of_code(code);
  } else if (!personal_id.empty() && code.empty()) {
    if (auto id = parse_personal_id(personal_id); !id) {
      ++refused_;
      return json_error(400, "invalid_request", id.error().detail);
    }
    index = config_.dataset->index_of_personal_id(personal_id);
  } else {
    ++refused_;
    return json_error(400, "invalid_request", "give exactly one of maSoBHXH and soDinhDanh");
  }

  const std::chrono::milliseconds delay(k.latency_ms);
  if (lienthong::sim::fault_draw(config_.seed, n, lienthong::sim::kTimeout) < k.timeout_rate) {
    ++injected_timeouts_;
    SimReply hold;
    hold.hold = true;
    return hold;
  }
  if (lienthong::sim::fault_draw(config_.seed, n, lienthong::sim::kError) < k.error_rate) {
    ++injected_errors_;
    SimReply r = json_error(500, "server_error", "simulated upstream failure (--error-rate)");
    r.delay = delay;
    return r;
  }
  ++lookups_;
  ++(index ? found_ : not_found_);
  std::string body = index ? render_answer(config_.dataset->at(*index)) : render_not_found();
  auto signature = config_.sign_detached(body);
  if (!signature) {
    LT_LOG(error, "lienthong-sim (SIMULATOR): cannot sign the answer: {}", signature.error().detail);
    return json_error(500, "server_error", "the simulator could not sign its answer");
  }
  if (lienthong::sim::fault_draw(config_.seed, n, lienthong::sim::kBadSignature) <
      k.bad_signature_rate) {
    body.insert(body.size() - 1, " ");
    ++bad_signatures_;
  }
  SimReply r = json_reply(200, std::move(body));
  r.headers.emplace_back(std::string(kSignatureHeader), std::move(*signature));
  r.delay = delay;
  return r;
}

SimReply InsuranceService::insured_page(std::string_view target) const {
  const uint64_t start = lienthong::sim::query_number(target, "start", 0);
  const uint64_t count = std::min<uint64_t>(lienthong::sim::query_number(target, "count", 10), 1000);
  nlohmann::json people = nlohmann::json::array();
  for (uint64_t i = start; i < config_.dataset->size() && i - start < count; ++i) {
    const InsuredPerson p = config_.dataset->at(i);
    people.push_back({{"maSoBHXH", p.insurance_code},
                      {"soDinhDanh", p.citizen.personal_id},
                      {"periods", p.periods.size()}});
  }
  return json_reply(200, nlohmann::json{{"insured", people},
                                        {"size", config_.dataset->size()},
                                        {"simulator", std::string(lienthong::sim::kServerHeader)}}
                             .dump());
}

}  // namespace lienthong::insurance::sim
