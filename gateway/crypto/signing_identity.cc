#include "gateway/crypto/signing_identity.h"

#include "gateway/crypto/algorithms.h"
#include "gateway/crypto/key_material.h"

namespace lienthong::crypto {

Result<std::shared_ptr<const SigningIdentity>> SigningIdentity::from(EvpPkeyPtr key,
                                                                     X509Ptr certificate,
                                                                     std::vector<X509Ptr> chain) {
  if (!key || !certificate)
    return fail(ErrorCode::kBadRequest, "signing key and certificate required");
  if (X509_check_private_key(certificate.get(), key.get()) != 1) {
    ERR_clear_error();
    return fail(ErrorCode::kBadRequest, "the signing key does not match certificate '" +
                                            subject_dn(certificate.get()) + "'");
  }
  if (auto method = signature_method_for(key.get()); !method) return tl::unexpected(method.error());
  auto identity = std::make_shared<SigningIdentity>();
  identity->key = std::move(key);
  identity->certificate = std::move(certificate);
  identity->chain = std::move(chain);
  return std::shared_ptr<const SigningIdentity>(std::move(identity));
}

Result<std::shared_ptr<const SigningIdentity>> SigningIdentity::load(
    const std::filesystem::path& key_file, const std::filesystem::path& cert_file,
    const std::vector<std::filesystem::path>& chain_files) {
  auto key = load_private_key(key_file);
  if (!key) return tl::unexpected(key.error());
  auto certs = load_certificates(cert_file);
  if (!certs) return tl::unexpected(certs.error());
  X509Ptr leaf = std::move(certs->front());
  std::vector<X509Ptr> chain;
  // A cert file may be a full chain: everything after the first certificate is chain.
  for (size_t i = 1; i < certs->size(); ++i) chain.push_back(std::move((*certs)[i]));
  for (const auto& file : chain_files) {
    auto more = load_certificates(file);
    if (!more) return tl::unexpected(more.error());
    for (auto& c : *more) chain.push_back(std::move(c));
  }
  return from(std::move(*key), std::move(leaf), std::move(chain));
}

Result<std::string> signature_method_for(const EVP_PKEY* key) {
  switch (EVP_PKEY_get_base_id(key)) {
    case EVP_PKEY_RSA:
      if (EVP_PKEY_get_bits(key) < 2048)
        return fail(ErrorCode::kSignaturePolicy, "refusing to sign with " + describe_key(key));
      return std::string(alg::kRsaSha256);
    case EVP_PKEY_EC: {
      const int bits = EVP_PKEY_get_bits(key);
      if (bits < 256)
        return fail(ErrorCode::kSignaturePolicy, "refusing to sign with " + describe_key(key));
      if (bits <= 256) return std::string(alg::kEcdsaSha256);
      if (bits <= 384) return std::string(alg::kEcdsaSha384);
      return std::string(alg::kEcdsaSha512);
    }
    default:
      return fail(ErrorCode::kSignaturePolicy,
                  describe_key(key) + " keys cannot sign XML here (RSA or ECDSA only)");
  }
}

}  // namespace lienthong::crypto
