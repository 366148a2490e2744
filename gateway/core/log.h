// The one log macro. Logs are for operators: never personal data, never record contents
// (those belong in the audit, which is a different thing). The request id, when a front end
// has set one for this thread, is prefixed so a line can be tied to an audit entry.
#pragma once

#include <spdlog/spdlog.h>

#include <string>

namespace lienthong::log {

// Set by front ends for the duration of one request on this thread.
void set_request_id(std::string id);
const std::string& request_id();

// Sets this thread's request id until the scope ends: a worker thread running one call.
class RequestIdScope {
 public:
  explicit RequestIdScope(const std::string& id) { set_request_id(id); }
  ~RequestIdScope() { set_request_id({}); }
  RequestIdScope(const RequestIdScope&) = delete;
  RequestIdScope& operator=(const RequestIdScope&) = delete;
};

}  // namespace lienthong::log

// LT_LOG(warn, "trust store reloaded: {} anchors", n);
#define LT_LOG(level, fmt_str, ...)                                                    \
  ::spdlog::level("[{}] " fmt_str, ::lienthong::log::request_id().empty()              \
                                       ? std::string_view("-")                         \
                                       : ::lienthong::log::request_id() __VA_OPT__(, ) \
                                             __VA_ARGS__)
