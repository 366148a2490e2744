// The population SIMULATOR's HTTPS side. SimService turns one HTTP request into one answer
// (routing, authentication, lookup, signing, injected faults, statistics) without touching a
// socket, so tests drive it directly; the shared SimServer (adapters/sim/sim_server.h) carries
// it over TLS with client certificates required, keep-alive, size limits and idle timeouts.
#pragma once

#include <boost/beast/http.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "adapters/population/citizen_dataset.h"
#include "adapters/population/sim_soap.h"
#include "adapters/sim/sim_knobs.h"
#include "adapters/sim/sim_server.h"
#include "gateway/core/clock.h"
#include "gateway/core/error.h"
#include "gateway/crypto/canonical_signer.h"

namespace lienthong::population::sim {

inline constexpr std::string_view kLookupPath = "/dancu/TraCuuThongTinCongDan";

// Behaviour that tests turn up and down (CLI flags, or POST /sim/knobs at run time): the
// knobs every simulator shares (adapters/sim/sim_knobs.h).
using lienthong::sim::apply_knobs_json;
using lienthong::sim::Knobs;
using lienthong::sim::knobs_json;

struct Stats {
  uint64_t requests = 0;  // POSTs to the lookup endpoint, whatever became of them
  uint64_t lookups = 0;   // of those, data-set lookups made (valid, authorised)
  uint64_t found = 0;
  uint64_t not_found = 0;
  uint64_t faults = 0;  // SOAP Faults sent (400, 401, 415, 500)
  uint64_t auth_failures = 0;
  uint64_t bad_requests = 0;
  uint64_t injected_errors = 0;
  uint64_t injected_timeouts = 0;
  uint64_t bad_signatures = 0;
  uint64_t connections = 0;  // open now
  uint64_t connections_total = 0;
};
std::string stats_json(const Stats& stats);

struct SimServiceConfig {
  std::shared_ptr<const CitizenDataset> dataset;
  // Signs every CongdanCollection. The canonical signer, not xmlsec: the simulator shares the
  // benchmark machine with the gateway, and xmlsec's signing path costs it ~4x the CPU.
  std::shared_ptr<const crypto::CanonicalXmlSigner> signer;
  Credentials credentials;
  std::chrono::seconds clock_skew{300};  // accepted Timestamp distance
  Knobs knobs;
  uint64_t seed = CitizenDataset::kDefaultSeed;  // decides which requests get faults
  Clock::Ptr clock = SystemClock::instance();
};

using lienthong::sim::HttpRequest;
using lienthong::sim::kServerHeader;
using lienthong::sim::SimReply;

class SimService final : public lienthong::sim::SimHandler {
 public:
  explicit SimService(SimServiceConfig config);

  // Never throws. `from_loopback`: the peer's address is a loopback address, the only place
  // /sim/knobs and /sim/reset-stats are accepted from.
  SimReply handle(const HttpRequest& request, bool from_loopback) override;

  Stats stats() const;
  void reset_stats();
  Knobs knobs() const;
  void set_knobs(const Knobs& knobs);

  // Called by the server.
  void connection_opened() override;
  void connection_closed() override;

 private:
  SimReply lookup(const HttpRequest& request);
  // GET /sim/citizens?start=N&count=M (at most 1000): who exists, for tests and demos.
  SimReply citizens_page(std::string_view query) const;
  SimReply fault(unsigned status, std::string_view fault_code, std::string_view error,
                 std::string_view message, std::chrono::milliseconds delay);
  // Uniform in [0, 1) from (seed, request number, purpose): the same run of requests gets the
  // same faults.
  double draw(uint64_t request_number, uint64_t purpose) const;

  SimServiceConfig config_;
  mutable std::mutex knobs_mutex_;
  Knobs knobs_;
  std::atomic<uint64_t> request_counter_{0};

  struct Counters {
    std::atomic<uint64_t> requests{0}, lookups{0}, found{0}, not_found{0}, faults{0},
        auth_failures{0}, bad_requests{0}, injected_errors{0}, injected_timeouts{0},
        bad_signatures{0}, connections{0}, connections_total{0};
  };
  Counters counters_;
};

// The server is shared by every simulator (adapters/sim/sim_server.h).
using lienthong::sim::SimServer;
using lienthong::sim::SimServerConfig;

}  // namespace lienthong::population::sim
