// Wires the gateway from its configuration (DESIGN.md §2: only this knows the concrete types)
// and runs it until stopped.
#pragma once

#include <memory>

#include "gateway/app/gateway_config.h"
#include "gateway/core/error.h"

namespace lienthong::app {

class Gateway {
 public:
  static Result<std::unique_ptr<Gateway>> build(GatewayConfig config);
  ~Gateway();

  // Starts the fronts; returns once they listen. Ports are logged and written to port_file.
  Result<void> start();
  // Stops accepting, lets requests in flight finish, flushes the audit.
  void stop();

  // Re-reads the trust directory and the policy; both are swapped in, or neither (the error
  // says why). SIGHUP calls this; so does the inotify watcher.
  Result<void> reload(std::string_view why);

  std::uint16_t http_port() const;
  std::uint16_t thrift_port() const;
  std::uint16_t admin_port() const;  // 0 without [admin]

 private:
  struct Parts;
  Gateway() = default;
  std::unique_ptr<Parts> parts_;
};

}  // namespace lienthong::app
