#include "adapters/business/sim_service.h"

#include <boost/beast/core.hpp>
#include <nlohmann/json.hpp>

#include <stdexcept>

#include "gateway/core/identifiers.h"

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
    : config_(std::move(config)), controls_(config_.tokens, config_.knobs, config_.seed) {
  if (!config_.dataset || !config_.sign_detached)
    throw std::invalid_argument("BusinessService needs a data set and a signer");
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
  s.tokens_issued = controls_.tokens().issued();
  s.auth_failures = counters_.auth_failures;
  s.bad_requests = counters_.bad_requests;
  s.injected_errors = faults_.injected_errors;
  s.injected_timeouts = faults_.injected_timeouts;
  s.bad_signatures = faults_.bad_signatures;
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
  if (auto control = controls_.handle(request, target, from_loopback)) {
    if (target == "/token" && control->status == 401) ++counters_.auth_failures;
    return *control;
  }
  if (target == kLookupPath) {
    if (request.method() != http::verb::get)
      return plain_reply(405, "use GET for " + std::string(kLookupPath));
    return lookup(request);
  }
  if (target == "/healthz") return plain_reply(200, "ok (SIMULATOR)\n");
  if (target == "/sim/stats") return json_reply(200, stats_json());
  if (target == "/sim/enterprises") return enterprises_page(full);
  return plain_reply(404, "not a path of this simulator");
}

SimReply BusinessService::lookup(const lienthong::sim::HttpRequest& request) {
  ++counters_.requests;
  const auto call = controls_.next_call();
  if (!controls_.tokens().accepts(request)) {
    ++counters_.auth_failures;
    return lienthong::sim::TokenIssuer::refusal();
  }
  const std::string_view msdn = lienthong::sim::query_value(sv(request.target()), "msdn");
  auto code = parse_enterprise_code(msdn);
  if (!code) {
    ++counters_.bad_requests;
    return json_error(400, "invalid_request", code.error().detail);
  }
  if (auto fault = controls_.injected_fault(call, faults_)) return *fault;

  ++counters_.lookups;
  auto enterprise = config_.dataset->find(code->base);
  if (enterprise && !code->branch.empty()) enterprise = branch_of(*enterprise, code->branch);
  ++(enterprise ? counters_.found : counters_.not_found);
  return controls_.signed_answer(
      enterprise ? render_answer(*enterprise, config_.shape) : render_not_found(config_.shape),
      config_.sign_detached, call, faults_);
}

std::optional<Enterprise> branch_of(const Enterprise& head_office, const std::string& branch) {
  // Deterministic: enterprise i has i % 3 branches, numbered 001, 002. A branch is registered
  // under the head office's code with its own suffix (FORMATS.md: "0306182043-001").
  const int number = std::stoi(branch);
  if (number < 1 || static_cast<uint64_t>(number) > head_office.index % 3) return std::nullopt;
  Enterprise out = head_office;
  out.code = head_office.code + "-" + branch;
  out.name = "CHI NHÁNH " + branch + " - " + head_office.name;
  out.capital = 0;  // a dependent unit has no charter capital of its own
  return out;
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
