// The social-insurance SIMULATOR's HTTP side, behind the same kind of API manager as the
// enterprise registry (adapters/sim/rest_controls.h):
//   POST /token                                  client credentials → a bearer token
//   GET  /bhxh/1.0/traCuuQuaTrinhDong?maSoBHXH=  or ?soDinhDanh=  the insured person and the
//        contribution periods, JSON (schemas/json/insurance-answer.schema.json), with a
//        detached JWS of the body in X-JWS-Signature. Every call must name the officer:
//        X-Officer-Id (their 12-digit personal ID) and X-Officer-Account, or it is refused.
//   GET  /sim/stats, /sim/insured?start=&count=, POST /sim/knobs, /sim/expire-tokens
// Everything is synthetic; this is not, and does not connect to, any national system.
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "adapters/insurance/insured_dataset.h"
#include "adapters/sim/rest_controls.h"
#include "gateway/core/error.h"

namespace lienthong::insurance::sim {

inline constexpr std::string_view kLookupPath = "/bhxh/1.0/traCuuQuaTrinhDong";
using lienthong::sim::kSignatureHeader;

struct InsuranceSimConfig {
  std::shared_ptr<const InsuredDataset> dataset;
  lienthong::sim::DetachedSigner sign_detached;
  lienthong::sim::TokenIssuerConfig tokens;
  lienthong::sim::Knobs knobs;
  uint64_t seed = InsuredDataset::kDefaultSeed;
};

class InsuranceService final : public lienthong::sim::SimHandler {
 public:
  explicit InsuranceService(InsuranceSimConfig config);

  lienthong::sim::SimReply handle(const lienthong::sim::HttpRequest& request,
                                  bool from_loopback) override;
  void connection_opened() override { ++connections_; ++connections_total_; }
  void connection_closed() override { --connections_; }

  std::string stats_json() const;
  uint64_t lookups() const { return lookups_; }

 private:
  lienthong::sim::SimReply lookup(const lienthong::sim::HttpRequest& request);
  lienthong::sim::SimReply insured_page(std::string_view target) const;

  InsuranceSimConfig config_;
  lienthong::sim::RestControls controls_;
  lienthong::sim::FaultCounters faults_;
  std::atomic<uint64_t> requests_{0}, lookups_{0}, found_{0}, not_found_{0}, refused_{0},
      connections_{0}, connections_total_{0};
};

}  // namespace lienthong::insurance::sim
