// The Thrift driver: Exchange.lookup over TLS with a client certificate, framed transport,
// binary protocol (the contract in schemas/thrift/lienthong.thrift). Thrift's C++ client is
// blocking, so each connection has its own thread running a closed or open loop; every
// connection completes its TLS handshake before the run starts.
#pragma once

#include "gateway/core/error.h"
#include "tools/lienthong-load/options.h"
#include "tools/lienthong-load/run_stats.h"
#include "tools/lienthong-load/workload.h"

namespace lienthong::load {

Result<RunStats> run_thrift_load(const Options& options, SubjectSource& subjects);

}  // namespace lienthong::load
