// The gateway's own signing key with its certificate and chain, loaded once at startup.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "gateway/core/error.h"
#include "gateway/crypto/openssl_types.h"

namespace lienthong::crypto {

struct SigningIdentity {
  EvpPkeyPtr key;
  X509Ptr certificate;
  std::vector<X509Ptr> chain;  // intermediates to send along (not the root)

  // The key must match the certificate.
  static Result<std::shared_ptr<const SigningIdentity>> load(
      const std::filesystem::path& key_file, const std::filesystem::path& cert_file,
      const std::vector<std::filesystem::path>& chain_files = {});
  static Result<std::shared_ptr<const SigningIdentity>> from(EvpPkeyPtr key, X509Ptr certificate,
                                                             std::vector<X509Ptr> chain = {});
};

// The XML-DSig signature method for a key: rsa-sha256, or ecdsa-sha256/384/512 by curve.
Result<std::string> signature_method_for(const EVP_PKEY* key);

}  // namespace lienthong::crypto
