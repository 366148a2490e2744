// For fuzz targets that need a certificate and its key but must not depend on the dev PKI (the
// fuzz build does not generate it): an EC P-256 key and a self-signed certificate made in
// process when the target starts. Header-only; startup code, so it may throw.
#pragma once

#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>
#include <stdexcept>
#include <string>

#include "gateway/crypto/openssl_types.h"
#include "gateway/crypto/signing_identity.h"

namespace lienthong::fuzzing {

// A P-256 key and a self-signed certificate for it with subject CN=`cn`, valid from a day ago
// for ten years (the targets use the system clock).
inline std::shared_ptr<const crypto::SigningIdentity> throwaway_identity(const std::string& cn) {
  crypto::EvpPkeyPtr key(EVP_EC_gen("P-256"));
  crypto::X509Ptr cert(X509_new());
  if (!key || !cert) throw std::runtime_error("throwaway identity: EVP_EC_gen / X509_new");
  X509* c = cert.get();
  X509_set_version(c, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(c), 1);
  X509_gmtime_adj(X509_getm_notBefore(c), -24L * 3600);
  X509_gmtime_adj(X509_getm_notAfter(c), 10L * 365 * 24 * 3600);
  X509_NAME* name = X509_get_subject_name(c);
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>("lienthong fuzzing"), -1, -1,
                             0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
  X509_set_issuer_name(c, name);
  X509_set_pubkey(c, key.get());
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, c, c, nullptr, nullptr, 0);
  for (const auto& [nid, value] : {std::pair{NID_basic_constraints, "critical,CA:FALSE"},
                                   std::pair{NID_key_usage, "critical,digitalSignature"}}) {
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
    if (ext == nullptr) throw std::runtime_error("throwaway identity: extension");
    X509_add_ext(c, ext, -1);
    X509_EXTENSION_free(ext);
  }
  if (X509_sign(c, key.get(), EVP_sha256()) == 0)
    throw std::runtime_error("throwaway identity: X509_sign");
  auto identity = crypto::SigningIdentity::from(std::move(key), std::move(cert));
  if (!identity) throw std::runtime_error("throwaway identity: " + identity.error().detail);
  return *identity;
}

}  // namespace lienthong::fuzzing
