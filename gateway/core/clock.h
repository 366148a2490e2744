// Time through an interface so certificate validity, TTLs and replay windows are testable
// (STYLE.md §8). Only main.cc and the CLI pick the concrete clock.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string_view>

namespace lienthong {

using TimePoint = std::chrono::system_clock::time_point;

class Clock {
 public:
  using Ptr = std::shared_ptr<const Clock>;
  virtual ~Clock() = default;
  virtual TimePoint now() const = 0;
};

class SystemClock final : public Clock {
 public:
  TimePoint now() const override { return std::chrono::system_clock::now(); }
  static Ptr instance();
};

// A clock stopped at one instant: verification "as of" a date, and tests.
class FixedClock final : public Clock {
 public:
  explicit FixedClock(TimePoint at) : at_(at) {}
  TimePoint now() const override { return at_; }

 private:
  TimePoint at_;
};

// Parses "YYYY-MM-DD HH:MM:SS" (also "YYYY-MM-DDTHH:MM:SSZ") as UTC.
std::optional<TimePoint> parse_utc_time(std::string_view text);

// "YYYY-MM-DDTHH:MM:SSZ".
std::string format_utc_time(TimePoint at);
// RFC 3339 with milliseconds: "YYYY-MM-DDTHH:MM:SS.mmmZ" (the document routes' times).
std::string format_utc_time_ms(TimePoint at);

}  // namespace lienthong
