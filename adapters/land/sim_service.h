// The land SIMULATOR's HTTP side: one request in, one answer out (routing, the X-Road-Client
// check, lookup, signing, injected faults, statistics) without touching a socket, so tests drive
// it directly; lienthong-sim serves it over mutual TLS with the shared SimServer.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "adapters/land/parcel_dataset.h"
#include "adapters/land/sim_xml.h"
#include "adapters/sim/sim_knobs.h"
#include "adapters/sim/sim_server.h"
#include "gateway/core/clock.h"
#include "gateway/crypto/canonical_signer.h"

namespace lienthong::land::sim {

struct LandSimConfig {
  std::shared_ptr<const ParcelDataset> dataset;
  // Signs every KetQuaTraCuu (the canonical signer: cheap enough to share a machine with the
  // gateway under load, as the population simulator does).
  std::shared_ptr<const crypto::CanonicalXmlSigner> signer;
  lienthong::sim::Knobs knobs;
  uint64_t seed = population::sim::CitizenDataset::kDefaultSeed;  // which requests get faults
  Clock::Ptr clock = SystemClock::instance();
};

class LandSimService final : public lienthong::sim::SimHandler {
 public:
  // Throws std::invalid_argument without a data set, signer or clock (startup only).
  explicit LandSimService(LandSimConfig config);

  // POST kLookupPath; GET /healthz, /sim/stats, /sim/knobs, /sim/parcels?start=N&count=M;
  // POST /sim/knobs and /sim/reset-stats from loopback only. Never throws.
  lienthong::sim::SimReply handle(const lienthong::sim::HttpRequest& request,
                                  bool from_loopback) override;
  void connection_opened() override;
  void connection_closed() override;

  std::string stats_json() const;
  lienthong::sim::Knobs knobs() const;

 private:
  lienthong::sim::SimReply lookup(const lienthong::sim::HttpRequest& request);
  lienthong::sim::SimReply parcels_page(std::string_view target) const;
  lienthong::sim::SimReply error(unsigned status, std::string_view code, std::string_view message,
                                 std::chrono::milliseconds delay);

  LandSimConfig config_;
  mutable std::mutex knobs_mutex_;
  lienthong::sim::Knobs knobs_;
  std::atomic<uint64_t> request_counter_{0};
  struct Counters {
    std::atomic<uint64_t> requests{0}, found{0}, not_found{0}, errors{0}, bad_requests{0},
        injected_errors{0}, injected_timeouts{0}, bad_signatures{0}, connections{0},
        connections_total{0};
  };
  Counters counters_;
};

// What lienthong-sim's `--system land` builds: the data set over the citizens, the signer.
struct LandSimOptions {
  std::shared_ptr<const population::sim::CitizenDataset> citizens;
  std::shared_ptr<const crypto::SigningIdentity> identity;
  uint64_t seed = population::sim::CitizenDataset::kDefaultSeed;
  uint64_t parcels = ParcelDataset::kDefaultCount;
  lienthong::sim::Knobs knobs;
};
Result<std::shared_ptr<LandSimService>> make_land_sim_service(const LandSimOptions& options);

}  // namespace lienthong::land::sim
