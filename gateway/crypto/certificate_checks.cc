#include "gateway/crypto/certificate_checks.h"

#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/x509v3.h>

#include <chrono>

#include "gateway/crypto/key_material.h"
#include "gateway/crypto/openssl_types.h"
#include "gateway/crypto/trust_store.h"

namespace lienthong::crypto {
namespace {

Result<void> check_key(const X509* cert) {
  EVP_PKEY* key = X509_get0_pubkey(cert);
  if (key == nullptr) return fail(ErrorCode::kBadRequest, "the certificate's key cannot be read");
  switch (EVP_PKEY_get_base_id(key)) {
    case EVP_PKEY_RSA:
    case EVP_PKEY_RSA_PSS:
      if (EVP_PKEY_get_bits(key) < 2048)
        return fail(ErrorCode::kBadRequest,
                    "weak key: " + describe_key(key) + " (RSA keys need at least 2048 bits)");
      return {};
    case EVP_PKEY_EC: {
      const std::string what = describe_key(key);
      if (what == "EC P-256" || what == "EC P-384" || what == "EC P-521") return {};
      return fail(ErrorCode::kBadRequest,
                  "weak or unsupported key: " + what + " (EC keys must be P-256, P-384 or P-521)");
    }
    case EVP_PKEY_ED25519:
    case EVP_PKEY_ED448:
      return {};
    default:
      return fail(ErrorCode::kBadRequest, "unsupported key: " + describe_key(key));
  }
}

bool self_signed(const X509* cert) {
  X509* c = const_cast<X509*>(cert);
  return X509_check_issued(c, c) == X509_V_OK && X509_verify(c, X509_get0_pubkey(c)) == 1;
}

Result<void> check_signature_algorithm(const X509* cert, CertificateRole role) {
  const int nid = X509_get_signature_nid(cert);
  int digest = NID_undef;
  int pkey = NID_undef;
  if (OBJ_find_sigid_algs(nid, &digest, &pkey) != 1)
    return fail(ErrorCode::kBadRequest, "unknown signature algorithm");
  const bool weak = digest == NID_md5 || digest == NID_sha1 || digest == NID_md5_sha1;
  if (!weak) return {};
  if (role == CertificateRole::kAnchor && self_signed(cert)) return {};
  return fail(ErrorCode::kBadRequest, std::string("weak signature: ") + OBJ_nid2ln(nid) +
                                          " (MD5 and SHA-1 signatures are refused)");
}

}  // namespace

std::string_view role_name(CertificateRole role) {
  switch (role) {
    case CertificateRole::kAnchor:
      return "anchor";
    case CertificateRole::kIntermediate:
      return "intermediate";
    case CertificateRole::kMember:
      return "member";
  }
  return "certificate";
}

Result<void> check_certificate(const X509* cert, CertificateRole role) {
  if (cert == nullptr) return fail(ErrorCode::kBadRequest, "no certificate");
  if (X509_get_version(cert) != 2)
    return fail(ErrorCode::kBadRequest, "not an X.509 v3 certificate");
  // X509_check_ca also caches the extensions; a certificate whose extensions do not decode
  // is malformed.
  const int ca = X509_check_ca(const_cast<X509*>(cert));
  if ((X509_get_extension_flags(const_cast<X509*>(cert)) & EXFLAG_INVALID) != 0)
    return fail(ErrorCode::kBadRequest, "malformed certificate extensions");
  if (auto ok = check_key(cert); !ok) return ok;
  if (auto ok = check_signature_algorithm(cert, role); !ok) return ok;
  switch (role) {
    case CertificateRole::kAnchor:
      if (ca != 1)
        return fail(ErrorCode::kBadRequest, "an anchor must be a CA (basicConstraints CA:TRUE)");
      if (!self_signed(cert))
        return fail(ErrorCode::kBadRequest,
                    "an anchor must be self-signed; add a subordinate CA with add-intermediate");
      return {};
    case CertificateRole::kIntermediate:
      if (ca != 1)
        return fail(ErrorCode::kBadRequest,
                    "an intermediate must be a CA (basicConstraints CA:TRUE)");
      if (self_signed(cert))
        return fail(ErrorCode::kBadRequest, "a self-signed CA is an anchor; use add-anchor");
      return {};
    case CertificateRole::kMember:
      if (ca != 0)
        return fail(ErrorCode::kBadRequest,
                    "a member certificate must not be a CA; pin the member's own certificate");
      if (X509_check_purpose(const_cast<X509*>(cert), X509_PURPOSE_SSL_CLIENT, 0) != 1)
        return fail(ErrorCode::kBadRequest,
                    "not a TLS client certificate (extendedKeyUsage lacks clientAuth)");
      return {};
  }
  return {};
}

long long seconds_to_expiry(const X509* cert, TimePoint now) {
  const TimePoint not_after = to_time_point(X509_get0_notAfter(cert));
  return std::chrono::duration_cast<std::chrono::seconds>(not_after - now).count();
}

std::string key_description(const X509* cert) { return describe_key(X509_get0_pubkey(cert)); }

}  // namespace lienthong::crypto
