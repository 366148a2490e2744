#include "tools/lienthong-load/options.h"

#include <fmt/format.h>

#include <fstream>
#include <map>

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
  app.add_option("--distinct", o.distinct,
                 "Subjects to cycle through (1: all but the first are cache hits); default all");
  app.add_option("--subject-offset", o.subject_offset,
                 "Index of the first subject (pick one no earlier run used to force misses)")
      ->capture_default_str();
  app.add_option("--max-age", o.max_age_s, "maxAgeSeconds of every request (0 = always fresh)")
      ->check(CLI::NonNegativeNumber);

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
  if (o.distinct == 0) o.distinct = o.citizens;
  if (o.distinct > o.citizens) {
    return fail(ErrorCode::kBadRequest, "--distinct cannot exceed --citizens");
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
