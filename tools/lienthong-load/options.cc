#include "tools/lienthong-load/options.h"

#include <fmt/format.h>

#include <fstream>
#include <map>

#include "adapters/population/citizen_dataset.h"

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
  for (const auto* path : {&o.cert, &o.key, &o.ca}) {
    if (!std::ifstream(*path)) return fail(ErrorCode::kBadRequest, "cannot read " + *path);
  }
  return {};
}

}  // namespace lienthong::load
