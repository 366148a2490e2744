#include "gateway/crypto/digest_signer.h"

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/rsa.h>

namespace lienthong::crypto {

DigestSigner::DigestSigner(EvpPkeyPtr key, EVP_MD* md)
    : key_(std::move(key)), md_(md), ecdsa_(EVP_PKEY_get_base_id(key_.get()) == EVP_PKEY_EC) {
  if (ecdsa_) ec_field_bytes_ = static_cast<size_t>((EVP_PKEY_get_bits(key_.get()) + 7) / 8);
}

DigestSigner::~DigestSigner() { EVP_MD_free(md_); }

Result<std::unique_ptr<DigestSigner>> DigestSigner::create(EvpPkeyPtr key,
                                                           const char* digest_name) {
  if (!key) return fail(ErrorCode::kBadRequest, "no key");
  const int type = EVP_PKEY_get_base_id(key.get());
  if (type != EVP_PKEY_RSA && type != EVP_PKEY_EC)
    return fail(ErrorCode::kBadRequest, "only RSA and EC keys sign here");
  EVP_MD* md = EVP_MD_fetch(nullptr, digest_name, nullptr);
  if (md == nullptr)
    return fail(ErrorCode::kInternal, std::string("digest unavailable: ") + digest_name);
  std::unique_ptr<DigestSigner> signer(new DigestSigner(std::move(key), md));
  auto probe = signer->acquire();  // fail at startup, not on the first request
  if (!probe)
    return fail(ErrorCode::kInternal, "cannot initialise signing: " + drain_openssl_errors());
  signer->release(std::move(probe));
  return signer;
}

EvpPkeyCtxPtr DigestSigner::acquire() const {
  {
    std::lock_guard lock(pool_mutex_);
    if (!pool_.empty()) {
      EvpPkeyCtxPtr ctx = std::move(pool_.back());
      pool_.pop_back();
      return ctx;
    }
  }
  EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, key_.get(), nullptr));
  if (!ctx || EVP_PKEY_sign_init(ctx.get()) != 1 ||
      EVP_PKEY_CTX_set_signature_md(ctx.get(), md_) != 1)
    return nullptr;
  if (!ecdsa_ && EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PADDING) != 1) return nullptr;
  return ctx;
}

void DigestSigner::release(EvpPkeyCtxPtr ctx) const {
  std::lock_guard lock(pool_mutex_);
  if (pool_.size() < 64) pool_.push_back(std::move(ctx));
}

std::string DigestSigner::digest(std::string_view data) const {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), md, &len, md_, nullptr);
  return std::string(reinterpret_cast<char*>(md), len);
}

Result<std::string> DigestSigner::sign(std::string_view data) const {
  const std::string hash = digest(data);
  EvpPkeyCtxPtr ctx = acquire();
  if (!ctx) return fail(ErrorCode::kInternal, "signing context: " + drain_openssl_errors());
  std::string sig(static_cast<size_t>(EVP_PKEY_get_size(key_.get())), '\0');
  size_t sig_len = sig.size();
  const int ok = EVP_PKEY_sign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &sig_len,
                               reinterpret_cast<const unsigned char*>(hash.data()), hash.size());
  release(std::move(ctx));
  if (ok != 1) return fail(ErrorCode::kInternal, "signing failed: " + drain_openssl_errors());
  sig.resize(sig_len);
  if (!ecdsa_) return sig;

  // DER ECDSA-Sig-Value -> r||s, as XML-DSig (RFC 4050/6931) and JWS (RFC 7518) require.
  const auto* p = reinterpret_cast<const unsigned char*>(sig.data());
  ECDSA_SIG* parsed = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(sig.size()));
  if (parsed == nullptr) return fail(ErrorCode::kInternal, "malformed ECDSA signature");
  std::string raw(2 * ec_field_bytes_, '\0');
  const BIGNUM* r = ECDSA_SIG_get0_r(parsed);
  const BIGNUM* s = ECDSA_SIG_get0_s(parsed);
  const int ok_r = BN_bn2binpad(r, reinterpret_cast<unsigned char*>(raw.data()),
                                static_cast<int>(ec_field_bytes_));
  const int ok_s = BN_bn2binpad(s, reinterpret_cast<unsigned char*>(raw.data()) + ec_field_bytes_,
                                static_cast<int>(ec_field_bytes_));
  ECDSA_SIG_free(parsed);
  if (ok_r < 0 || ok_s < 0) return fail(ErrorCode::kInternal, "ECDSA signature too long");
  return raw;
}

}  // namespace lienthong::crypto
