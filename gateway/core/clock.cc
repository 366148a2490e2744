#include "gateway/core/clock.h"

#include <cstdio>
#include <ctime>
#include <string>

namespace lienthong {

Clock::Ptr SystemClock::instance() {
  static const Ptr clock = std::make_shared<SystemClock>();
  return clock;
}

std::optional<TimePoint> parse_utc_time(std::string_view text) {
  // Fixed layout: 19 characters, optional trailing 'Z'; 'T' or ' ' or '+' between date and time
  // (xmlsec1 writes "2019-01-01+00:00:00").
  if (text.size() == 20 && text.back() == 'Z') text.remove_suffix(1);
  if (text.size() != 19) return std::nullopt;
  const std::string s(text);
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, se = 0;
  char sep = 0;
  int consumed = 0;
  if (std::sscanf(s.c_str(), "%4d-%2d-%2d%c%2d:%2d:%2d%n", &y, &mo, &d, &sep, &h, &mi, &se,
                  &consumed) != 7 ||
      consumed != 19)
    return std::nullopt;
  if (sep != ' ' && sep != 'T' && sep != '+') return std::nullopt;
  if (y < 1950 || y > 9999 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60)
    return std::nullopt;
  const std::chrono::year_month_day ymd{std::chrono::year{y}, std::chrono::month{unsigned(mo)},
                                        std::chrono::day{unsigned(d)}};
  if (!ymd.ok()) return std::nullopt;
  return std::chrono::sys_days{ymd} + std::chrono::hours{h} + std::chrono::minutes{mi} +
         std::chrono::seconds{se};
}

std::string format_utc_time(TimePoint at) {
  const std::time_t t = std::chrono::system_clock::to_time_t(at);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  if (std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0) return "?";
  return buf;
}

std::string format_utc_time_ms(TimePoint at) {
  using namespace std::chrono;
  const auto ms = floor<milliseconds>(at);
  const auto secs = floor<seconds>(ms);
  const std::string whole = format_utc_time(TimePoint(secs));  // "...:SSZ"
  char millis[16];
  std::snprintf(millis, sizeof millis, ".%03dZ", static_cast<int>((ms - secs).count()));
  return whole.substr(0, whole.size() - 1) + millis;
}

}  // namespace lienthong
