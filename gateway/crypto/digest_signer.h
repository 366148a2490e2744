// Signing with a long-lived private key at the speed OpenSSL allows: the digest algorithm is
// fetched once and EVP_PKEY_CTX objects are initialised once and pooled (an EVP_PKEY_CTX is not
// safe to share between threads, creating one per call costs more than an ECDSA signature).
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/core/encoding.h"
#include "gateway/core/error.h"
#include "gateway/crypto/openssl_types.h"

namespace lienthong::crypto {

class DigestSigner {
 public:
  // `digest_name` as OpenSSL names it ("SHA256"). RSA uses PKCS#1 v1.5.
  static Result<std::unique_ptr<DigestSigner>> create(EvpPkeyPtr key, const char* digest_name);
  ~DigestSigner();

  // Hashes `data` and signs the digest. ECDSA signatures come back as r||s, each padded to the
  // curve size (the XML-DSig and JWS form), not DER.
  Result<std::string> sign(std::string_view data) const;
  // The digest alone, with the pre-fetched algorithm.
  std::string digest(std::string_view data) const;

 private:
  DigestSigner(EvpPkeyPtr key, EVP_MD* md);
  EvpPkeyCtxPtr acquire() const;
  void release(EvpPkeyCtxPtr ctx) const;

  EvpPkeyPtr key_;
  EVP_MD* md_;
  bool ecdsa_;
  size_t ec_field_bytes_ = 0;
  mutable std::mutex pool_mutex_;
  mutable std::vector<EvpPkeyCtxPtr> pool_;
};

using lienthong::base64_encode;  // gateway/core/encoding.h

}  // namespace lienthong::crypto
