// What one thread of a driver counted. Each thread owns one (no locks on the request path);
// the driver merges them when the run is over.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "tools/lienthong-load/histogram.h"
#include "tools/lienthong-load/workload.h"

namespace lienthong::load {

struct RunStats {
  // Measured requests only (warm-up traffic is sent but not counted).
  uint64_t sent = 0;
  uint64_t ok = 0;
  uint64_t refused = 0;  // answered, but with an error instead of a record
  // refused, broken down.
  std::map<int, uint64_t> by_status;          // HTTP status other than 200
  std::map<std::string, uint64_t> by_code;    // the gateway's error code (problem "code", or
                                              // LookupError.codeName); "(none)" if absent
  std::map<std::string, uint64_t> transport;  // failures below the API: "timeout", "closed", ...
  Histogram latency;                          // every measured request answered, ok or not
  // --check-answer-signature: 200 answers without the gateway's X-JWS-Signature.
  uint64_t unsigned_answers = 0;
  // Open loop: sends scheduled inside the window that a connection, behind schedule, never
  // made before the window closed.
  uint64_t unsent = 0;

  // Connections.
  uint64_t connections_open = 0;                     // up when the run started
  std::map<std::string, uint64_t> connect_failures;  // by reason, at setup and reconnects
  uint64_t reconnects = 0;   // during the run (server closed, or after an error)
  uint64_t tls_resumed = 0;  // handshakes that resumed a TLS session

  SteadyTime measure_start{};    // set by the driver: when the measured window opened
  SteadyTime last_completion{};  // of a measured request
  // The first message seen for each kind of failure, for an operator reading the text report.
  std::map<std::string, std::string> first_error;

  uint64_t transport_errors() const;
  uint64_t connect_failure_count() const;
  // Measured requests that ended in an error: refused, an unsigned answer, or a transport
  // failure.
  uint64_t errors() const;
  uint64_t completed() const { return ok + errors(); }

  void merge(const RunStats& other);
};

}  // namespace lienthong::load
