#include "gateway/front/http/http_counters.h"

#include <fmt/format.h>

namespace lienthong::front::http {

void HttpCounters::response(unsigned status) {
  const unsigned status_class = status / 100;
  if (status_class >= 1 && status_class <= 5) add(by_class_[status_class - 1]);
}

std::uint64_t HttpCounters::responses(unsigned status_class) const {
  if (status_class < 1 || status_class > 5) return 0;
  return by_class_[status_class - 1].load(std::memory_order_relaxed);
}

void HttpCounters::render(std::string& out) const {
  out +=
      "# HELP lienthong_http_connections_open TLS connections open on the HTTP front.\n"
      "# TYPE lienthong_http_connections_open gauge\n";
  out += fmt::format("lienthong_http_connections_open {}\n", connections_open());
  out +=
      "# HELP lienthong_http_lookups_in_flight Lookups handed to the pipeline and not yet "
      "answered.\n"
      "# TYPE lienthong_http_lookups_in_flight gauge\n";
  out += fmt::format("lienthong_http_lookups_in_flight {}\n", lookups_in_flight());
  out +=
      "# HELP lienthong_http_connections_total Connections accepted, rejected over the limit, "
      "or failed in the TLS handshake.\n"
      "# TYPE lienthong_http_connections_total counter\n";
  out += fmt::format("lienthong_http_connections_total{{result=\"accepted\"}} {}\n",
                     accepted_.load(std::memory_order_relaxed));
  out += fmt::format("lienthong_http_connections_total{{result=\"rejected\"}} {}\n",
                     rejected_.load(std::memory_order_relaxed));
  out += fmt::format("lienthong_http_connections_total{{result=\"handshake_failed\"}} {}\n",
                     handshake_failed_.load(std::memory_order_relaxed));
  out +=
      "# HELP lienthong_http_requests_total HTTP responses sent, by status class.\n"
      "# TYPE lienthong_http_requests_total counter\n";
  for (unsigned c = 1; c <= 5; ++c)
    out +=
        fmt::format("lienthong_http_requests_total{{code_class=\"{}xx\"}} {}\n", c, responses(c));
}

}  // namespace lienthong::front::http
