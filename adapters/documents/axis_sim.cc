#include "adapters/documents/axis_sim.h"

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <stdexcept>

#include "adapters/documents/edxml_signature.h"
#include "adapters/documents/edxml_validate.h"
#include "adapters/documents/edxml_write.h"
#include "adapters/sim/sim_knobs.h"
#include "gateway/core/encoding.h"
#include "gateway/core/log.h"

namespace lienthong::edxml::sim {
namespace {

namespace http = boost::beast::http;
using json = nlohmann::json;
using lienthong::sim::HttpRequest;
using lienthong::sim::SimReply;

// Draw purposes of the axis's faults, apart from the shared ones (sim_knobs.h) so that turning
// one knob does not move another's choices.
constexpr uint64_t kDropDraw = 16;
constexpr uint64_t kDropAfterAcceptDraw = 17;

std::string_view sv(boost::beast::string_view s) { return {s.data(), s.size()}; }

// Text from outside (error details quoting elements) may hold bytes that are not UTF-8: replace
// them instead of letting the JSON writer throw.
std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

SimReply reply_json(unsigned status, const json& body) {
  return lienthong::sim::json_reply(status, dump(body));
}

SimReply error_reply(unsigned status, std::string_view error, std::string_view description) {
  return reply_json(status, json{{"error", error},
                                 {"error_description", description},
                                 {"simulator", std::string(lienthong::sim::kServerHeader)}});
}

SimReply refused(unsigned status, std::string_view error, const Error& e) {
  return error_reply(status, error, std::string(error_code_name(e.code)) + ": " + e.detail);
}

// "/documents/ax-00000001/status" → {"ax-00000001", "status"}; {"", ""} when not of that form.
std::pair<std::string, std::string> document_route(std::string_view path) {
  constexpr std::string_view kPrefix = "/documents/";
  if (!path.starts_with(kPrefix)) return {};
  path.remove_prefix(kPrefix.size());
  const size_t slash = path.find('/');
  const std::string id(path.substr(0, slash));
  const std::string rest(slash == std::string_view::npos ? "" : path.substr(slash + 1));
  if (id.empty() || rest.find('/') != std::string::npos) return {};
  return {id, rest};
}

bool xml_content_type(std::string_view type) {
  return type.find("application/xml") != std::string_view::npos ||
         type.find("text/xml") != std::string_view::npos;
}

}  // namespace

std::vector<Agency> default_agencies() {
  // The first four are the codes FORMATS.md §1 saw in public code; the rest are synthetic.
  // code102 equals code here: the simulator does not invent legacy codes that differ.
  return {
      {"000.00.00.G22", "000.00.00.G22", "Văn phòng Chính phủ", ""},
      {"000.00.00.H20", "000.00.00.H20", "UBND tỉnh Đồng Tháp", ""},
      {"001.00.00.H47", "001.00.00.H47", "UBND tỉnh Quảng Nam (SIMULATOR)", ""},
      {"001.00.10.H47", "001.00.10.H47", "Sở Thông tin và Truyền thông tỉnh Quảng Nam",
       "001.00.00.H47"},
      {"000.00.00.G90", "000.00.00.G90", "Bộ mô phỏng liên thông (SIMULATOR)", ""},
      {"000.00.01.G90", "000.00.01.G90", "Cục mô phỏng văn thư (SIMULATOR)", "000.00.00.G90"},
      {"000.00.00.H90", "000.00.00.H90", "UBND tỉnh mô phỏng (SIMULATOR)", ""},
      {"002.00.10.H90", "002.00.10.H90", "Sở Nội vụ tỉnh mô phỏng (SIMULATOR)", "000.00.00.H90"},
  };
}

std::string axis_knobs_json(const AxisKnobs& k) {
  return json{{"latency_ms", k.latency_ms},
              {"drop_rate", k.drop_rate},
              {"drop_after_accept_rate", k.drop_after_accept_rate}}
      .dump();
}

Result<AxisKnobs> apply_axis_knobs_json(AxisKnobs current, std::string_view text) {
  const auto doc = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object())
    return fail(ErrorCode::kBadRequest, "knobs must be a JSON object");
  for (const auto& [key, value] : doc.items()) {
    if (key == "latency_ms") {
      if (!value.is_number_unsigned() || value.get<uint64_t>() > lienthong::sim::kMaxLatencyMs)
        return fail(ErrorCode::kBadRequest, "latency_ms must be an integer from 0 to " +
                                                std::to_string(lienthong::sim::kMaxLatencyMs));
      current.latency_ms = static_cast<uint32_t>(value.get<uint64_t>());
    } else if (key == "drop_rate" || key == "drop_after_accept_rate") {
      if (!value.is_number() || value.get<double>() < 0 || value.get<double>() > 1)
        return fail(ErrorCode::kBadRequest, key + " must be a number from 0 to 1");
      (key == "drop_rate" ? current.drop_rate : current.drop_after_accept_rate) =
          value.get<double>();
    } else {
      return fail(ErrorCode::kBadRequest, "unknown knob '" + key + "'");
    }
  }
  return current;
}

AxisService::AxisService(AxisSimConfig config) : config_(std::move(config)) {
  if (!config_.clock) throw std::invalid_argument("AxisService needs a clock");
  if (config_.tokens) tokens_.emplace(*config_.tokens);
  knobs_ = config_.knobs;
}

void AxisService::connection_opened() {
  ++counters_.connections;
  ++counters_.connections_total;
}

void AxisService::connection_closed() { --counters_.connections; }

AxisKnobs AxisService::knobs() const {
  std::lock_guard lock(mutex_);
  return knobs_;
}

std::map<std::string, AxisService::DocumentCount> AxisService::document_counts() const {
  std::lock_guard lock(mutex_);
  return counts_;
}

std::string AxisService::now_text() const { return format_utc_time(config_.clock->now()); }

std::string AxisService::stats_json() const {
  json deliveries = json::object();
  size_t documents = 0, stored = 0;
  bool down = false;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [document_id, c] : counts_)
      deliveries[document_id] = {
          {"accepted", c.accepted}, {"duplicates", c.duplicates}, {"conflicts", c.conflicts}};
    documents = documents_.size();
    stored = stored_bytes_;
    down = config_.clock->now() < down_until_;
  }
  return dump(json{{"simulator", std::string(lienthong::sim::kServerHeader)},
                   {"system", "axis"},
                   {"requests", counters_.requests.load()},
                   {"documents", documents},
                   {"stored_bytes", stored},
                   {"down", down},
                   {"refused_down", counters_.refused_down.load()},
                   {"dropped", counters_.dropped.load()},
                   {"dropped_after_accept", counters_.dropped_after_accept.load()},
                   {"invalid", counters_.invalid.load()},
                   {"refused_full", counters_.refused_full.load()},
                   {"auth_failures", counters_.auth_failures.load()},
                   {"tokens_issued", tokens_ ? tokens_->issued() : 0},
                   {"connections", counters_.connections.load()},
                   {"connections_total", counters_.connections_total.load()},
                   {"deliveries", deliveries}});
}

SimReply AxisService::handle(const HttpRequest& request, bool from_loopback) {
  // The one catch at the top: what can throw below is allocation (and a JSON writer bug); the
  // connection gets a 500 instead of the server losing the coroutine.
  try {
    const std::string_view target = sv(request.target());
    const std::string_view path = lienthong::sim::target_path(target);
    if (path.starts_with("/sim/")) return control(request, path, target, from_loopback);

    ++counters_.requests;
    AxisKnobs knobs;
    {
      std::lock_guard lock(mutex_);
      knobs = knobs_;
      if (config_.clock->now() < down_until_) {
        ++counters_.refused_down;
        SimReply r = error_reply(503, "unavailable", "the axis is down (SIMULATOR, /sim/down)");
        const auto left =
            std::chrono::ceil<std::chrono::seconds>(down_until_ - config_.clock->now());
        r.headers.emplace_back("Retry-After", std::to_string(left.count()));
        return r;
      }
    }
    const uint64_t number = calls_++;
    if (lienthong::sim::fault_draw(config_.seed, number, kDropDraw) < knobs.drop_rate) {
      ++counters_.dropped;
      SimReply r;
      r.drop = true;
      return r;
    }

    SimReply reply;
    bool accepted = false;
    if (path == "/healthz") {
      reply = lienthong::sim::plain_reply(200, "ok (SIMULATOR)\n");
    } else if (path == "/token" && tokens_) {
      reply = request.method() == http::verb::post
                  ? tokens_->issue(request)
                  : lienthong::sim::plain_reply(405, "use POST for /token");
      if (reply.status == 401) ++counters_.auth_failures;
    } else if (tokens_ && !tokens_->accepts(request)) {
      ++counters_.auth_failures;
      reply = lienthong::sim::TokenIssuer::refusal();
    } else if (path == "/documents" && request.method() == http::verb::post) {
      reply = send(request, accepted);
    } else {
      reply = route(request, path, target);
    }

    if (accepted && lienthong::sim::fault_draw(config_.seed, number, kDropAfterAcceptDraw) <
                        knobs.drop_after_accept_rate) {
      // Stored (or recognised), but the sender never learns it: its retry must meet the
      // duplicate detection.
      ++counters_.dropped_after_accept;
      SimReply r;
      r.drop = true;
      return r;
    }
    reply.delay = std::chrono::milliseconds(knobs.latency_ms);
    return reply;
  } catch (const std::exception& e) {
    LT_LOG(error, "lienthong-sim (SIMULATOR) axis: request failed: {}", e.what());
    return error_reply(500, "server_error", "the simulator failed on this request");
  }
}

SimReply AxisService::control(const HttpRequest& request, std::string_view path,
                              std::string_view target, bool from_loopback) {
  if (!from_loopback) return error_reply(403, "forbidden", "/sim/* answers loopback only");
  const bool post = request.method() == http::verb::post;
  if (path == "/sim/stats") return lienthong::sim::json_reply(200, stats_json());
  if (path == "/sim/knobs") {
    std::lock_guard lock(mutex_);
    if (post) {
      auto next = apply_axis_knobs_json(knobs_, request.body());
      if (!next) return error_reply(400, "invalid_knobs", next.error().detail);
      knobs_ = *next;
    }
    return lienthong::sim::json_reply(200, axis_knobs_json(knobs_));
  }
  if (path == "/sim/down" && post) {
    constexpr uint64_t kMaxDown = 86'400;
    const uint64_t seconds = lienthong::sim::query_number(target, "seconds", kMaxDown + 1);
    if (seconds > kMaxDown)
      return error_reply(400, "invalid_request", "seconds must be an integer from 0 to 86400");
    std::lock_guard lock(mutex_);
    down_until_ = config_.clock->now() + std::chrono::seconds(seconds);
    return reply_json(
        200, json{{"down_seconds", seconds}, {"down_until", format_utc_time(down_until_)}});
  }
  if (path == "/sim/reset" && post) {
    std::lock_guard lock(mutex_);
    documents_.clear();
    by_document_id_.clear();
    counts_.clear();
    stored_bytes_ = 0;
    down_until_ = {};
    return reply_json(200, json{{"reset", true}});
  }
  return error_reply(404, "not_found", "not a control path of this simulator");
}

SimReply AxisService::route(const HttpRequest& request, std::string_view path,
                            std::string_view target) {
  const auto method = request.method();
  if (path == "/agencies") {
    if (method != http::verb::get) return error_reply(405, "method_not_allowed", "use GET");
    return agencies();
  }
  if (path == "/documents/pending" || path == "/documents/sent") {
    if (method != http::verb::get) return error_reply(405, "method_not_allowed", "use GET");
    return path == "/documents/pending" ? pending(target) : sent(target);
  }
  if (path == "/documents") return error_reply(405, "method_not_allowed", "use POST");
  const auto [id, rest] = document_route(path);
  if (id.empty()) return error_reply(404, "not_found", "not a path of this simulator");
  if (rest.empty()) {
    if (method != http::verb::get) return error_reply(405, "method_not_allowed", "use GET");
    return get(id);
  }
  if (rest == "ack") {
    if (method != http::verb::post) return error_reply(405, "method_not_allowed", "use POST");
    return ack(id, target);
  }
  if (rest == "status") {
    if (method == http::verb::post) return post_status(id, request);
    if (method == http::verb::get) return status_history(id);
    return error_reply(405, "method_not_allowed", "use GET or POST");
  }
  return error_reply(404, "not_found", "not a path of this simulator");
}

SimReply AxisService::agencies() const {
  json list = json::array();
  for (const auto& a : config_.agencies)
    list.push_back(
        {{"code", a.code}, {"code102", a.code102}, {"name", a.name}, {"parent", a.parent}});
  return reply_json(200, json{{"agencies", list}});
}

SimReply AxisService::send(const HttpRequest& request, bool& accepted) {
  const std::string& body = request.body();
  if (!xml_content_type(sv(request[http::field::content_type])))
    return error_reply(415, "unsupported_media_type", "send the edXML as application/xml");
  if (body.size() > config_.limits.max_document_bytes) {
    ++counters_.invalid;
    return error_reply(413, "too_large",
                       "the document is larger than " +
                           std::to_string(config_.limits.max_document_bytes) + " bytes");
  }
  // Parse (and verify) outside the lock: it is the expensive part.
  Result<EdxmlMessage> message =
      config_.verifier
          ? verify_edxml(*config_.verifier, body, config_.limits).map([](VerifiedEdxml v) {
              return std::move(v.message);
            })
          : parse_edxml(body, config_.limits);
  if (!message) {
    ++counters_.invalid;
    const bool signature = message.error().code >= ErrorCode::kSignatureMissing &&
                           message.error().code <= ErrorCode::kCertRevoked;
    return refused(400, signature ? "invalid_signature" : "invalid_edxml", message.error());
  }
  if (auto valid = validate(*message); !valid) {
    ++counters_.invalid;
    return refused(400, "invalid_edxml", valid.error());
  }
  const MessageHeader& header = message->header;
  auto known = [&](const std::string& code) {
    return std::any_of(config_.agencies.begin(), config_.agencies.end(),
                       [&](const Agency& a) { return a.code == code; });
  };
  if (config_.known_agencies_only) {
    if (!known(header.from.organ_id)) {
      ++counters_.invalid;
      return error_reply(400, "unknown_agency",
                         "MessageHeader/From/OrganId: " + header.from.organ_id +
                             " is not an agency of the axis (GET /agencies)");
    }
    for (const auto& to : header.to) {
      if (known(to.organ_id)) continue;
      ++counters_.invalid;
      return error_reply(400, "unknown_agency",
                         "MessageHeader/To/OrganId: " + to.organ_id +
                             " is not an agency of the axis (GET /agencies)");
    }
  }
  // A retry is the same document, possibly re-signed or with a fresh trace: compare what the
  // sender says, not the bytes or the trace.
  EdxmlMessage content = *message;
  content.trace = {};
  const std::string fingerprint = sha256_hex(to_edxml(content));

  std::lock_guard lock(mutex_);
  const auto key = std::make_pair(header.from.organ_id, header.document_id);
  if (const auto known_id = by_document_id_.find(key); known_id != by_document_id_.end()) {
    const Document& existing = documents_.at(known_id->second);
    DocumentCount& count = counts_[header.document_id];
    if (existing.fingerprint != fingerprint) {
      ++count.conflicts;
      SimReply r =
          error_reply(409, "conflict",
                      "DocumentId " + header.document_id +
                          " was sent before with other content (axis id " + existing.id + ")");
      return r;
    }
    ++count.duplicates;
    accepted = true;
    return reply_json(200, json{{"id", existing.id},
                                {"document_id", existing.document_id},
                                {"duplicate", true},
                                {"recipients", existing.recipients}});
  }
  if (documents_.size() >= config_.max_documents ||
      stored_bytes_ + body.size() > config_.max_stored_bytes) {
    ++counters_.refused_full;
    return error_reply(507, "insufficient_storage",
                       "the simulator holds " + std::to_string(documents_.size()) + " documents, " +
                           std::to_string(stored_bytes_) +
                           " bytes: at its limit (POST /sim/reset)");
  }
  char id[24];
  std::snprintf(id, sizeof id, "ax-%08llu", static_cast<unsigned long long>(next_id_++));
  Document doc;
  doc.id = id;
  doc.document_id = header.document_id;
  doc.from = header.from.organ_id;
  for (const auto& to : header.to) {
    doc.recipients.push_back(to.organ_id);
    doc.acked[to.organ_id] = false;
  }
  doc.bytes = body;
  doc.fingerprint = fingerprint;
  doc.received_at = now_text();
  stored_bytes_ += body.size();
  ++counts_[header.document_id].accepted;
  by_document_id_[key] = doc.id;
  SimReply r = reply_json(201, json{{"id", doc.id},
                                    {"document_id", doc.document_id},
                                    {"duplicate", false},
                                    {"recipients", doc.recipients}});
  r.headers.emplace_back("Location", "/documents/" + doc.id);
  documents_.emplace(doc.id, std::move(doc));
  accepted = true;
  return r;
}

SimReply AxisService::pending(std::string_view target) {
  const std::string organ(lienthong::sim::query_value(target, "organ"));
  if (organ.empty()) return error_reply(400, "invalid_request", "give ?organ=<organ code>");
  json list = json::array();
  std::lock_guard lock(mutex_);
  for (const auto& [id, doc] : documents_) {
    const auto it = doc.acked.find(organ);
    if (it == doc.acked.end() || it->second) continue;
    list.push_back({{"id", id},
                    {"document_id", doc.document_id},
                    {"from", doc.from},
                    {"received_at", doc.received_at}});
  }
  return reply_json(200, json{{"organ", organ}, {"documents", list}});
}

SimReply AxisService::sent(std::string_view target) {
  const std::string organ(lienthong::sim::query_value(target, "organ"));
  if (organ.empty()) return error_reply(400, "invalid_request", "give ?organ=<organ code>");
  json list = json::array();
  std::lock_guard lock(mutex_);
  for (const auto& [id, doc] : documents_) {
    if (doc.from != organ) continue;
    json taken = json::object();
    for (const auto& [to, acked] : doc.acked) taken[to] = acked;
    list.push_back({{"id", id},
                    {"document_id", doc.document_id},
                    {"taken", taken},
                    {"statuses", doc.statuses.size()},
                    {"received_at", doc.received_at}});
  }
  return reply_json(200, json{{"organ", organ}, {"documents", list}});
}

SimReply AxisService::get(const std::string& id) {
  std::lock_guard lock(mutex_);
  const auto it = documents_.find(id);
  if (it == documents_.end()) return error_reply(404, "not_found", "no document " + id);
  SimReply r;
  r.status = 200;
  r.content_type = "application/xml";
  r.body = it->second.bytes;
  r.headers.emplace_back("X-Document-Id", it->second.document_id);
  return r;
}

SimReply AxisService::ack(const std::string& id, std::string_view target) {
  const std::string organ(lienthong::sim::query_value(target, "organ"));
  if (organ.empty()) return error_reply(400, "invalid_request", "give ?organ=<organ code>");
  std::lock_guard lock(mutex_);
  const auto it = documents_.find(id);
  if (it == documents_.end()) return error_reply(404, "not_found", "no document " + id);
  const auto recipient = it->second.acked.find(organ);
  if (recipient == it->second.acked.end())
    return error_reply(403, "not_a_recipient", organ + " is not a recipient of " + id);
  // Idempotent: a recipient's retried ack changes nothing.
  recipient->second = true;
  return reply_json(200, json{{"id", id}, {"organ", organ}, {"taken", true}});
}

SimReply AxisService::post_status(const std::string& id, const HttpRequest& request) {
  if (!xml_content_type(sv(request[http::field::content_type])))
    return error_reply(415, "unsupported_media_type", "send the Status as application/xml");
  Result<EdxmlStatus> status =
      config_.verifier ? verify_edxml_status(*config_.verifier, request.body(), config_.limits)
                             .map([](VerifiedEdxmlStatus v) { return std::move(v.status); })
                       : parse_edxml_status(request.body(), config_.limits);
  if (!status) {
    ++counters_.invalid;
    return refused(400, "invalid_status", status.error());
  }
  if (auto valid = validate(*status); !valid) {
    ++counters_.invalid;
    return refused(400, "invalid_status", valid.error());
  }
  std::lock_guard lock(mutex_);
  const auto it = documents_.find(id);
  if (it == documents_.end()) return error_reply(404, "not_found", "no document " + id);
  Document& doc = it->second;
  if (status->response_for.document_id != doc.document_id)
    return error_reply(400, "wrong_document",
                       "Status/ResponseFor/DocumentId is " + status->response_for.document_id +
                           ", document " + id + " is " + doc.document_id);
  // Recipients report progress; the sender may ask for a recall (13).
  const std::string& from = status->from.organ_id;
  if (!doc.acked.contains(from) && from != doc.from)
    return error_reply(403, "not_a_party",
                       from + " is neither the sender nor a recipient of " + id);
  for (const auto& s : doc.statuses) {
    if (s.status.from.organ_id == from && s.status.status_code == status->status_code &&
        s.status.timestamp == status->timestamp)
      return reply_json(200, json{{"id", id},
                                  {"status_code", status->status_code},
                                  {"duplicate", true},
                                  {"count", doc.statuses.size()}});
  }
  if (doc.statuses.size() >= config_.max_status_per_document) {
    ++counters_.refused_full;
    return error_reply(507, "insufficient_storage",
                       "document " + id + " has " + std::to_string(doc.statuses.size()) +
                           " statuses: at the limit");
  }
  doc.statuses.push_back({*status, now_text()});
  return reply_json(201, json{{"id", id},
                              {"status_code", status->status_code},
                              {"duplicate", false},
                              {"count", doc.statuses.size()}});
}

SimReply AxisService::status_history(const std::string& id) {
  std::lock_guard lock(mutex_);
  const auto it = documents_.find(id);
  if (it == documents_.end()) return error_reply(404, "not_found", "no document " + id);
  json list = json::array();
  for (const auto& s : it->second.statuses)
    list.push_back({{"from", s.status.from.organ_id},
                    {"status_code", s.status.status_code},
                    {"description", s.status.description},
                    {"timestamp", s.status.timestamp},
                    {"received_at", s.received_at}});
  return reply_json(200,
                    json{{"id", id}, {"document_id", it->second.document_id}, {"statuses", list}});
}

}  // namespace lienthong::edxml::sim
