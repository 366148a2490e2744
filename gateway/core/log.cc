#include "gateway/core/log.h"

namespace lienthong::log {

namespace {
thread_local std::string current_request_id;
}

void set_request_id(std::string id) { current_request_id = std::move(id); }
const std::string& request_id() { return current_request_id; }

}  // namespace lienthong::log
