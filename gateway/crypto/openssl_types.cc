#include "gateway/crypto/openssl_types.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/sha.h>

namespace lienthong::crypto {

X509Ptr share(X509* cert) {
  if (cert != nullptr) X509_up_ref(cert);
  return X509Ptr(cert);
}
X509CrlPtr share(X509_CRL* crl) {
  if (crl != nullptr) X509_CRL_up_ref(crl);
  return X509CrlPtr(crl);
}
EvpPkeyPtr share(EVP_PKEY* key) {
  if (key != nullptr) EVP_PKEY_up_ref(key);
  return EvpPkeyPtr(key);
}

std::string drain_openssl_errors() {
  std::string out;
  unsigned long code = 0;
  while ((code = ERR_get_error()) != 0) {
    char buf[256];
    ERR_error_string_n(code, buf, sizeof buf);
    if (!out.empty()) out += "; ";
    out += buf;
  }
  return out;
}

namespace {

std::string name_to_string(const X509_NAME* name) {
  if (name == nullptr) return {};
  BIO* bio = BIO_new(BIO_s_mem());
  if (bio == nullptr) return {};
  // RFC 2253 order and escaping, but multi-byte UTF-8 left as is instead of \XX escapes.
  X509_NAME_print_ex(bio, name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio, &data);
  std::string out(data, len > 0 ? static_cast<size_t>(len) : 0);
  BIO_free(bio);
  return out;
}

std::string hex(const unsigned char* data, size_t len) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out(len * 2, '0');
  for (size_t i = 0; i < len; ++i) {
    out[2 * i] = digits[data[i] >> 4];
    out[2 * i + 1] = digits[data[i] & 0xf];
  }
  return out;
}

}  // namespace

std::string subject_dn(const X509* cert) { return name_to_string(X509_get_subject_name(cert)); }
std::string issuer_dn(const X509* cert) { return name_to_string(X509_get_issuer_name(cert)); }

std::string common_name(const X509* cert) {
  char buf[256] = {0};
  const int n =
      X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, buf, sizeof buf);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : std::string();
}

std::string to_der(const X509* cert) {
  unsigned char* der = nullptr;
  const int len = i2d_X509(cert, &der);
  if (len <= 0) return {};
  std::string out(reinterpret_cast<char*>(der), static_cast<size_t>(len));
  OPENSSL_free(der);
  return out;
}

std::string sha256_fingerprint(const X509* cert) {
  const std::string der = to_der(cert);
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int md_len = 0;
  EVP_Digest(der.data(), der.size(), md, &md_len, EVP_sha256(), nullptr);
  return hex(md, md_len);
}

std::string sha256_fingerprint(const EVP_PKEY* key) {
  unsigned char* der = nullptr;
  const int len = i2d_PUBKEY(key, &der);
  if (len <= 0) return {};
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int md_len = 0;
  EVP_Digest(der, static_cast<size_t>(len), md, &md_len, EVP_sha256(), nullptr);
  OPENSSL_free(der);
  return hex(md, md_len);
}

}  // namespace lienthong::crypto
