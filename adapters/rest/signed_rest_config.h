// The [adapters.<name>] keys every JWS-signed REST adapter shares (adapters/business/README.md
// lists them), read once here: the upstream (url, TLS files, timeouts, connections, breaker),
// the API manager's client credentials (token_url, client_id, client_secret or
// client_secret_file), who may sign answers (signer_trust, trusted_signers), the answer's
// limits, and the mapping. Unknown keys are refused; relative paths are relative to the config
// file. Startup only: builds the HTTP client (mTLS), the token source over it, the JWS verifier
// and the JSON mapping.
#pragma once

#include <memory>
#include <string_view>

#include "adapters/registry.h"
#include "adapters/rest/signed_json_call.h"
#include "gateway/app/config_reader.h"
#include "gateway/crypto/xml_verifier.h"
#include "gateway/exchange/json_mapping.h"
#include "gateway/upstream/upstream_config.h"

namespace lienthong::adapters::rest {

struct SignedRestAdapterParts {
  std::shared_ptr<SignedJsonCall> call;
  std::shared_ptr<const exchange::JsonMapping> mapping;
  Clock::Ptr clock;
};

Result<SignedRestAdapterParts> read_signed_rest_config(const toml::table& table,
                                                       std::string_view name,
                                                       const AdapterContext& context);

// Pieces other adapters' config readers may share. A secret given inline (`inline_key`) or as a
// file (`file_key`, trailing white space dropped); not both. "" when neither is given.
Result<std::string> read_secret(config::TableReader& r, std::string_view where,
                                std::string_view inline_key, std::string_view file_key);
// connect_timeout_ms, timeout_ms, max_attempts, max_connections, breaker_failures,
// breaker_open_ms: into `up` when given.
void read_upstream_limits(config::TableReader& r, upstream::UpstreamConfig& up);
// upstream_ca, client_certificate, client_key (each required): the mutual TLS to the upstream.
void read_upstream_tls(config::TableReader& r, upstream::UpstreamConfig& up);
// The verifier of an XML-DSig upstream's signatures (population, land, the document axis):
// signers chaining to the trust directory `signer_trust` (its CRLs are checked whenever
// present; the national CA publishes them), the strict policy, `limits` on what it parses.
Result<std::shared_ptr<const crypto::XmlDsigVerifier>> xml_signer_verifier(
    const std::filesystem::path& signer_trust, Clock::Ptr clock, crypto::XmlLimits limits = {});

}  // namespace lienthong::adapters::rest
