#include "adapters/population/sim_server.h"

#include <boost/beast/core.hpp>
#include <nlohmann/json.hpp>

#include <charconv>
#include <optional>

#include "gateway/core/log.h"

namespace lienthong::population::sim {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;

constexpr const char* kXmlContentType = "text/xml; charset=utf-8";
using lienthong::sim::fault_draw;
using lienthong::sim::json_reply;
using lienthong::sim::kBadSignature;
using lienthong::sim::kError;
using lienthong::sim::kJitter;
using lienthong::sim::kTimeout;

SimReply plain(unsigned status, std::string body) {
  return lienthong::sim::plain_reply(status, std::move(body));
}

bool iequals_prefix(std::string_view value, std::string_view prefix) {
  if (value.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    char c = value[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != prefix[i]) return false;
  }
  return true;
}

// text/xml or application/xml, with or without parameters.
bool is_xml_media_type(std::string_view content_type) {
  for (std::string_view type : {"text/xml", "application/xml"}) {
    if (!iequals_prefix(content_type, type)) continue;
    const std::string_view rest = content_type.substr(type.size());
    if (rest.empty() || rest.front() == ';' || rest.front() == ' ') return true;
  }
  return false;
}

std::string_view sv(beast::string_view s) { return {s.data(), s.size()}; }

}  // namespace

// --- Knobs and statistics -------------------------------------------------------------------

std::string stats_json(const Stats& s) {
  return nlohmann::json{{"simulator", std::string(kServerHeader)},
                        {"requests", s.requests},
                        {"lookups", s.lookups},
                        {"found", s.found},
                        {"not_found", s.not_found},
                        {"faults", s.faults},
                        {"auth_failures", s.auth_failures},
                        {"bad_requests", s.bad_requests},
                        {"injected_errors", s.injected_errors},
                        {"injected_timeouts", s.injected_timeouts},
                        {"bad_signatures", s.bad_signatures},
                        {"connections", s.connections},
                        {"connections_total", s.connections_total}}
      .dump();
}

// --- SimService -------------------------------------------------------------------------------

SimService::SimService(SimServiceConfig config)
    : config_(std::move(config)), knobs_(config_.knobs) {
  if (!config_.dataset || !config_.signer || !config_.clock)
    throw std::invalid_argument("SimService needs a data set, a signer and a clock");
}

Stats SimService::stats() const {
  Stats s;
  s.requests = counters_.requests.load();
  s.lookups = counters_.lookups.load();
  s.found = counters_.found.load();
  s.not_found = counters_.not_found.load();
  s.faults = counters_.faults.load();
  s.auth_failures = counters_.auth_failures.load();
  s.bad_requests = counters_.bad_requests.load();
  s.injected_errors = counters_.injected_errors.load();
  s.injected_timeouts = counters_.injected_timeouts.load();
  s.bad_signatures = counters_.bad_signatures.load();
  s.connections = counters_.connections.load();
  s.connections_total = counters_.connections_total.load();
  return s;
}

void SimService::reset_stats() {
  // Open connections are a state, not a history: they survive a reset.
  for (auto* c : {&counters_.requests, &counters_.lookups, &counters_.found, &counters_.not_found,
                  &counters_.faults, &counters_.auth_failures, &counters_.bad_requests,
                  &counters_.injected_errors, &counters_.injected_timeouts,
                  &counters_.bad_signatures, &counters_.connections_total})
    c->store(0);
}

Knobs SimService::knobs() const {
  std::lock_guard lock(knobs_mutex_);
  return knobs_;
}

void SimService::set_knobs(const Knobs& knobs) {
  std::lock_guard lock(knobs_mutex_);
  knobs_ = knobs;
}

void SimService::connection_opened() {
  ++counters_.connections;
  ++counters_.connections_total;
}

void SimService::connection_closed() { --counters_.connections; }

double SimService::draw(uint64_t request_number, uint64_t purpose) const {
  return fault_draw(config_.seed, request_number, purpose);
}

SimReply SimService::fault(unsigned status, std::string_view fault_code, std::string_view error,
                           std::string_view message, std::chrono::milliseconds delay) {
  ++counters_.faults;
  LT_LOG(debug, "lienthong-sim (SIMULATOR): HTTP {} {}: {}", status, error, message);
  SimReply r;
  r.status = status;
  r.content_type = kXmlContentType;
  r.body = render_fault(fault_code, error, message);
  r.delay = delay;
  return r;
}

SimReply SimService::handle(const HttpRequest& request, bool from_loopback) {
  std::string_view target = sv(request.target());
  target = target.substr(0, target.find('?'));
  const auto method = request.method();

  if (target == kLookupPath) {
    if (method != http::verb::post) return plain(405, "use POST for " + std::string(kLookupPath));
    return lookup(request);
  }
  if (target == "/healthz" && method == http::verb::get) return plain(200, "ok (SIMULATOR)");
  if (target == "/sim/stats" && method == http::verb::get)
    return json_reply(200, stats_json(stats()));
  if (target == "/sim/knobs" && method == http::verb::get)
    return json_reply(200, knobs_json(knobs()));
  if (target == "/sim/citizens" && method == http::verb::get) {
    const std::string_view full = sv(request.target());
    const size_t q = full.find('?');
    return citizens_page(q == std::string_view::npos ? std::string_view() : full.substr(q + 1));
  }
  if (target == "/sim/reset-stats" || target == "/sim/knobs") {
    if (method != http::verb::post) return plain(405, "use GET or POST");
    if (!from_loopback)
      return plain(403, "simulator controls are accepted from a loopback address only");
    if (target == "/sim/reset-stats") {
      reset_stats();
      return json_reply(200, stats_json(stats()));
    }
    std::lock_guard lock(knobs_mutex_);
    auto updated = apply_knobs_json(knobs_, request.body());
    if (!updated) return json_reply(400, nlohmann::json{{"error", updated.error().detail}}.dump());
    knobs_ = *updated;
    LT_LOG(info, "lienthong-sim (SIMULATOR): knobs now {}", knobs_json(knobs_));
    return json_reply(200, knobs_json(knobs_));
  }
  return plain(404, "no such resource on lienthong-sim (SIMULATOR)");
}

SimReply SimService::citizens_page(std::string_view query) const {
  uint64_t start = 0, count = 10;
  while (!query.empty()) {
    const std::string_view pair = query.substr(0, query.find('&'));
    query.remove_prefix(std::min(query.size(), pair.size() + 1));
    const size_t eq = pair.find('=');
    if (eq == std::string_view::npos) continue;
    const std::string_view key = pair.substr(0, eq), value = pair.substr(eq + 1);
    uint64_t number = 0;
    if (std::from_chars(value.data(), value.data() + value.size(), number).ec != std::errc() ||
        (key != "start" && key != "count"))
      return json_reply(400, R"({"error":"use /sim/citizens?start=N&count=M"})");
    (key == "start" ? start : count) = number;
  }
  count = std::min<uint64_t>(count, 1000);
  nlohmann::json page = nlohmann::json::array();
  for (uint64_t i = start; i < config_.dataset->size() && i < start + count; ++i) {
    const Citizen c = config_.dataset->at(i);
    page.push_back({{"index", i},
                    {"SoDinhDanh", c.personal_id},
                    {"HoVaTen", c.name.full()},
                    {"NgayThangNam", c.birth_date},
                    {"GioiTinh", std::to_string(c.gender)}});
  }
  return json_reply(200, page.dump());
}

SimReply SimService::lookup(const HttpRequest& request) {
  const uint64_t n = request_counter_.fetch_add(1);
  ++counters_.requests;
  const Knobs k = knobs();
  auto delay = std::chrono::milliseconds(k.latency_ms);
  if (k.latency_jitter_ms > 0)
    delay += std::chrono::milliseconds(
        static_cast<uint32_t>(draw(n, kJitter) * (k.latency_jitter_ms + 1.0)));

  if (!is_xml_media_type(sv(request[http::field::content_type]))) {
    ++counters_.bad_requests;
    return fault(415, "soapenv:Client", "BAD_REQUEST",
                 "Content-Type must be text/xml or application/xml", delay);
  }
  if (request.find("SOAPAction") == request.end()) {
    ++counters_.bad_requests;
    return fault(400, "soapenv:Client", "BAD_REQUEST", "missing SOAPAction header", delay);
  }
  const AuthHeaders headers{sv(request["Timestamp"]), sv(request["ApiKey"]),
                            sv(request[http::field::authorization]), sv(request["X-Road-Client"])};
  if (auto auth =
          check_auth(config_.credentials, headers, config_.clock->now(), config_.clock_skew);
      !auth) {
    ++counters_.auth_failures;
    return fault(401, "soapenv:Client", "UNAUTHORIZED", auth.error().detail, delay);
  }
  auto parsed = parse_lookup_request(request.body());
  if (!parsed) {
    ++counters_.bad_requests;
    return fault(400, "soapenv:Client", "BAD_REQUEST", parsed.error().detail, delay);
  }

  if (draw(n, kTimeout) < k.timeout_rate) {
    ++counters_.injected_timeouts;
    SimReply hold;
    hold.hold = true;
    return hold;
  }
  if (draw(n, kError) < k.error_rate) {
    ++counters_.injected_errors;
    return fault(500, "soapenv:Server", "INJECTED_ERROR",
                 "simulated upstream failure (--error-rate)", delay);
  }

  ++counters_.lookups;
  std::optional<Citizen> citizen = config_.dataset->find(parsed->personal_id);
  if (citizen && !matches(*citizen, *parsed)) citizen.reset();
  ++(citizen ? counters_.found : counters_.not_found);

  const std::string collection =
      render_collection(*parsed, citizen ? &*citizen : nullptr, config_.clock->now());
  auto signed_collection =
      config_.signer->sign_element(collection, collection_id(parsed->request_id));
  auto signed_doc = signed_collection ? Result<std::string>(wrap_in_envelope(*signed_collection))
                                      : tl::unexpected(signed_collection.error());
  if (!signed_doc) {
    LT_LOG(error, "lienthong-sim (SIMULATOR): cannot sign the answer: {}",
           signed_doc.error().detail);
    return fault(500, "soapenv:Server", "INTERNAL", "the simulator could not sign its answer",
                 delay);
  }
  if (draw(n, kBadSignature) < k.bad_signature_rate && tamper_signed_response(*signed_doc))
    ++counters_.bad_signatures;

  SimReply r;
  r.status = 200;
  r.content_type = kXmlContentType;
  r.body = std::move(*signed_doc);
  r.delay = delay;
  return r;
}

}  // namespace lienthong::population::sim
