#include "adapters/land/sim_service.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <stdexcept>

#include "gateway/core/log.h"

namespace lienthong::land::sim {
namespace {

namespace http = boost::beast::http;
using lienthong::sim::json_reply;
using lienthong::sim::plain_reply;
using lienthong::sim::SimReply;

constexpr const char* kXmlContentType = "text/xml; charset=utf-8";

std::string_view sv(boost::beast::string_view s) { return {s.data(), s.size()}; }

}  // namespace

LandSimService::LandSimService(LandSimConfig config)
    : config_(std::move(config)), knobs_(config_.knobs) {
  if (!config_.dataset || !config_.signer || !config_.clock) {
    throw std::invalid_argument("LandSimService needs a data set, a signer and a clock");
  }
}

Result<std::shared_ptr<LandSimService>> make_land_sim_service(const LandSimOptions& o) {
  if (!o.citizens || !o.identity) {
    return fail(ErrorCode::kInternal, "land simulator: citizens and identity are required");
  }
  auto signer = crypto::CanonicalXmlSigner::create(o.identity);
  if (!signer) return tl::unexpected(signer.error());
  LandSimConfig c;
  try {  // startup only: a bad --parcels is reported, not thrown at the caller
    c.dataset = std::make_shared<const ParcelDataset>(o.citizens, o.seed, o.parcels);
  } catch (const std::invalid_argument& e) {
    return fail(ErrorCode::kBadRequest, e.what());
  }
  c.signer = *signer;
  c.knobs = o.knobs;
  c.seed = o.seed;
  return std::make_shared<LandSimService>(std::move(c));
}

void LandSimService::connection_opened() {
  ++counters_.connections;
  ++counters_.connections_total;
}

void LandSimService::connection_closed() { --counters_.connections; }

lienthong::sim::Knobs LandSimService::knobs() const {
  std::lock_guard lock(knobs_mutex_);
  return knobs_;
}

std::string LandSimService::stats_json() const {
  const auto& c = counters_;
  return nlohmann::json{{"simulator", std::string(lienthong::sim::kServerHeader)},
                        {"system", "land"},
                        {"parcels", config_.dataset->size()},
                        {"requests", c.requests.load()},
                        {"found", c.found.load()},
                        {"not_found", c.not_found.load()},
                        {"errors", c.errors.load()},
                        {"bad_requests", c.bad_requests.load()},
                        {"injected_errors", c.injected_errors.load()},
                        {"injected_timeouts", c.injected_timeouts.load()},
                        {"bad_signatures", c.bad_signatures.load()},
                        {"connections", c.connections.load()},
                        {"connections_total", c.connections_total.load()}}
      .dump();
}

SimReply LandSimService::error(unsigned status, std::string_view code, std::string_view message,
                               std::chrono::milliseconds delay) {
  ++counters_.errors;
  SimReply r;
  r.status = status;
  r.content_type = kXmlContentType;
  r.body = render_error(code, message);
  r.delay = delay;
  return r;
}

SimReply LandSimService::handle(const lienthong::sim::HttpRequest& request, bool from_loopback) {
  const std::string_view target = sv(request.target());
  const std::string_view path = lienthong::sim::target_path(target);
  const auto method = request.method();
  if (path == kLookupPath) {
    if (method != http::verb::post) return plain_reply(405, "use POST");
    return lookup(request);
  }
  if (path == "/healthz" && method == http::verb::get) return plain_reply(200, "ok (SIMULATOR)");
  if (path == "/sim/stats" && method == http::verb::get) return json_reply(200, stats_json());
  if (path == "/sim/knobs" && method == http::verb::get) {
    return json_reply(200, lienthong::sim::knobs_json(knobs()));
  }
  if (path == "/sim/parcels" && method == http::verb::get) return parcels_page(target);
  if (path == "/sim/reset-stats" || path == "/sim/knobs") {
    if (method != http::verb::post) return plain_reply(405, "use GET or POST");
    if (!from_loopback) {
      return plain_reply(403, "simulator controls are accepted from a loopback address only");
    }
    if (path == "/sim/reset-stats") {
      for (auto* c :
           {&counters_.requests, &counters_.found, &counters_.not_found, &counters_.errors,
            &counters_.bad_requests, &counters_.injected_errors, &counters_.injected_timeouts,
            &counters_.bad_signatures, &counters_.connections_total}) {
        c->store(0);
      }
      return json_reply(200, stats_json());
    }
    std::lock_guard lock(knobs_mutex_);
    auto updated = lienthong::sim::apply_knobs_json(knobs_, request.body());
    if (!updated) return json_reply(400, nlohmann::json{{"error", updated.error().detail}}.dump());
    knobs_ = *updated;
    return json_reply(200, lienthong::sim::knobs_json(knobs_));
  }
  return plain_reply(404, "no such resource on lienthong-sim (SIMULATOR)");
}

SimReply LandSimService::parcels_page(std::string_view target) const {
  const uint64_t start = lienthong::sim::query_number(target, "start", 0);
  const uint64_t count =
      std::min<uint64_t>(lienthong::sim::query_number(target, "count", 10), 1000);
  nlohmann::json page = nlohmann::json::array();
  for (uint64_t i = start; i < config_.dataset->size() && i < start + count; ++i) {
    page.push_back({{"index", i},
                    {"subject", config_.dataset->key_at(i)},
                    {"soPhatHanh", config_.dataset->serial_at(i)}});
  }
  return json_reply(200, page.dump());
}

SimReply LandSimService::lookup(const lienthong::sim::HttpRequest& request) {
  using lienthong::sim::fault_draw;
  const uint64_t n = request_counter_.fetch_add(1);
  ++counters_.requests;
  const auto k = knobs();
  auto delay = std::chrono::milliseconds(k.latency_ms);
  if (k.latency_jitter_ms > 0) {
    delay += std::chrono::milliseconds(static_cast<uint32_t>(
        fault_draw(config_.seed, n, lienthong::sim::kJitter) * (k.latency_jitter_ms + 1.0)));
  }
  // mTLS proves the gateway; the subsystem header says which of its services asks.
  if (sv(request["X-Road-Client"]).empty()) {
    ++counters_.bad_requests;
    return error(401, "UNAUTHORIZED", "missing X-Road-Client header", delay);
  }
  auto parsed = parse_land_request(request.body());
  if (!parsed) {
    ++counters_.bad_requests;
    return error(400, "BAD_REQUEST", parsed.error().detail, delay);
  }
  if (fault_draw(config_.seed, n, lienthong::sim::kTimeout) < k.timeout_rate) {
    ++counters_.injected_timeouts;
    SimReply hold;
    hold.hold = true;
    return hold;
  }
  if (fault_draw(config_.seed, n, lienthong::sim::kError) < k.error_rate) {
    ++counters_.injected_errors;
    return error(500, "INJECTED_ERROR", "simulated upstream failure (--error-rate)", delay);
  }
  const auto index = parsed->serial ? config_.dataset->index_of_serial(*parsed->serial)
                                    : config_.dataset->index_of_parcel(parsed->parcel->commune_code,
                                                                       parsed->parcel->sheet,
                                                                       parsed->parcel->number);
  std::optional<Parcel> parcel;
  if (index) parcel = config_.dataset->at(*index);
  ++(parcel ? counters_.found : counters_.not_found);

  const std::string answer =
      render_answer(*parsed, parcel ? &*parcel : nullptr, config_.clock->now());
  auto signed_answer = config_.signer->sign_element(answer, answer_id(parsed->request_id));
  if (!signed_answer) {
    LT_LOG(error, "lienthong-sim (SIMULATOR): cannot sign the land answer: {}",
           signed_answer.error().detail);
    return error(500, "INTERNAL", "the simulator could not sign its answer", delay);
  }
  if (fault_draw(config_.seed, n, lienthong::sim::kBadSignature) < k.bad_signature_rate &&
      tamper_signed_answer(*signed_answer)) {
    ++counters_.bad_signatures;
  }
  SimReply r;
  r.status = 200;
  r.content_type = kXmlContentType;
  r.body = std::move(*signed_answer);
  r.delay = delay;
  return r;
}

}  // namespace lienthong::land::sim
