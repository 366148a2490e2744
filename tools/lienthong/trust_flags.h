// The trust flags verify-xml and verify-jws share: --trust-dir, --trusted CERT..., --crl CRL...
// read into one TrustMaterial (anchors and CRLs). The error names the file that failed.
#pragma once

#include <string>
#include <vector>

#include "gateway/core/error.h"
#include "gateway/crypto/trust_store.h"

namespace lienthong::cli {

Result<crypto::TrustMaterial> load_trust_flags(const std::string& trust_dir,
                                               const std::vector<std::string>& trusted,
                                               const std::vector<std::string>& crls);

}  // namespace lienthong::cli
