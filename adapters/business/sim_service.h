// The enterprise-registry SIMULATOR's HTTP side, behind an API manager as FORMATS.md §4
// describes it (NGSP/LGSP, WSO2 style):
//   POST /token                                    client credentials → a bearer token
//   GET  /apiCSDLDKDN/1.0/chiTietDoanhNghiep?msdn=  the enterprise, JSON, with a detached JWS
//                                                  of the body in X-JWS-Signature
//   GET  /sim/stats, /sim/enterprises?start=&count=, POST /sim/knobs, /sim/expire-tokens
// Tokens, knobs, faults and signing are adapters/sim/rest_controls.h. Everything is synthetic;
// this is not, and does not connect to, any national system.
#pragma once

#include <atomic>
#include <memory>
#include <optional>
#include <string>

#include "adapters/business/enterprise_dataset.h"
#include "adapters/business/sim_json.h"
#include "adapters/sim/rest_controls.h"
#include "gateway/core/clock.h"
#include "gateway/core/error.h"

namespace lienthong::business::sim {

inline constexpr std::string_view kLookupPath = "/apiCSDLDKDN/1.0/chiTietDoanhNghiep";
using lienthong::sim::kSignatureHeader;

struct BusinessSimConfig {
  std::shared_ptr<const EnterpriseDataset> dataset;
  lienthong::sim::DetachedSigner sign_detached;
  lienthong::sim::TokenIssuerConfig tokens;  // client credentials, token lifetime, clock
  AnswerShape shape = AnswerShape::kNested;
  lienthong::sim::Knobs knobs;
  uint64_t seed = EnterpriseDataset::kDefaultSeed;  // decides which requests get faults
};

// The branch `branch` ("001") of an enterprise, or nullopt when it has none by that number.
std::optional<Enterprise> branch_of(const Enterprise& head_office, const std::string& branch);

class BusinessService final : public lienthong::sim::SimHandler {
 public:
  explicit BusinessService(BusinessSimConfig config);

  lienthong::sim::SimReply handle(const lienthong::sim::HttpRequest& request,
                                  bool from_loopback) override;
  void connection_opened() override;
  void connection_closed() override;

  struct Stats {
    uint64_t requests = 0, lookups = 0, found = 0, not_found = 0, tokens_issued = 0,
             auth_failures = 0, bad_requests = 0, injected_errors = 0, injected_timeouts = 0,
             bad_signatures = 0, connections = 0, connections_total = 0;
  };
  Stats stats() const;
  std::string stats_json() const;

 private:
  lienthong::sim::SimReply lookup(const lienthong::sim::HttpRequest& request);
  lienthong::sim::SimReply enterprises_page(std::string_view target) const;

  BusinessSimConfig config_;
  lienthong::sim::RestControls controls_;
  lienthong::sim::FaultCounters faults_;
  struct Counters {
    std::atomic<uint64_t> requests{0}, lookups{0}, found{0}, not_found{0}, auth_failures{0},
        bad_requests{0}, connections{0}, connections_total{0};
  };
  Counters counters_;
};

}  // namespace lienthong::business::sim
