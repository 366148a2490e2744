#include "tools/lienthong-load/options.h"

#include <fmt/format.h>

#include <fstream>
#include <map>

#include "adapters/land/parcel_dataset.h"
#include "adapters/population/citizen_dataset.h"
#include "tools/lienthong-load/signed_bodies.h"

namespace lienthong::load {

void add_options(CLI::App& app, Options& o) {
  const std::map<std::string, Protocol> protocols{{"http", Protocol::kHttp},
                                                  {"thrift", Protocol::kThrift}};
  app.add_option("--protocol", o.protocol,
                 "http (POST /v1/lookup, JSON) or thrift (Exchange.lookup)")
      ->transform(CLI::CheckedTransformer(protocols, CLI::ignore_case))
      ->type_name("http|thrift")
      ->default_str("http");
  const std::map<std::string, Workload> workloads{{"lookup", Workload::kLookup},
                                                  {"documents", Workload::kDocuments}};
  app.add_option("--workload", o.workload,
                 "lookup (POST /v1/lookup) or documents (POST /v1/documents: edXML with an "
                 "attachment, answer 202)")
      ->transform(CLI::CheckedTransformer(workloads, CLI::ignore_case))
      ->type_name("lookup|documents")
      ->default_str("lookup");
  app.add_option("--host", o.host, "Gateway address")->capture_default_str();
  app.add_option("--port", o.port, "Gateway port")->required()->check(CLI::Range(1, 65535));
  app.add_option("--cert", o.cert, "Client certificate chain, PEM (leaf first)")
      ->required()
      ->check(CLI::ExistingFile);
  app.add_option("--key", o.key, "Client private key, PEM")->required()->check(CLI::ExistingFile);
  app.add_option("--ca", o.ca, "CA certificates that verify the gateway, PEM")
      ->required()
      ->check(CLI::ExistingFile);

  app.add_option("--connections", o.connections, "Connections (closed loop: requests in flight)")
      ->capture_default_str()
      ->check(CLI::Range(1, 100000));
  app.add_option("--threads", o.threads, "HTTP event-loop threads")
      ->capture_default_str()
      ->check(CLI::Range(1, 64));
  app.add_option("--rate", o.rate,
                 "Open loop: requests/s over all connections; latency counts from the intended "
                 "send time. 0 = closed loop")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  app.add_option("--duration", o.duration_s,
                 "Measured seconds after the warm-up (default 10, or unbounded with --requests)")
      ->check(CLI::PositiveNumber);
  app.add_option("--warmup", o.warmup_s, "Seconds of load before measuring")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  app.add_option("--requests", o.requests,
                 "Stop after this many measured requests (with no --duration: the only bound)");
  app.add_option("--timeout", o.timeout_s, "Seconds allowed per request and per connection attempt")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);

  o.seed = population::sim::CitizenDataset::kDefaultSeed;
  o.citizens = population::sim::CitizenDataset::kDefaultCount;
  app.add_option("--seed", o.seed, "Seed of the population simulator's data set")
      ->capture_default_str();
  app.add_option("--citizens", o.citizens, "Size of that data set")->capture_default_str();
  app.add_option("--document-type", o.document_type,
                 "CD01: citizens of the population simulator; DD01: parcels of the land "
                 "simulator (subjects <commune>-<sheet>-<parcel>)")
      ->check(CLI::IsMember({std::string(kCitizenDocumentType), std::string(kParcelDocumentType)}))
      ->capture_default_str();
  o.parcels = land::sim::ParcelDataset::kDefaultCount;
  app.add_option("--parcels", o.parcels,
                 "DD01: size of the land simulator's data set (its --parcels; its owners come "
                 "from --seed/--citizens)")
      ->capture_default_str();
  app.add_option("--distinct", o.distinct,
                 "Subjects to cycle through (1: all but the first are cache hits); default all");
  app.add_option("--subject-offset", o.subject_offset,
                 "Index of the first subject (pick one no earlier run used to force misses)")
      ->capture_default_str();
  app.add_option("--max-age", o.max_age_s, "maxAgeSeconds of every request (0 = always fresh)")
      ->check(CLI::NonNegativeNumber);

  app.add_option("--from-organ", o.from_organ,
                 "documents: From/OrganId (default: the organ the --cert leaf names)");
  app.add_option("--to-organ", o.to_organ, "documents: To/OrganId, the one recipient")
      ->capture_default_str();
  app.add_option("--attachment-kb", o.attachment_kb,
                 "documents: size of the one attachment in KiB (random bytes, base64 in the "
                 "envelope)")
      ->capture_default_str()
      ->check(CLI::Range(uint64_t{0}, uint64_t{20} * 1024));

  app.add_option("--sign-key", o.sign_key,
                 "HTTP: send signed JSON (compact JWS, application/jose) signed with this private "
                 "key, PEM: the key of the --cert leaf")
      ->check(CLI::ExistingFile);
  app.add_option("--presign", o.presign,
                 "With --sign-key: bodies to sign before the run, each used once (default: what "
                 "the run needs, at most 100000 in a closed loop); the run stops when they run out")
      ->check(CLI::Range(uint64_t{1}, kMaxPresign));
  app.add_flag_function(
         "--check-answer-signature,!--no-check-answer-signature",
         [&o](int64_t n) { o.check_answer_signature = n > 0; },
         "HTTP: a 200 answer without X-JWS-Signature is an error (presence only; default: on "
         "with --sign-key)")
      ->disable_flag_override();

  app.add_flag("--no-tls-resume", o.no_tls_resume,
               "HTTP: never resume a TLS session (every connection a full handshake)");
  app.add_flag("--json", o.json, "Print the summary as one JSON object on stdout");
}

Result<void> finish_options(Options& o) {
  if (o.citizens == 0 || o.citizens > population::sim::CitizenDataset::max_count()) {
    return fail(ErrorCode::kBadRequest, fmt::format("--citizens must be 1..{}",
                                                    population::sim::CitizenDataset::max_count()));
  }
  if (o.parcel_subjects() && o.parcels == 0) {
    return fail(ErrorCode::kBadRequest, "--parcels must be at least 1");
  }
  if (o.distinct == 0) o.distinct = o.subject_count();
  if (o.distinct > o.subject_count()) {
    return fail(ErrorCode::kBadRequest, o.parcel_subjects()
                                            ? "--distinct cannot exceed --parcels"
                                            : "--distinct cannot exceed --citizens");
  }
  if (o.documents() && o.protocol != Protocol::kHttp) {
    return fail(ErrorCode::kBadRequest, "--workload documents is http only (POST /v1/documents)");
  }
  if (o.documents() && (o.signing() || o.check_answer_signature.value_or(false))) {
    return fail(ErrorCode::kBadRequest,
                "--sign-key and --check-answer-signature are for lookups: a document is signed "
                "by the gateway (XML-DSig) and answered 202 without a record");
  }
  if (o.protocol == Protocol::kThrift && o.threads != 1) {
    return fail(ErrorCode::kBadRequest,
                "--threads is for http; thrift runs a thread per connection");
  }
  if (o.protocol == Protocol::kThrift &&
      (o.signing() || o.check_answer_signature.value_or(false))) {
    return fail(ErrorCode::kBadRequest,
                "--sign-key and --check-answer-signature are for http (Thrift answers carry "
                "their JWS in LookupResponse.jws)");
  }
  if (!o.signing() && o.presign > 0) {
    return fail(ErrorCode::kBadRequest, "--presign needs --sign-key");
  }
  // iat is the pre-signing time and the gateway accepts it for 300 s: a longer run would be
  // refused towards its end.
  if (const auto window = o.window_s(); o.signing() && window && o.warmup_s + *window > 280) {
    return fail(ErrorCode::kBadRequest,
                "a signed run must fit in 280 s (warm-up + duration): iat is the pre-signing "
                "time and the gateway accepts it for 300 s");
  }
  if (!o.check_answer_signature) o.check_answer_signature = o.signing();
  for (const auto* path : {&o.cert, &o.key, &o.ca, &o.sign_key}) {
    if (path->empty()) continue;  // --sign-key is optional
    if (!std::ifstream(*path)) return fail(ErrorCode::kBadRequest, "cannot read " + *path);
  }
  return {};
}

}  // namespace lienthong::load
