// The [ocsp] section of the gateway's configuration (README "Configuration"): whether members'
// certificates are checked by OCSP, how long answers are trusted, and per issuing CA which
// responder to ask and what to do while it is down.
//
//   [ocsp]
//   enabled = true                 # default false
//   freshness_s = 3600             # an answer is used at most this long after its thisUpdate
//   clock_skew_s = 300
//   refresh_margin_s = 600         # fetched again this long before it goes stale
//   timeout_ms = 5000
//   send_nonce = true
//   accept_missing_nonce = false
//   when_unavailable = "fail_closed"   # or "grace"
//   grace_s = 0
//   [ocsp.issuers.<any name>]      # one per issuing CA whose responder or policy differs
//   certificate = "ca.crt"         # the issuing CA (its SHA-256 fingerprint is the key)
//   responder_url = "http://..."   # overrides the certificates' AIA
//   when_unavailable = "grace"
//   grace_s = 86400
#pragma once

#include <filesystem>
#include <optional>

#include <toml++/toml.h>

#include "gateway/core/error.h"
#include "gateway/crypto/ocsp_config.h"

namespace lienthong::app {

// nullopt when the section is absent or enabled = false. BAD_REQUEST "[ocsp...] key: why".
Result<std::optional<crypto::OcspConfig>> read_ocsp_settings(const toml::table* section,
                                                             const std::filesystem::path& base);

}  // namespace lienthong::app
