// The HTTPS driver: POST /v1/lookup with a JSON body (or, --workload documents,
// POST /v1/documents with an edXML envelope) over HTTP/1.1 keep-alive connections,
// one request at a time per connection, on Boost.Beast with a client certificate. Every
// connection is opened before the run starts; a connection the server closes is reopened (and
// the reopening counts in the next request's latency).
#pragma once

#include <string>
#include <string_view>

#include "gateway/core/error.h"
#include "tools/lienthong-load/document_bodies.h"
#include "tools/lienthong-load/options.h"
#include "tools/lienthong-load/run_stats.h"
#include "tools/lienthong-load/signed_bodies.h"
#include "tools/lienthong-load/workload.h"

namespace lienthong::load {

// Runs the whole load (set-up, warm-up, measured window, drain) on options.threads threads.
// With `signed_bodies` (--sign-key), each request sends the next pre-signed body as
// application/jose, and a connection stops when none is left. With `documents` (--workload
// documents), each request is the next envelope as application/xml to /v1/documents, and 202 is
// the answer counted ok. Fails only when it cannot start at all (bad TLS files, unknown host);
// connections that fail are counted in the stats.
Result<RunStats> run_http_load(const Options& options, SubjectSource& subjects,
                               SignedBodies* signed_bodies, DocumentBodies* documents = nullptr);

// The "code" member of an RFC 9457 problem document ("RATE_LIMITED"), or "(none)".
std::string problem_code(std::string_view body);

}  // namespace lienthong::load
