// The national document axis SIMULATOR (Trục liên thông văn bản quốc gia) for `lienthong-sim
// --system axis`: agencies, edXML documents sent, listed, fetched and acknowledged per
// recipient, Status messages, duplicate detection by DocumentId (so a sender's retries are
// idempotent), and fault knobs (down for N seconds, latency, dropped connections). The REST
// shape is this project's assumption modelled on the LGSP /vanbans API: AXIS_SIMULATOR.md.
// Everything is synthetic and kept in memory; this is not, and does not connect to, the axis.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/documents/edxml_message.h"
#include "adapters/documents/edxml_parse.h"
#include "adapters/sim/sim_server.h"
#include "adapters/sim/sim_tokens.h"
#include "gateway/core/clock.h"
#include "gateway/core/error.h"
#include "gateway/crypto/xml_verifier.h"

namespace lienthong::edxml::sim {

// One body the axis accepts at most; lienthong-sim gives the axis's SimServer the same limit
// (the other systems keep the SimServerConfig default of 64 KiB).
inline constexpr size_t kAxisMaxBodyBytes = size_t{32} << 20;

struct Agency {
  std::string code;     // mã định danh (QĐ 20/2020)
  std::string code102;  // legacy QCVN 102 code; the VXP SDK returns both (FORMATS.md §1)
  std::string name;
  std::string parent;  // code of the parent agency, or ""
};

// The deterministic default list: the codes FORMATS.md §1 observed, plus synthetic ones.
std::vector<Agency> default_agencies();

// Faults that can change at run time (POST /sim/knobs, /sim/down).
struct AxisKnobs {
  uint32_t latency_ms = 0;            // added before every API answer (not /sim/*)
  double drop_rate = 0;               // share of API requests dropped before they are handled
  double drop_after_accept_rate = 0;  // share of accepted sends whose answer is dropped
};

// {"latency_ms":..,"drop_rate":..,"drop_after_accept_rate":..}; unknown keys, wrong types and
// rates outside [0, 1] refused; absent keys left unchanged.
std::string axis_knobs_json(const AxisKnobs& knobs);
Result<AxisKnobs> apply_axis_knobs_json(AxisKnobs current, std::string_view json);

struct AxisSimConfig {
  std::vector<Agency> agencies = default_agencies();
  // Refuse a document whose From or To/OrganId is not in `agencies` (the real axis only routes
  // between registered agencies).
  bool known_agencies_only = true;
  // With a verifier, every document and Status must carry a valid edXML signature
  // (edxml_signature.h); without one, signatures are ignored.
  crypto::XmlVerifier::Ptr verifier;
  EdxmlLimits limits;
  // The bearer tokens of the API manager in front of the axis (LGSP is WSO2, like the REST
  // simulators); nullopt: no token required.
  std::optional<lienthong::sim::TokenIssuerConfig> tokens = lienthong::sim::TokenIssuerConfig{};
  // Memory bound: beyond either, new documents are refused with 507.
  size_t max_documents = 10'000;
  size_t max_stored_bytes = size_t{512} << 20;
  size_t max_status_per_document = 100;  // beyond it, 507 too
  AxisKnobs knobs;
  uint64_t seed = 1;                           // decides which requests the drop faults hit
  Clock::Ptr clock = SystemClock::instance();  // /sim/down and timestamps
};

class AxisService final : public lienthong::sim::SimHandler {
 public:
  explicit AxisService(AxisSimConfig config);  // throws on a config without a clock

  lienthong::sim::SimReply handle(const lienthong::sim::HttpRequest& request,
                                  bool from_loopback) override;
  void connection_opened() override;
  void connection_closed() override;

  // What the axis saw of one DocumentId: the oracle of the exactly-once tests.
  struct DocumentCount {
    uint64_t accepted = 0;    // sends that stored it (0 or 1)
    uint64_t duplicates = 0;  // later sends of the same document, answered with the same id
    uint64_t conflicts = 0;   // later sends of the same DocumentId with other content (409)
  };
  std::map<std::string, DocumentCount> document_counts() const;
  AxisKnobs knobs() const;
  std::string stats_json() const;

 private:
  struct Status {
    EdxmlStatus status;
    std::string received_at;
  };
  struct Document {
    std::string id;  // the axis's id
    std::string document_id;
    std::string from;
    std::vector<std::string> recipients;
    std::map<std::string, bool> acked;  // recipient → taken
    std::string bytes;
    std::string fingerprint;  // of the content, to tell a retry from a different document
    std::string received_at;
    std::vector<Status> statuses;
  };

  lienthong::sim::SimReply route(const lienthong::sim::HttpRequest& request, std::string_view path,
                                 std::string_view target);
  lienthong::sim::SimReply control(const lienthong::sim::HttpRequest& request,
                                   std::string_view path, std::string_view target,
                                   bool from_loopback);
  lienthong::sim::SimReply agencies() const;
  lienthong::sim::SimReply send(const lienthong::sim::HttpRequest& request, bool& accepted);
  lienthong::sim::SimReply pending(std::string_view target);
  lienthong::sim::SimReply sent(std::string_view target);
  lienthong::sim::SimReply get(const std::string& id);
  lienthong::sim::SimReply ack(const std::string& id, std::string_view target);
  lienthong::sim::SimReply post_status(const std::string& id,
                                       const lienthong::sim::HttpRequest& request);
  lienthong::sim::SimReply status_history(const std::string& id);
  std::string now_text() const;

  AxisSimConfig config_;
  std::optional<lienthong::sim::TokenIssuer> tokens_;
  mutable std::mutex mutex_;  // everything below but the atomics
  AxisKnobs knobs_;
  TimePoint down_until_{};
  std::map<std::string, Document> documents_;  // axis id → document
  std::map<std::pair<std::string, std::string>, std::string> by_document_id_;  // (from, DocumentId)
  std::map<std::string, DocumentCount> counts_;  // DocumentId → counts
  size_t stored_bytes_ = 0;
  uint64_t next_id_ = 1;
  struct Counters {
    std::atomic<uint64_t> requests{0}, refused_down{0}, dropped{0}, dropped_after_accept{0},
        invalid{0}, refused_full{0}, auth_failures{0}, connections{0}, connections_total{0};
  };
  Counters counters_;
  std::atomic<uint64_t> calls_{0};
};

}  // namespace lienthong::edxml::sim
