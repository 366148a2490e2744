#include "adapters/insurance/sim_service.h"

#include <boost/beast/core.hpp>
#include <nlohmann/json.hpp>

#include <stdexcept>

#include "adapters/insurance/sim_json.h"
#include "gateway/core/identifiers.h"

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
    : config_(std::move(config)), controls_(config_.tokens, config_.knobs, config_.seed) {
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
                        {"tokens_issued", controls_.tokens().issued()},
                        {"injected_errors", faults_.injected_errors.load()},
                        {"injected_timeouts", faults_.injected_timeouts.load()},
                        {"bad_signatures", faults_.bad_signatures.load()},
                        {"connections", connections_.load()},
                        {"connections_total", connections_total_.load()}}
      .dump();
}

SimReply InsuranceService::handle(const lienthong::sim::HttpRequest& request, bool from_loopback) {
  const std::string_view full = sv(request.target());
  const std::string_view target = lienthong::sim::target_path(full);
  if (auto control = controls_.handle(request, target, from_loopback)) return *control;
  if (target == kLookupPath) {
    if (request.method() != http::verb::get)
      return plain_reply(405, "use GET for " + std::string(kLookupPath));
    return lookup(request);
  }
  if (target == "/healthz") return plain_reply(200, "ok (SIMULATOR)\n");
  if (target == "/sim/stats") return json_reply(200, stats_json());
  if (target == "/sim/insured") return insured_page(full);
  return plain_reply(404, "not a path of this simulator");
}

SimReply InsuranceService::lookup(const lienthong::sim::HttpRequest& request) {
  ++requests_;
  const auto call = controls_.next_call();
  if (!controls_.tokens().accepts(request)) {
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

  if (auto fault = controls_.injected_fault(call, faults_)) return *fault;
  ++lookups_;
  ++(index ? found_ : not_found_);
  return controls_.signed_answer(
      index ? render_answer(config_.dataset->at(*index)) : render_not_found(),
      config_.sign_detached, call, faults_);
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
