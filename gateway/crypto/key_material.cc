#include "gateway/crypto/key_material.h"

#include <openssl/ec.h>
#include <openssl/pem.h>

#include <fstream>

namespace lienthong::crypto {

namespace {


BioPtr memory_bio(std::string_view bytes) {
  return BioPtr(BIO_new_mem_buf(bytes.data(), static_cast<int>(bytes.size())));
}

bool looks_like_pem(std::string_view bytes) {
  return bytes.find("-----BEGIN ") != std::string_view::npos;
}

std::string where(const std::filesystem::path& file) { return file.string() + ": "; }

template <class T>
Result<T> prefixed(Result<T> r, const std::filesystem::path& file) {
  if (!r) r.error().detail = where(file) + r.error().detail;
  return r;
}

}  // namespace

Result<std::string> read_file(const std::filesystem::path& file, size_t max_bytes) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return fail(ErrorCode::kBadRequest, where(file) + "cannot open");
  std::string bytes;
  char buf[1 << 16];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    bytes.append(buf, static_cast<size_t>(in.gcount()));
    if (bytes.size() > max_bytes)
      return fail(ErrorCode::kXmlLimitExceeded,
                  where(file) + "larger than the limit of " + std::to_string(max_bytes) + " bytes");
  }
  return bytes;
}

Result<std::vector<X509Ptr>> parse_certificates(std::string_view bytes) {
  std::vector<X509Ptr> certs;
  if (looks_like_pem(bytes)) {
    BioPtr bio = memory_bio(bytes);
    while (X509* cert = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr))
      certs.emplace_back(cert);
    ERR_clear_error();  // the loop ends on "no start line"
  } else {
    const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
    X509* cert = d2i_X509(nullptr, &p, static_cast<long>(bytes.size()));
    if (cert != nullptr) certs.emplace_back(cert);
  }
  if (certs.empty())
    return fail(ErrorCode::kBadRequest,
                "no certificate found (PEM or DER expected): " + drain_openssl_errors());
  return certs;
}

Result<std::vector<X509Ptr>> load_certificates(const std::filesystem::path& file) {
  auto bytes = read_file(file);
  if (!bytes) return tl::unexpected(bytes.error());
  return prefixed(parse_certificates(*bytes), file);
}

Result<std::vector<X509CrlPtr>> parse_crls(std::string_view bytes) {
  std::vector<X509CrlPtr> crls;
  if (looks_like_pem(bytes)) {
    BioPtr bio = memory_bio(bytes);
    while (X509_CRL* crl = PEM_read_bio_X509_CRL(bio.get(), nullptr, nullptr, nullptr))
      crls.emplace_back(crl);
    ERR_clear_error();
  } else {
    const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
    X509_CRL* crl = d2i_X509_CRL(nullptr, &p, static_cast<long>(bytes.size()));
    if (crl != nullptr) crls.emplace_back(crl);
  }
  if (crls.empty()) return fail(ErrorCode::kBadRequest, "no CRL found (PEM or DER expected)");
  return crls;
}

Result<std::vector<X509CrlPtr>> load_crls(const std::filesystem::path& file) {
  auto bytes = read_file(file);
  if (!bytes) return tl::unexpected(bytes.error());
  return prefixed(parse_crls(*bytes), file);
}

Result<EvpPkeyPtr> load_private_key(const std::filesystem::path& file) {
  auto bytes = read_file(file);
  if (!bytes) return tl::unexpected(bytes.error());
  BioPtr bio = memory_bio(*bytes);
  EVP_PKEY* key = looks_like_pem(*bytes)
                      ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr)
                      : d2i_PrivateKey_bio(bio.get(), nullptr);
  if (key == nullptr)
    return fail(ErrorCode::kBadRequest,
                where(file) + "no unencrypted private key: " + drain_openssl_errors());
  return EvpPkeyPtr(key);
}

Result<EvpPkeyPtr> load_public_key(const std::filesystem::path& file) {
  auto bytes = read_file(file);
  if (!bytes) return tl::unexpected(bytes.error());
  {
    BioPtr bio = memory_bio(*bytes);
    EVP_PKEY* key = looks_like_pem(*bytes)
                        ? PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr)
                        : d2i_PUBKEY_bio(bio.get(), nullptr);
    if (key != nullptr) return EvpPkeyPtr(key);
    ERR_clear_error();
  }
  auto certs = parse_certificates(*bytes);
  if (certs && !certs->empty()) {
    EVP_PKEY* key = X509_get_pubkey(certs->front().get());
    if (key != nullptr) return EvpPkeyPtr(key);
  }
  return fail(ErrorCode::kBadRequest, where(file) + "no public key or certificate found");
}

std::string describe_key(const EVP_PKEY* key) {
  if (key == nullptr) return "no key";
  switch (EVP_PKEY_get_base_id(key)) {
    case EVP_PKEY_RSA:
    case EVP_PKEY_RSA_PSS:
      return "RSA-" + std::to_string(EVP_PKEY_get_bits(key));
    case EVP_PKEY_EC: {
      char group[64] = {0};
      size_t len = 0;
      if (EVP_PKEY_get_group_name(key, group, sizeof group, &len) == 1) {
        const int nid = OBJ_txt2nid(group);
        const char* nist = nid != NID_undef ? EC_curve_nid2nist(nid) : nullptr;
        return std::string("EC ") + (nist != nullptr ? nist : group);
      }
      return "EC";
    }
    case EVP_PKEY_DSA:
      return "DSA-" + std::to_string(EVP_PKEY_get_bits(key));
    case EVP_PKEY_ED25519:
      return "Ed25519";
    case EVP_PKEY_ED448:
      return "Ed448";
    default:
      return "unknown key type";
  }
}

}  // namespace lienthong::crypto
