// lienthong-load's command line: what to drive (protocol, address, client certificate), how
// hard (closed loop over N connections, or an open loop at a fixed rate), for how long, and
// what to send: lookups (which document type, which subjects) or edXML documents.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "gateway/core/error.h"

namespace lienthong::load {

enum class Protocol { kHttp, kThrift };
// lookup: POST /v1/lookup (or Exchange.lookup), answer 200. documents: POST /v1/documents with an
// edXML envelope (document_bodies.h), answer 202.
enum class Workload { kLookup, kDocuments };

// The document types whose subjects lienthong-load can draw from a simulator's data set.
inline constexpr std::string_view kCitizenDocumentType = "CD01";  // population: personal IDs
inline constexpr std::string_view kParcelDocumentType = "DD01";   // land: parcel keys

struct Options {
  Protocol protocol = Protocol::kHttp;
  Workload workload = Workload::kLookup;
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
  std::string document_type = std::string(kCitizenDocumentType);
  uint64_t parcels = 0;   // DD01: size of the land simulator's data set
  uint64_t distinct = 0;  // 0 = every subject of the data set
  uint64_t subject_offset = 0;
  std::optional<int64_t> max_age_s;

  // --workload documents.
  std::string from_organ;  // empty: the organ the --cert leaf names
  std::string to_organ = "000.00.00.H20";
  uint64_t attachment_kb = 100;

  // Signed JSON (HTTP only): requests go out as compact JWS (application/jose) signed with this
  // key, which must be the key of the --cert leaf; empty = plain JSON.
  std::string sign_key;
  uint64_t presign = 0;  // bodies to sign before the run; 0 = default_presign_count()
  // Count a 200 answer without X-JWS-Signature as an error (presence only, no verification).
  // Unset on the command line: on when signing. finish_options() fills it.
  std::optional<bool> check_answer_signature;

  bool json = false;

  bool open_loop() const { return rate > 0; }
  bool documents() const { return workload == Workload::kDocuments; }
  bool parcel_subjects() const { return document_type == kParcelDocumentType; }
  // The size of the data set the subjects come from.
  uint64_t subject_count() const { return parcel_subjects() ? parcels : citizens; }
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
