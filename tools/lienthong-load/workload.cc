#include "tools/lienthong-load/workload.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace lienthong::load {

std::string lookup_json_body(std::string_view subject_id, std::string_view document_type,
                             std::optional<int64_t> max_age_s) {
  std::string body = fmt::format(
      R"({{"subjectId":"{}","documentType":"{}","purpose":{{"dossierCode":"{}",)"
      R"("procedureCode":"{}"}},"officer":{{"personalId":"{}","account":"{}"}})",
      subject_id, document_type, kDossierCode, kProcedureCode, kOfficerPersonalId, kOfficerAccount);
  if (max_age_s) body += fmt::format(R"(,"maxAgeSeconds":{})", *max_age_s);
  body += '}';
  return body;
}

SubjectSource::SubjectSource(uint64_t seed, uint64_t citizens, uint64_t offset, uint64_t distinct,
                             uint64_t parcels)
    : citizens_(std::make_shared<const population::sim::CitizenDataset>(seed, citizens)),
      parcels_(parcels > 0
                   ? std::make_unique<const land::sim::ParcelDataset>(citizens_, seed, parcels)
                   : nullptr),
      size_(parcels_ ? parcels_->size() : citizens_->size()),
      offset_(offset),
      distinct_(std::max<uint64_t>(distinct, 1)) {}

SubjectSource::SubjectSource(const Options& o)
    : SubjectSource(o.seed, o.citizens, o.subject_offset, o.distinct,
                    o.parcel_subjects() ? o.parcels : 0) {}

std::string SubjectSource::next() {
  const uint64_t n = issued_.fetch_add(1, std::memory_order_relaxed);
  const uint64_t index = (offset_ + n % distinct_) % size_;
  return parcels_ ? parcels_->key_at(index) : citizens_->personal_id_at(index);
}

uint64_t SubjectSource::next_offset() const {
  return (offset_ + std::min(issued(), distinct_)) % size_;
}

namespace {
SteadyClock::duration seconds(double s) {
  return std::chrono::duration_cast<SteadyClock::duration>(std::chrono::duration<double>(s));
}
}  // namespace

Schedule::Schedule(const Options& options, int connections, SteadyTime start)
    : rate_(options.rate),
      connections_(std::max(connections, 1)),
      start_(start),
      measure_start_(start + seconds(options.warmup_s)) {
  if (auto window = options.window_s()) end_ = measure_start_ + seconds(*window);
}

SteadyTime Schedule::intended(int connection, uint64_t k) const {
  // Computed from the start each time (not by adding periods) so rounding does not drift.
  const double n = double(connection) + double(k) * double(connections_);
  return start_ + seconds(n / rate_);
}

uint64_t Schedule::remaining_before_end(int connection, uint64_t k) const {
  if (!end_) return 0;
  const SteadyTime first = intended(connection, k);
  if (first >= *end_) return 0;
  const double period_s = double(connections_) / rate_;
  const double left_s = std::chrono::duration<double>(*end_ - first).count();
  return static_cast<uint64_t>(std::ceil(left_s / period_s));
}

}  // namespace lienthong::load
