// The summary of a run: for a person (text) or a script (one JSON object, --json).
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "tools/lienthong-load/options.h"
#include "tools/lienthong-load/run_stats.h"
#include "tools/lienthong-load/signed_bodies.h"

namespace lienthong::load {

// What the report says about --workload documents.
struct DocumentsReport {
  std::string from_organ;
  std::string to_organ;
  std::string run_id;             // in every CodeNotation: LT-<run id>
  uint64_t attachment_bytes = 0;  // decoded
  uint64_t body_bytes = 0;        // the envelope of document 0
  uint64_t issued = 0;            // documents handed to requests (warm-up included)
};

struct Summary {
  Options options;
  RunStats stats;
  uint64_t next_subject_offset = 0;
  std::optional<SigningReport> signing;      // --sign-key
  std::optional<DocumentsReport> documents;  // --workload documents

  // Seconds from the start of the measured window to the last measured answer (so requests
  // still in flight when the window closed are in the rates too).
  double elapsed_s() const;
  double throughput_per_s() const;  // ok / elapsed
  double achieved_rate() const;     // sent / elapsed
};

// {"protocol","connections","connections_open","target_rate" (null: closed loop),
//  "achieved_rate","duration_s","warmup_s","sent","completed","ok","unsent",
//  "errors":{"total","status":{...},"code":{...},"unsigned_answer","transport":{...},
//            "connect":{...}},
//  "reconnects","tls_resumed","throughput_per_s",
//  "latency_ms":{"p50","p90","p99","p999","max","mean","min"},"next_subject_offset",
//  "signing": null | {"alg","presigned","used","presign_s","exhausted"},
//  "workload": "lookup"|"documents", "document_type": "CD01"|"DD01"|null (documents),
//  "documents": null | {"from","to","run_id","attachment_bytes","body_bytes","issued",
//                       "mb_per_s" (ok × body_bytes / duration, MB = 10^6 bytes)}}
nlohmann::json summary_json(const Summary& summary);

std::string summary_text(const Summary& summary);

}  // namespace lienthong::load
