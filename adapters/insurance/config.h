// [adapters.insurance] → a ready InsuranceAdapter. The keys are those of every JWS-signed REST
// adapter (adapters/rest/signed_rest_config.h; explained in adapters/business/config.h and
// adapters/insurance/README.md):
//   required: url (https://…/bhxh/1.0/traCuuQuaTrinhDong, no query), token_url ("/token" or an
//     https URL on url's host and port), client_id, client_secret or client_secret_file,
//     mapping (mappings/insurance.toml), upstream_ca, client_certificate, client_key,
//     signer_trust, trusted_signers (e.g. ["lienthong-sim insurance (SIMULATOR)"]);
//   optional: connect_timeout_ms, timeout_ms, max_attempts, max_connections, breaker_failures,
//     breaker_open_ms, token_refresh_margin_s, max_answer_bytes, max_json_depth.
// Nothing here names the officer: X-Officer-Id and X-Officer-Account come from each request.
// Unknown keys are refused; relative paths are relative to the config file.
#pragma once

#include "adapters/registry.h"

namespace lienthong::adapters::insurance {

Result<exchange::Adapter::Ptr> build_from_config(const toml::table& table,
                                                 const AdapterContext& context);

}  // namespace lienthong::adapters::insurance
