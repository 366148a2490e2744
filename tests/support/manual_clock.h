// A clock the test moves by hand.
#pragma once

#include <atomic>

#include "gateway/core/clock.h"

namespace lienthong::testing {

class ManualClock final : public Clock {
 public:
  explicit ManualClock(TimePoint at) : at_(at.time_since_epoch().count()) {}
  TimePoint now() const override { return TimePoint(TimePoint::duration(at_.load())); }
  void set(TimePoint at) { at_ = at.time_since_epoch().count(); }

 private:
  std::atomic<TimePoint::rep> at_;
};

}  // namespace lienthong::testing
