// [adapters.business] → a ready BusinessAdapter. Keys (adapters/business/README.md):
//   url                  https://…/apiCSDLDKDN/1.0/chiTietDoanhNghiep (no query)     required
//   token_url            the API manager's token endpoint: "/token" or an https URL on url's
//                        host and port                                                  required
//   client_id            client credentials of the gateway at the API manager         required
//   client_secret | client_secret_file   its secret, inline or in a file (one of them) required
//   mapping              mappings/business.toml                                        required
//   upstream_ca          PEM anchors of the upstream's TLS certificate                 required
//   client_certificate, client_key   the gateway's mTLS certificate (chain) and key  required
//   signer_trust         directory of the anchors answers' x5c chains must reach       required
//   trusted_signers      CNs of the certificates allowed to sign answers              required
//   connect_timeout_ms, timeout_ms, max_attempts, max_connections, breaker_failures,
//   breaker_open_ms      as [adapters.population]                                      optional
//   token_refresh_margin_s (60), max_answer_bytes (1 MiB), max_json_depth (32)         optional
// Unknown keys are refused; relative paths are relative to the config file.
#pragma once

#include "adapters/registry.h"

namespace lienthong::adapters::business {

Result<exchange::Adapter::Ptr> build_from_config(const toml::table& table,
                                                 const AdapterContext& context);

}  // namespace lienthong::adapters::business
