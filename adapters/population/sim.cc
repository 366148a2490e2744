// `lienthong-sim`: the SIMULATOR of Vietnam's national systems, for development, tests and demos
// only: the population database (CSDLQG về dân cư, "API 037", the default), the enterprise
// registry (--system business), social insurance (--system insurance), the land database
// (--system land) and the national document axis (--system axis). It serves synthetic
// data over mutual TLS and signs its answers with its own certificate; it is not, and does not
// connect to, any national system.
#include <sys/resource.h>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <CLI/CLI.hpp>

#include <fmt/format.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>

#include "adapters/business/sim_service.h"
#include "adapters/documents/axis_sim.h"
#include "adapters/insurance/sim_service.h"
#include "adapters/land/sim_service.h"
#include "adapters/population/sim_server.h"
#include "gateway/core/log.h"
#include "gateway/crypto/canonical_signer.h"
#include "gateway/crypto/jws_signer.h"
#include "gateway/crypto/openssl_types.h"
#include "gateway/crypto/signing_identity.h"

namespace {

namespace sim = lienthong::population::sim;
using lienthong::Result;

constexpr int kExitUsage = 2;
constexpr int kExitStartup = 1;

struct Options {
  std::string system = "population";  // population, business, insurance, land, axis
  std::string listen = "127.0.0.1:0";
  std::string port_file;
  std::string tls_cert, tls_key;
  std::vector<std::string> client_cas;
  std::string sign_key, sign_cert;
  uint64_t seed = sim::CitizenDataset::kDefaultSeed;
  uint64_t citizens = sim::CitizenDataset::kDefaultCount;
  sim::Knobs knobs;
  int threads = 1;
  sim::Credentials credentials;
  int clock_skew_s = 300;
  int idle_timeout_s = 30;
  int hold_s = 60;
  std::string log_level = "info";
  // business and insurance: the API manager in front of them.
  lienthong::sim::TokenIssuerConfig tokens;
  int token_lifetime_s = 3600;
  std::string shape = "nested";  // business: nested (shape one) or flat (shape two)
  uint64_t parcels = lienthong::land::sim::ParcelDataset::kDefaultCount;  // land
  // axis: the document axis (adapters/documents/AXIS_SIMULATOR.md).
  size_t axis_max_documents = 10'000;
  size_t axis_max_stored_mb = 512;
  double drop_rate = 0, drop_after_accept_rate = 0;
  bool axis_no_tokens = false;
};

// "127.0.0.1:0", "[::1]:8443", "localhost:0" -> host and port.
bool split_listen(const std::string& listen, std::string& host, uint16_t& port) {
  const size_t colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0) return false;
  host = listen.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  if (host == "localhost") host = "127.0.0.1";
  const std::string digits = listen.substr(colon + 1);
  if (digits.empty() || digits.size() > 5 ||
      digits.find_first_not_of("0123456789") != std::string::npos)
    return false;
  const unsigned long value = std::stoul(digits);
  if (value > 65535) return false;
  port = static_cast<uint16_t>(value);
  return true;
}

// Thousands of concurrent connections need more descriptors than the usual soft limit.
void raise_open_file_limit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &limit) != 0)
      LT_LOG(warn, "lienthong-sim (SIMULATOR): cannot raise the open-file limit");
  }
}

void write_port_file(const std::string& path, uint16_t port) {
  // Written whole then renamed, so a test polling for the file never reads half a number.
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << port << "\n";
    if (!out) throw std::runtime_error("cannot write " + tmp);
  }
  std::filesystem::rename(tmp, path);
}

void add_options(CLI::App& app, Options& o) {
  app.add_option("--system", o.system,
                 "which national system to simulate: population (SOAP, XML-DSig), business "
                 "(enterprise registry, REST, JWS) or insurance (social insurance, REST, JWS)")
      ->check(CLI::IsMember({"population", "business", "insurance", "land", "axis"}))
      ->capture_default_str();
  app.add_option("--listen", o.listen, "HOST:PORT to listen on (port 0: any free port)")
      ->capture_default_str();
  app.add_option("--port-file", o.port_file, "also write the bound port to this file");
  app.add_option("--tls-cert", o.tls_cert,
                 "server certificate chain, PEM (e.g. ec/sim-population.fullchain.pem); "
                 "required to serve")
      ->check(CLI::ExistingFile);
  app.add_option("--tls-key", o.tls_key, "server private key, PEM; required to serve")
      ->check(CLI::ExistingFile);
  app.add_option("--client-ca", o.client_cas,
                 "PEM file of anchors (and intermediates) client certificates must chain to; "
                 "repeatable. mTLS is required: clients without a valid certificate are refused "
                 "at the handshake. Required to serve")
      ->check(CLI::ExistingFile);
  app.add_option("--sign-key", o.sign_key, "key that signs the answers (default: --tls-key)")
      ->check(CLI::ExistingFile);
  app.add_option("--sign-cert", o.sign_cert,
                 "certificate (and chain) of the signing key (default: --tls-cert)")
      ->check(CLI::ExistingFile);
  app.add_option("--seed", o.seed, "seed of the synthetic data set and of the injected faults")
      ->capture_default_str();
  app.add_option("--citizens", o.citizens, "number of synthetic citizens")->capture_default_str();
  app.add_option("--latency-ms", o.knobs.latency_ms, "added before every lookup answer")
      ->capture_default_str();
  app.add_option("--latency-jitter-ms", o.knobs.latency_jitter_ms,
                 "plus a deterministic 0..N ms per request")
      ->capture_default_str();
  app.add_option("--error-rate", o.knobs.error_rate,
                 "share of lookups answered HTTP 500 with a SOAP Fault")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  app.add_option("--timeout-rate", o.knobs.timeout_rate,
                 "share of lookups never answered (the connection closes after --hold-s)")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  app.add_option("--bad-signature-rate", o.knobs.bad_signature_rate,
                 "share of answers altered after signing (the signature no longer verifies)")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  app.add_option("--threads", o.threads, "I/O threads")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  app.add_option("--username", o.credentials.username, "expected username (development value)")
      ->capture_default_str();
  app.add_option("--secret", o.credentials.secret, "expected secret key (development value)")
      ->capture_default_str();
  app.add_option("--api-key", o.credentials.api_key, "expected ApiKey (development value)")
      ->capture_default_str();
  app.add_option("--auth-url", o.credentials.auth_url,
                 "url_xacthuc, hashed into the Authorization digest")
      ->capture_default_str();
  app.add_option("--clock-skew-s", o.clock_skew_s, "accepted distance of the Timestamp header")
      ->check(CLI::Range(1, 86400))
      ->capture_default_str();
  app.add_option("--idle-timeout-s", o.idle_timeout_s,
                 "close a kept-alive connection idle this long")
      ->check(CLI::Range(1, 3600))
      ->capture_default_str();
  app.add_option("--hold-s", o.hold_s, "how long a --timeout-rate request is held before closing")
      ->check(CLI::Range(1, 3600))
      ->capture_default_str();
  app.add_option("--log-level", o.log_level, "trace, debug, info, warn, error")
      ->capture_default_str();
  app.add_option(
         "--client-id", o.tokens.client_id,
         "business, insurance: the client id the token endpoint expects (development value)")
      ->capture_default_str();
  app.add_option("--client-secret", o.tokens.client_secret,
                 "business, insurance: its secret (development value)")
      ->capture_default_str();
  app.add_option("--token-lifetime-s", o.token_lifetime_s,
                 "business, insurance: expires_in of the tokens issued")
      ->check(CLI::Range(1, 86400))
      ->capture_default_str();
  app.add_option("--shape", o.shape, "business: answer shape, nested (shape one) or flat")
      ->check(CLI::IsMember({"nested", "flat"}))
      ->capture_default_str();
  app.add_option("--parcels", o.parcels, "land: number of synthetic parcels")
      ->capture_default_str();
  app.add_option("--axis-max-documents", o.axis_max_documents,
                 "axis: documents kept in memory; beyond, sends are refused with 507")
      ->capture_default_str();
  app.add_option("--axis-max-stored-mb", o.axis_max_stored_mb,
                 "axis: bytes of documents kept in memory, MiB; beyond, 507")
      ->check(CLI::Range(1, 65536))
      ->capture_default_str();
  app.add_option("--drop-rate", o.drop_rate,
                 "axis: share of requests whose connection is closed without an answer")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  app.add_option("--drop-after-accept-rate", o.drop_after_accept_rate,
                 "axis: share of accepted documents whose answer is dropped (the sender retries)")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  app.add_flag("--axis-no-tokens", o.axis_no_tokens,
               "axis: no bearer token required (by default POST /token as for business)");
}

struct IdsOptions {
  uint64_t count = 10;
  uint64_t offset = 0;
  uint64_t seed = sim::CitizenDataset::kDefaultSeed;
  uint64_t citizens = sim::CitizenDataset::kDefaultCount;
};

CLI::App* add_ids_command(CLI::App& app, IdsOptions& o) {
  CLI::App* ids = app.add_subcommand(
      "ids",
      "print personal IDs of the synthetic data set, one a line (citizens offset.."
      "offset+count-1), and exit: valid subjects for tests and demos");
  ids->add_option("--count", o.count, "how many")->capture_default_str();
  ids->add_option("--offset", o.offset, "index of the first")->capture_default_str();
  ids->add_option("--seed", o.seed, "seed of the data set (as the running simulator's)")
      ->capture_default_str();
  ids->add_option("--citizens", o.citizens, "size of the data set (as the running simulator's)")
      ->capture_default_str();
  return ids;
}

int print_ids(const IdsOptions& o) {
  const sim::CitizenDataset dataset(o.seed, o.citizens);
  for (uint64_t i = o.offset; i < dataset.size() && i - o.offset < o.count; ++i)
    std::cout << dataset.personal_id_at(i) << "\n";
  std::cout.flush();
  return 0;
}

// One simulated system: what serves its requests, how to describe it, its final statistics.
struct Handler {
  std::shared_ptr<lienthong::sim::SimHandler> handler;
  std::string description;
  std::function<std::string()> stats;
};

// A detached compact JWS (ES256 for the dev PKI's EC keys) over an answer's exact bytes, with
// the simulator's certificate chain in "x5c" so the gateway can validate it to its anchors.
Result<std::function<Result<std::string>(std::string_view)>> jws_signer_for(
    const lienthong::crypto::SigningIdentity& identity, const std::string& kid) {
  auto signer = lienthong::crypto::JwsSigner::from_identity(identity, kid, /*include_x5c=*/true);
  if (!signer) return tl::unexpected(signer.error());
  std::shared_ptr<const lienthong::crypto::JwsSigner> shared(std::move(*signer));
  return std::function<Result<std::string>(std::string_view)>(
      [shared](std::string_view body) -> Result<std::string> {
        lienthong::crypto::JwsSignOptions options;
        options.detached = true;
        return shared->sign(body, options);
      });
}

Result<Handler> make_handler(const Options& o, std::shared_ptr<const sim::CitizenDataset> citizens,
                             std::shared_ptr<const lienthong::crypto::SigningIdentity> identity) {
  lienthong::sim::TokenIssuerConfig tokens = o.tokens;
  tokens.lifetime = std::chrono::seconds(o.token_lifetime_s);
  if (o.system == "axis") {
    lienthong::edxml::sim::AxisSimConfig c;
    if (o.axis_no_tokens)
      c.tokens.reset();
    else
      c.tokens = tokens;
    c.max_documents = o.axis_max_documents;
    c.max_stored_bytes = o.axis_max_stored_mb << 20;
    c.knobs.latency_ms = o.knobs.latency_ms;
    c.knobs.drop_rate = o.drop_rate;
    c.knobs.drop_after_accept_rate = o.drop_after_accept_rate;
    c.seed = o.seed;
    const size_t agencies = c.agencies.size();
    auto service = std::make_shared<lienthong::edxml::sim::AxisService>(std::move(c));
    return Handler{
        service, fmt::format("trục liên thông văn bản: {} agencies, documents in memory", agencies),
        [service] { return service->stats_json(); }};
  }
  if (o.system == "land") {
    lienthong::land::sim::LandSimOptions lo;
    lo.citizens = citizens;
    lo.identity = identity;
    lo.seed = o.seed;
    lo.parcels = o.parcels;
    lo.knobs = o.knobs;
    auto made = lienthong::land::sim::make_land_sim_service(lo);
    if (!made) return tl::unexpected(made.error());
    auto service = *made;
    return Handler{
        service,
        fmt::format("CSDLQG về đất đai: {} synthetic parcels (seed {})", o.parcels, o.seed),
        [service] { return service->stats_json(); }};
  }
  if (o.system == "business" || o.system == "insurance") {
    auto enterprises =
        std::make_shared<const lienthong::business::sim::EnterpriseDataset>(citizens, o.seed);
    auto sign = jws_signer_for(*identity, "lienthong-sim-" + o.system);
    if (!sign) return tl::unexpected(sign.error());
    if (o.system == "business") {
      lienthong::business::sim::BusinessSimConfig c;
      c.dataset = enterprises;
      c.sign_detached = *sign;
      c.tokens = tokens;
      c.shape = o.shape == "flat" ? lienthong::business::sim::AnswerShape::kFlat
                                  : lienthong::business::sim::AnswerShape::kNested;
      c.knobs = o.knobs;
      c.seed = o.seed;
      auto service = std::make_shared<lienthong::business::sim::BusinessService>(std::move(c));
      return Handler{
          service,
          fmt::format("CSDLQG về đăng ký doanh nghiệp: {} synthetic enterprises (seed {})",
                      enterprises->size(), o.seed),
          [service] { return service->stats_json(); }};
    }
    lienthong::insurance::sim::InsuranceSimConfig c;
    c.dataset = std::make_shared<const lienthong::insurance::sim::InsuredDataset>(
        citizens, enterprises, o.seed);
    c.sign_detached = *sign;
    c.tokens = tokens;
    c.knobs = o.knobs;
    c.seed = o.seed;
    const uint64_t size = c.dataset->size();
    auto service = std::make_shared<lienthong::insurance::sim::InsuranceService>(std::move(c));
    return Handler{
        service, fmt::format("BHXH Việt Nam: {} synthetic insured people (seed {})", size, o.seed),
        [service] { return service->stats_json(); }};
  }
  auto signer = lienthong::crypto::CanonicalXmlSigner::create(identity);
  if (!signer) return tl::unexpected(signer.error());
  sim::SimServiceConfig service_config;
  service_config.dataset = citizens;
  service_config.signer = *signer;
  service_config.credentials = o.credentials;
  service_config.clock_skew = std::chrono::seconds(o.clock_skew_s);
  service_config.knobs = o.knobs;
  service_config.seed = o.seed;
  auto service = std::make_shared<sim::SimService>(std::move(service_config));
  return Handler{service,
                 fmt::format("CSDLQG về dân cư: {} synthetic citizens (seed {})", citizens->size(),
                             citizens->seed()),
                 [service] { return sim::stats_json(service->stats()); }};
}

int serve(const Options& o) {
  if (o.tls_cert.empty() || o.tls_key.empty() || o.client_cas.empty()) {
    std::cerr << "lienthong-sim: --tls-cert, --tls-key and --client-ca are required (see --help)\n";
    return kExitUsage;
  }
  sim::SimServerConfig server_config;
  if (!split_listen(o.listen, server_config.host, server_config.port)) {
    std::cerr << "lienthong-sim: --listen must be HOST:PORT\n";
    return kExitUsage;
  }
  server_config.tls_cert = o.tls_cert;
  server_config.tls_key = o.tls_key;
  server_config.client_cas = o.client_cas;
  server_config.threads = o.threads;
  server_config.idle_timeout = std::chrono::seconds(o.idle_timeout_s);
  server_config.hold_timeout = std::chrono::seconds(o.hold_s);
  // Documents with attachments: the axis alone takes bodies up to 32 MiB.
  if (o.system == "axis") server_config.max_body_bytes = lienthong::edxml::sim::kAxisMaxBodyBytes;
  server_config.handle_signals = true;

  raise_open_file_limit();
  auto citizens = std::make_shared<const sim::CitizenDataset>(o.seed, o.citizens);
  auto identity = lienthong::crypto::SigningIdentity::load(
      o.sign_key.empty() ? o.tls_key : o.sign_key, o.sign_cert.empty() ? o.tls_cert : o.sign_cert);
  if (!identity) {
    std::cerr << "lienthong-sim: signing identity: " << identity.error().detail << "\n";
    return kExitStartup;
  }
  auto handler = make_handler(o, citizens, *identity);
  if (!handler) {
    std::cerr << "lienthong-sim: " << handler.error().detail << "\n";
    return kExitStartup;
  }

  auto server = sim::SimServer::create(std::move(server_config), handler->handler);
  if (!server) {
    std::cerr << "lienthong-sim: " << server.error().detail << "\n";
    return kExitStartup;
  }
  const uint16_t port = (*server)->port();
  std::string host;
  uint16_t ignored = 0;
  split_listen(o.listen, host, ignored);
  const std::string shown = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  // The first line on stdout, flushed: tests read the port from it.
  std::cout << "lienthong-sim " << o.system << " listening on https://" << shown << ":" << port
            << " (SIMULATOR)" << std::endl;
  if (!o.port_file.empty()) write_port_file(o.port_file, port);
  LT_LOG(info, "lienthong-sim (SIMULATOR) of {}; answers signed by {}, {} thread(s); knobs {}",
         handler->description, lienthong::crypto::subject_dn((*identity)->certificate.get()),
         o.threads, lienthong::sim::knobs_json(o.knobs));
  (*server)->run();
  LT_LOG(info, "lienthong-sim (SIMULATOR) stopped; stats {}", handler->stats());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "lienthong-sim: SIMULATOR of Vietnam's national systems: the population database "
      "(CSDLQG về dân cư, \"API 037\" TraCuuThongTinCongDan, the default), the enterprise "
      "registry (--system business) and social insurance (--system insurance).\n"
      "For development, tests and demos only: synthetic data, signed with the simulator's "
      "own certificate. It is not a national system and connects to none."};
  Options options;
  add_options(app, options);
  IdsOptions ids_options;
  CLI::App* ids = add_ids_command(app, ids_options);
  app.require_subcommand(0, 1);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? 0 : kExitUsage;
  }
  if (ids->parsed()) {
    try {
      return print_ids(ids_options);
    } catch (const std::exception& e) {
      std::cerr << "lienthong-sim ids: " << e.what() << "\n";
      return kExitUsage;
    }
  }
  auto logger = spdlog::stderr_color_mt("lienthong-sim (SIMULATOR)");
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %n %l: %v");
  spdlog::set_default_logger(logger);
  spdlog::set_level(spdlog::level::from_str(options.log_level));
  try {
    return serve(options);
  } catch (const std::exception& e) {  // startup may throw; report it, do not abort
    std::cerr << "lienthong-sim (SIMULATOR): " << e.what() << "\n";
    return kExitStartup;
  }
}
