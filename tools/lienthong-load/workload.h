// What every driver shares: who the requests are about (SubjectSource), what they say
// (lookup_json_body and the constants below; documents: document_bodies.h), and when they are
// sent (Schedule, RequestBudget).
// All of it is safe to use from several threads.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "adapters/land/parcel_dataset.h"
#include "adapters/population/citizen_dataset.h"
#include "tools/lienthong-load/options.h"

namespace lienthong::load {

// Latency is measured on the monotonic clock, not through lienthong::Clock: a wall clock that
// steps (NTP) would corrupt intervals, and nothing here needs to be tested "as of" a date.
using SteadyClock = std::chrono::steady_clock;
using SteadyTime = SteadyClock::time_point;

// The fixed parts of every lookup (the reference request): a record of --document-type
// (CD01, a citizen, by default), asked for by officer canbo.load of organ G22 for one dossier of
// procedure 1.001234.
inline constexpr std::string_view kDossierCode = "000.00.00.G22-261122-0001";
inline constexpr std::string_view kProcedureCode = "1.001234";
inline constexpr std::string_view kOfficerPersonalId = "001092000001";
inline constexpr std::string_view kOfficerAccount = "canbo.load";

// The POST /v1/lookup body for `subject_id` (a 12-digit personal ID or a parcel key
// "00004-12-345": nothing to escape) and `document_type` (CD01, DD01).
std::string lookup_json_body(std::string_view subject_id, std::string_view document_type,
                             std::optional<int64_t> max_age_s);

// Request n (counted over the whole process) asks about subject
// (offset + n mod distinct) mod size of the simulator's data set: citizen personal IDs of the
// population simulator, or with `parcels` > 0 parcel keys <commune>-<sheet>-<parcel> of the land
// simulator (whose owners come from the same citizens).
class SubjectSource {
 public:
  // Throws std::invalid_argument when a data set size is out of range (startup only).
  SubjectSource(uint64_t seed, uint64_t citizens, uint64_t offset, uint64_t distinct,
                uint64_t parcels = 0);
  // For options.document_type.
  explicit SubjectSource(const Options& options);

  std::string next();
  uint64_t issued() const { return issued_.load(std::memory_order_relaxed); }
  // The first index after those this run asked about: --subject-offset for a later run that
  // must miss the cache.
  uint64_t next_offset() const;

 private:
  std::shared_ptr<const population::sim::CitizenDataset> citizens_;
  std::unique_ptr<const land::sim::ParcelDataset> parcels_;  // null: citizen subjects
  uint64_t size_;
  uint64_t offset_;
  uint64_t distinct_;
  std::atomic<uint64_t> issued_{0};
};

// --requests: measured sends left. take() is false once they are gone.
class RequestBudget {
 public:
  explicit RequestBudget(uint64_t limit) : limit_(limit) {}
  bool take() { return limit_ == 0 || taken_.fetch_add(1, std::memory_order_relaxed) < limit_; }

 private:
  uint64_t limit_;
  std::atomic<uint64_t> taken_{0};
};

// When the phases start, fixed once every connection is up. An open loop gives connection c
// (of `connections`) the sends c, c + C, c + 2C, ... of one evenly spaced stream at `rate`.
class Schedule {
 public:
  Schedule(const Options& options, int connections, SteadyTime start);

  SteadyTime start() const { return start_; }
  SteadyTime measure_start() const { return measure_start_; }
  std::optional<SteadyTime> end() const { return end_; }
  bool open_loop() const { return rate_ > 0; }

  // Open loop: when connection `connection` should send its k-th request.
  SteadyTime intended(int connection, uint64_t k) const;
  // Open loop: how many of this connection's sends k, k+1, ... fall before end() (the ones
  // a connection that fell behind never got to send).
  uint64_t remaining_before_end(int connection, uint64_t k) const;

  bool in_warmup(SteadyTime t) const { return t < measure_start_; }
  bool past_end(SteadyTime t) const { return end_ && t >= *end_; }

 private:
  double rate_;
  int connections_;
  SteadyTime start_;
  SteadyTime measure_start_;
  std::optional<SteadyTime> end_;
};

}  // namespace lienthong::load
