// Certificates made in the test: self-signed strangers, or leaves issued by the dev PKI's
// intermediate with names the dev PKI does not have (no SAN, a bad organ URI, ...).
#pragma once

#include <openssl/ec.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <unistd.h>

#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "gateway/crypto/key_material.h"
#include "gateway/crypto/openssl_types.h"
#include "gateway/front/tls/server_tls.h"
#include "tests/support/test_pki.h"

namespace lienthong::testing {

struct IssuedCert {
  crypto::X509Ptr cert;
  crypto::EvpPkeyPtr key;
};

struct CertSpec {
  std::string cn;
  std::string ou;
  std::vector<std::string> san_uris;
};

inline void add_ext(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
  if (ext == nullptr) throw std::runtime_error("extension " + value);
  X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
}

// A P-256 client certificate valid from an hour ago for 30 days, signed by `issuer` with
// `issuer_key`, or self-signed when they are null.
inline IssuedCert issue_cert(const CertSpec& spec, X509* issuer = nullptr,
                             EVP_PKEY* issuer_key = nullptr) {
  IssuedCert out;
  out.key.reset(EVP_EC_gen("P-256"));
  out.cert.reset(X509_new());
  if (!out.key || !out.cert) throw std::runtime_error("EVP_EC_gen / X509_new");
  X509* cert = out.cert.get();
  X509_set_version(cert, 2);
  unsigned char serial[16];
  RAND_bytes(serial, sizeof serial);
  serial[0] &= 0x7f;
  BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
  BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert));
  BN_free(bn);
  X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert), 30L * 24 * 3600);
  X509_NAME* name = X509_get_subject_name(cert);
  auto add = [name](const char* field, const std::string& value) {
    if (value.empty()) return;
    X509_NAME_add_entry_by_txt(name, field, MBSTRING_UTF8,
                               reinterpret_cast<const unsigned char*>(value.c_str()), -1, -1, 0);
  };
  add("C", "VN");
  add("O", "test-made certificate");
  add("OU", spec.ou);
  add("CN", spec.cn);
  X509_set_issuer_name(cert, issuer != nullptr ? X509_get_subject_name(issuer) : name);
  X509_set_pubkey(cert, out.key.get());
  add_ext(cert, issuer != nullptr ? issuer : cert, NID_basic_constraints, "critical,CA:FALSE");
  add_ext(cert, issuer != nullptr ? issuer : cert, NID_key_usage, "critical,digitalSignature");
  add_ext(cert, issuer != nullptr ? issuer : cert, NID_ext_key_usage, "clientAuth");
  if (!spec.san_uris.empty()) {
    std::string san;
    for (const auto& uri : spec.san_uris) san += (san.empty() ? "URI:" : ",URI:") + uri;
    add_ext(cert, issuer != nullptr ? issuer : cert, NID_subject_alt_name, san);
  }
  if (X509_sign(cert, issuer_key != nullptr ? issuer_key : out.key.get(), EVP_sha256()) == 0)
    throw std::runtime_error("X509_sign");
  return out;
}

// Issued by the dev PKI's intermediate CA of key type `kt`.
inline IssuedCert issue_from_dev_intermediate(const std::string& kt, const CertSpec& spec) {
  auto ca = certificate(kt, "intermediate-ca");
  auto ca_key = crypto::load_private_key(pki_file(kt, "intermediate-ca.key"));
  if (!ca_key) throw std::runtime_error(ca_key.error().detail);
  return issue_cert(spec, ca.get(), ca_key->get());
}

// Writes the certificate (then `chain` certificates) and key as PEM files.
inline void write_pem(const IssuedCert& issued, const std::filesystem::path& cert_file,
                      const std::filesystem::path& key_file,
                      const std::vector<const X509*>& chain = {}) {
  FILE* f = std::fopen(cert_file.c_str(), "w");
  if (f == nullptr) throw std::runtime_error("cannot write " + cert_file.string());
  PEM_write_X509(f, issued.cert.get());
  for (const X509* c : chain) PEM_write_X509(f, const_cast<X509*>(c));
  std::fclose(f);
  f = std::fopen(key_file.c_str(), "w");
  if (f == nullptr) throw std::runtime_error("cannot write " + key_file.string());
  PEM_write_PrivateKey(f, issued.key.get(), nullptr, nullptr, 0, nullptr, nullptr);
  std::fclose(f);
}

// A directory of its own for one test (ctest runs test processes in parallel), removed after.
class ScratchDir {
 public:
  ScratchDir() {
    static int counter = 0;
    path_ = std::filesystem::temp_directory_path() /
            ("lienthong-front-" + std::to_string(::getpid()) + "-" + std::to_string(++counter));
    std::filesystem::create_directories(path_);
  }
  ~ScratchDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

// The gateway's server TLS configuration with the dev PKI: its `kt` TLS certificate, and both
// hierarchies' anchors for clients (the merged trust directory).
inline front::ServerTlsConfig dev_server_tls(const std::string& kt = "ec") {
  return front::ServerTlsConfig{pki_file(kt, "gateway-tls.fullchain.pem").string(),
                                pki_file(kt, "gateway-tls.key").string(),
                                (test_pki_dir() / "trust").string(), nullptr};
}

}  // namespace lienthong::testing
