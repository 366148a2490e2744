// Owning handles for OpenSSL objects, said once (STYLE.md §6).
#pragma once

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <memory>
#include <string>
#include <vector>

namespace lienthong::crypto {

template <class T, void (*Free)(T*)>
struct OpenSslDeleter {
  void operator()(T* p) const { Free(p); }
};

using X509Ptr = std::unique_ptr<X509, OpenSslDeleter<X509, X509_free>>;
using X509CrlPtr = std::unique_ptr<X509_CRL, OpenSslDeleter<X509_CRL, X509_CRL_free>>;
using EvpPkeyPtr = std::unique_ptr<EVP_PKEY, OpenSslDeleter<EVP_PKEY, EVP_PKEY_free>>;
using EvpPkeyCtxPtr =
    std::unique_ptr<EVP_PKEY_CTX, OpenSslDeleter<EVP_PKEY_CTX, EVP_PKEY_CTX_free>>;
using EvpMdCtxPtr = std::unique_ptr<EVP_MD_CTX, OpenSslDeleter<EVP_MD_CTX, EVP_MD_CTX_free>>;
using X509StorePtr = std::unique_ptr<X509_STORE, OpenSslDeleter<X509_STORE, X509_STORE_free>>;
using BioPtr = std::unique_ptr<BIO, OpenSslDeleter<BIO, BIO_free_all>>;
using X509StoreCtxPtr =
    std::unique_ptr<X509_STORE_CTX, OpenSslDeleter<X509_STORE_CTX, X509_STORE_CTX_free>>;

// A new reference to an object someone else owns.
X509Ptr share(X509* cert);
X509CrlPtr share(X509_CRL* crl);
EvpPkeyPtr share(EVP_PKEY* key);

// Drains OpenSSL's per-thread error queue into one line ("" when empty).
std::string drain_openssl_errors();

// RFC 2253 subject/issuer with UTF-8 kept readable (Vietnamese names stay legible).
std::string subject_dn(const X509* cert);
std::string issuer_dn(const X509* cert);
// The subject's commonName (the first one), "" when there is none.
std::string common_name(const X509* cert);

// Lowercase hex SHA-256 of the DER encoding.
std::string sha256_fingerprint(const X509* cert);
std::string sha256_fingerprint(const EVP_PKEY* key);  // of the SubjectPublicKeyInfo

std::string to_der(const X509* cert);

}  // namespace lienthong::crypto
