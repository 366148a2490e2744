// The gateway's configuration file (TOML; reference in README "Configuration"). Parsed once at
// startup; unknown keys refused with their line; relative paths are relative to the file.
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <toml++/toml.h>

#include "gateway/core/error.h"
#include "gateway/crypto/ocsp_config.h"

namespace lienthong::app {

struct ListenConfig {
  bool enabled = false;
  std::string address = "127.0.0.1";
  std::uint16_t port = 0;
  int threads = 0;  // 0: one per core (HTTP); Thrift: connections served at once
};

// [admin]: the admin API on its own HTTPS port (docs/admin/api.md). Mutual TLS always; only the
// certificates listed in `administrators` are administrators.
struct AdminConfig {
  bool enabled = false;  // true when the section is present, unless it says enabled = false
  std::string address = "127.0.0.1";
  std::uint16_t port = 0;  // 0: ephemeral (written to the port file as admin=<port>)
  int threads = 1;
  // Trust directory administrators' certificates must chain to (may be [tls] client_trust).
  std::filesystem::path client_trust;
  // Certificate files (PEM or DER; a fullchain's first certificate): their SHA-256
  // fingerprints are the only administrator identities accepted.
  std::vector<std::filesystem::path> administrators;
};

struct GatewayConfig {
  std::filesystem::path source;  // the file, for messages
  std::string log_level = "info";
  int worker_threads = 0;  // 0: one per core

  // Server TLS for both fronts.
  std::filesystem::path tls_certificate_chain;
  std::filesystem::path tls_private_key;
  std::filesystem::path client_trust;  // trust directory for member certificates (+ CRLs)
  // "required": a member's certificate must be pinned for its organ (`lienthong trust
  // pin-member`); "off": any certificate chaining to an anchor speaks for the organ it names.
  std::string member_pinning = "required";
  // Reload trust and policy when their files change (inotify); SIGHUP always reloads.
  bool watch_trust = true;
  // [ocsp] (gateway/app/ocsp_settings.h): nullopt = members are checked by CRLs only.
  std::optional<crypto::OcspConfig> ocsp;

  ListenConfig http;
  ListenConfig thrift;
  std::optional<std::filesystem::path> port_file;  // writes "http=<port>\nthrift=<port>\n"

  // The gateway's signing identity for response envelopes.
  std::filesystem::path signing_key;
  std::filesystem::path signing_certificate;
  std::vector<std::filesystem::path> signing_chain;
  // Signed JSON (DESIGN.md §3): the answers' JWS and the members' signed requests.
  std::string jws_alg;  // "" = from the key (EC P-256 → ES256)
  // The signing certificate and chain in each answer's JWS header: members check answers
  // against the national root without pinning the gateway's certificate.
  bool jws_x5c = true;
  std::chrono::seconds request_window{300};  // a signed request's iat: now ± this
  std::vector<std::string> request_algorithms;  // "" = ES256/384/512, PS256, RS256, EdDSA

  std::filesystem::path policy_file;

  bool cache_enabled = true;
  std::string redis_host = "127.0.0.1";
  int redis_port = 6379;
  std::string redis_unix_socket;
  std::filesystem::path cache_sealing_key;
  int cache_pool = 8;

  std::filesystem::path audit_directory;
  std::string audit_fsync = "batch";  // batch | interval | none

  toml::table adapters;  // [adapters.*], handed to adapters/registry.cc as they are
  // [documents] (gateway/documents/documents_config.h), read when the gateway is built.
  std::optional<toml::table> documents;

  AdminConfig admin;  // [admin]
};

Result<GatewayConfig> load_gateway_config(const std::filesystem::path& file);

}  // namespace lienthong::app
