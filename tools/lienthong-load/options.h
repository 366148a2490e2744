// lienthong-load's command line: what to drive (protocol, address, client certificate), how
// hard (closed loop over N connections, or an open loop at a fixed rate), for how long, and
// which subjects to ask about.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <optional>
#include <string>

#include "gateway/core/error.h"

namespace lienthong::load {

enum class Protocol { kHttp, kThrift };

struct Options {
  Protocol protocol = Protocol::kHttp;
  std::string host = "127.0.0.1";
  int port = 0;
  std::string cert;  // client certificate chain (PEM, leaf first)
  std::string key;   // its private key (PEM)
  std::string ca;    // trust anchors for the server certificate (PEM)

  int connections = 16;
  int threads = 1;  // HTTP only: event-loop threads. Thrift uses one thread per connection.
  double rate = 0;  // requests/s over all connections; 0 = closed loop
  std::optional<double> duration_s;  // unset: 10 s, or no time bound when --requests is given
  double warmup_s = 0;
  uint64_t requests = 0;       // measured requests to send; 0 = no limit
  double timeout_s = 10;       // per request, and per connection attempt
  bool no_tls_resume = false;  // HTTP: always a full handshake when reconnecting

  uint64_t seed = 0;
  uint64_t citizens = 0;
  uint64_t distinct = 0;  // 0 = every citizen of the data set
  uint64_t subject_offset = 0;
  std::optional<int64_t> max_age_s;

  // Signed JSON (HTTP only): requests go out as compact JWS (application/jose) signed with this
  // key, which must be the key of the --cert leaf; empty = plain JSON.
  std::string sign_key;
  uint64_t presign = 0;  // bodies to sign before the run; 0 = default_presign_count()
  // Count a 200 answer without X-JWS-Signature as an error (presence only, no verification).
  // Unset on the command line: on when signing. finish_options() fills it.
  std::optional<bool> check_answer_signature;

  bool json = false;

  bool open_loop() const { return rate > 0; }
  bool signing() const { return !sign_key.empty(); }
  // The measured window's length, or nullopt when only --requests bounds the run.
  std::optional<double> window_s() const {
    if (duration_s) return duration_s;
    if (requests > 0) return std::nullopt;
    return 10.0;
  }
};

// Declares every flag on `app`, writing into `options` when app.parse() runs.
void add_options(CLI::App& app, Options& options);

// Checks what CLI11 cannot check alone (combinations, readable files); fills defaults.
Result<void> finish_options(Options& options);

}  // namespace lienthong::load
