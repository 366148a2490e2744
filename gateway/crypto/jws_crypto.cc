#include "gateway/crypto/jws_crypto.h"

#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/hmac.h>
#include <openssl/rsa.h>

#include <utility>

namespace lienthong::crypto {

namespace {

using EcdsaSigPtr = std::unique_ptr<ECDSA_SIG, OpenSslDeleter<ECDSA_SIG, ECDSA_SIG_free>>;

const unsigned char* bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

Result<std::string> hmac(const JwsAlgSpec& spec, const Jwk& key, std::string_view input) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  const EVP_MD* md = EVP_get_digestbyname(spec.digest);
  if (md == nullptr || HMAC(md, key.secret.data(), static_cast<int>(key.secret.size()),
                            bytes(input), input.size(), mac, &len) == nullptr)
    return fail(ErrorCode::kInternal, std::string("HMAC failed: ") + drain_openssl_errors());
  return std::string(reinterpret_cast<char*>(mac), len);
}

// A digest-sign/verify context for the algorithm, with PSS parameters where they apply.
Result<EvpMdCtxPtr> md_context(const JwsAlgSpec& spec, EVP_PKEY* key, bool verify) {
  EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;
  const char* digest = spec.digest;  // nullptr for EdDSA: the key decides
  const int ok =
      verify ? EVP_DigestVerifyInit_ex(ctx.get(), &pctx, digest, nullptr, nullptr, key, nullptr)
             : EVP_DigestSignInit_ex(ctx.get(), &pctx, digest, nullptr, nullptr, key, nullptr);
  if (!ctx || ok != 1)
    return fail(ErrorCode::kInternal,
                std::string(spec.name) + " context: " + drain_openssl_errors());
  if (spec.family == JwsKeyFamily::kRsa) {
    // PS*: MGF1 with the same digest (the default) and a salt as long as the digest.
    const int padding = spec.pss ? RSA_PKCS1_PSS_PADDING : RSA_PKCS1_PADDING;
    if (EVP_PKEY_CTX_set_rsa_padding(pctx, padding) != 1 ||
        (spec.pss && EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) != 1))
      return fail(ErrorCode::kInternal,
                  std::string(spec.name) + " padding: " + drain_openssl_errors());
  }
  return ctx;
}

// R||S (each exactly half) -> DER ECDSA-Sig-Value for OpenSSL.
std::string raw_to_der(std::string_view raw) {
  const size_t half = raw.size() / 2;
  EcdsaSigPtr sig(ECDSA_SIG_new());
  BIGNUM* r = BN_bin2bn(bytes(raw), static_cast<int>(half), nullptr);
  BIGNUM* s = BN_bin2bn(bytes(raw) + half, static_cast<int>(half), nullptr);
  if (!sig || r == nullptr || s == nullptr || ECDSA_SIG_set0(sig.get(), r, s) != 1) {
    BN_free(r);
    BN_free(s);
    return {};
  }
  unsigned char* der = nullptr;
  const int len = i2d_ECDSA_SIG(sig.get(), &der);
  std::string out = len > 0 ? std::string(reinterpret_cast<char*>(der), len) : std::string();
  OPENSSL_free(der);
  return out;
}

// A JWS ECDSA signature (raw R||S of the algorithm's size) as the DER OpenSSL verifies.
Result<std::string> ecdsa_der_of(const JwsAlgSpec& spec, std::string_view signature) {
  if (signature.size() != spec.size)
    return fail(ErrorCode::kSignatureInvalid,
                std::string(spec.name) + " signature must be " + std::to_string(spec.size) +
                    " bytes of raw R||S, not " + std::to_string(signature.size()));
  std::string der = raw_to_der(signature);
  if (der.empty()) return fail(ErrorCode::kInternal, "cannot encode ECDSA signature");
  return der;
}

Result<std::string> der_to_raw(std::string_view der, size_t size) {
  const unsigned char* p = bytes(der);
  EcdsaSigPtr sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size())));
  if (!sig) return fail(ErrorCode::kInternal, "malformed ECDSA signature from OpenSSL");
  std::string raw(size, '\0');
  auto* out = reinterpret_cast<unsigned char*>(raw.data());
  const int half = static_cast<int>(size / 2);
  if (BN_bn2binpad(ECDSA_SIG_get0_r(sig.get()), out, half) < 0 ||
      BN_bn2binpad(ECDSA_SIG_get0_s(sig.get()), out + half, half) < 0)
    return fail(ErrorCode::kInternal, "ECDSA signature too long for its curve");
  return raw;
}

}  // namespace

Result<void> jws_verify_signature(JwsAlg alg, const Jwk& key, std::string_view signing_input,
                                  std::string_view signature) {
  const JwsAlgSpec& spec = jws_alg_spec(alg);
  if (spec.family == JwsKeyFamily::kOct) {
    auto computed = hmac(spec, key, signing_input);
    if (!computed) return tl::unexpected(computed.error());
    const std::string& mac = *computed;
    if (mac.size() != signature.size() ||
        CRYPTO_memcmp(mac.data(), signature.data(), mac.size()) != 0)
      return fail(ErrorCode::kSignatureInvalid, std::string(spec.name) + " MAC does not match");
    return {};
  }
  std::string der;
  std::string_view to_check = signature;
  if (spec.family == JwsKeyFamily::kEc) {
    auto encoded = ecdsa_der_of(spec, signature);
    if (!encoded) return tl::unexpected(encoded.error());
    der = std::move(*encoded);
    to_check = der;
  }
  auto ctx = md_context(spec, key.key.get(), /*verify=*/true);
  if (!ctx) return tl::unexpected(ctx.error());
  const int ok = EVP_DigestVerify(ctx->get(), bytes(to_check), to_check.size(),
                                  bytes(signing_input), signing_input.size());
  ERR_clear_error();
  if (ok != 1)
    return fail(ErrorCode::kSignatureInvalid,
                std::string(spec.name) + " signature does not verify with " + key.describe());
  return {};
}

Result<std::string> jws_sign(JwsAlg alg, const Jwk& key, std::string_view signing_input) {
  const JwsAlgSpec& spec = jws_alg_spec(alg);
  if (spec.family == JwsKeyFamily::kOct) return hmac(spec, key, signing_input);
  auto ctx = md_context(spec, key.key.get(), /*verify=*/false);
  if (!ctx) return tl::unexpected(ctx.error());
  size_t len = 0;
  if (EVP_DigestSign(ctx->get(), nullptr, &len, bytes(signing_input), signing_input.size()) != 1)
    return fail(ErrorCode::kInternal, "signing failed: " + drain_openssl_errors());
  std::string sig(len, '\0');
  if (EVP_DigestSign(ctx->get(), reinterpret_cast<unsigned char*>(sig.data()), &len,
                     bytes(signing_input), signing_input.size()) != 1)
    return fail(ErrorCode::kInternal, "signing failed: " + drain_openssl_errors());
  sig.resize(len);
  if (spec.family == JwsKeyFamily::kEc) return der_to_raw(sig, spec.size);
  return sig;
}

// --- JwsKeyOperation ---

struct JwsKeyOperation::Context {
  EvpPkeyCtxPtr pkey;  // RS*, PS*, ES*: initialised for sign or verify, digest and padding set
  EvpMdCtxPtr md;      // EdDSA: initialised on the key for DigestSign or DigestVerify
};

JwsKeyOperation::~JwsKeyOperation() { EVP_MD_free(md_); }

Result<std::unique_ptr<const JwsKeyOperation>> JwsKeyOperation::create(JwsAlg alg, const Jwk& key,
                                                                       bool verify) {
  const JwsAlgSpec& spec = jws_alg_spec(alg);
  if (spec.family == JwsKeyFamily::kOct || !key.key)
    return fail(ErrorCode::kBadRequest, std::string(spec.name) + ": no key to prepare");
  std::unique_ptr<JwsKeyOperation> op(new JwsKeyOperation());
  op->alg_ = alg;
  op->verify_ = verify;
  op->key_ = share(key.key.get());
  op->described_ = key.describe();
  if (spec.digest != nullptr) {
    op->md_ = EVP_MD_fetch(nullptr, spec.digest, nullptr);
    if (op->md_ == nullptr)
      return fail(ErrorCode::kInternal, std::string("digest unavailable: ") + spec.digest);
  }
  auto probe = op->acquire();  // fail when prepared, not on the first request
  if (!probe) return tl::unexpected(probe.error());
  op->release(std::move(*probe));
  return std::unique_ptr<const JwsKeyOperation>(std::move(op));
}

Result<std::unique_ptr<JwsKeyOperation::Context>> JwsKeyOperation::acquire() const {
  {
    std::lock_guard lock(pool_mutex_);
    if (!pool_.empty()) {
      auto ctx = std::move(pool_.back());
      pool_.pop_back();
      return ctx;
    }
  }
  const JwsAlgSpec& spec = jws_alg_spec(alg_);
  auto ctx = std::make_unique<Context>();
  bool ok = false;
  if (md_ == nullptr) {  // EdDSA: the key decides, one-shot
    ctx->md.reset(EVP_MD_CTX_new());
    ok = ctx->md && (verify_ ? EVP_DigestVerifyInit_ex(ctx->md.get(), nullptr, nullptr, nullptr,
                                                       nullptr, key_.get(), nullptr)
                             : EVP_DigestSignInit_ex(ctx->md.get(), nullptr, nullptr, nullptr,
                                                     nullptr, key_.get(), nullptr)) == 1;
  } else {
    ctx->pkey.reset(EVP_PKEY_CTX_new_from_pkey(nullptr, key_.get(), nullptr));
    EVP_PKEY_CTX* p = ctx->pkey.get();
    ok = p != nullptr && (verify_ ? EVP_PKEY_verify_init(p) : EVP_PKEY_sign_init(p)) == 1 &&
         EVP_PKEY_CTX_set_signature_md(p, md_) == 1;
    if (ok && spec.family == JwsKeyFamily::kRsa) {
      // As md_context: PS* takes MGF1 with the same digest (the default) and a salt as long as
      // the digest.
      const int padding = spec.pss ? RSA_PKCS1_PSS_PADDING : RSA_PKCS1_PADDING;
      ok = EVP_PKEY_CTX_set_rsa_padding(p, padding) == 1 &&
           (!spec.pss || EVP_PKEY_CTX_set_rsa_pss_saltlen(p, RSA_PSS_SALTLEN_DIGEST) == 1);
    }
  }
  if (!ok)
    return fail(ErrorCode::kInternal,
                std::string(spec.name) + " context: " + drain_openssl_errors());
  return ctx;
}

void JwsKeyOperation::release(std::unique_ptr<Context> ctx) const {
  if (ctx->md) {
    // A one-shot EdDSA call finalises the context; re-initialise it on the key it holds
    // (a NULL key keeps it). One that cannot be re-initialised is dropped.
    const int ok = verify_ ? EVP_DigestVerifyInit_ex(ctx->md.get(), nullptr, nullptr, nullptr,
                                                     nullptr, nullptr, nullptr)
                           : EVP_DigestSignInit_ex(ctx->md.get(), nullptr, nullptr, nullptr,
                                                   nullptr, nullptr, nullptr);
    if (ok != 1) {
      ERR_clear_error();
      return;
    }
  }
  std::lock_guard lock(pool_mutex_);
  if (pool_.size() < 64) pool_.push_back(std::move(ctx));
}

Result<void> JwsKeyOperation::verify(std::string_view signing_input,
                                     std::string_view signature) const {
  const JwsAlgSpec& spec = jws_alg_spec(alg_);
  if (!verify_) return fail(ErrorCode::kInternal, "a signing key operation cannot verify");
  std::string der;
  std::string_view to_check = signature;
  if (spec.family == JwsKeyFamily::kEc) {
    auto encoded = ecdsa_der_of(spec, signature);
    if (!encoded) return tl::unexpected(encoded.error());
    der = std::move(*encoded);
    to_check = der;
  }
  auto ctx = acquire();
  if (!ctx) return tl::unexpected(ctx.error());
  int ok = 0;
  if ((*ctx)->md) {
    ok = EVP_DigestVerify((*ctx)->md.get(), bytes(to_check), to_check.size(), bytes(signing_input),
                          signing_input.size());
  } else {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    ok = EVP_Digest(signing_input.data(), signing_input.size(), digest, &len, md_, nullptr) == 1
             ? EVP_PKEY_verify((*ctx)->pkey.get(), bytes(to_check), to_check.size(), digest, len)
             : 0;
  }
  ERR_clear_error();
  release(std::move(*ctx));
  if (ok != 1)
    return fail(ErrorCode::kSignatureInvalid,
                std::string(spec.name) + " signature does not verify with " + described_);
  return {};
}

Result<std::string> JwsKeyOperation::sign(std::string_view signing_input) const {
  const JwsAlgSpec& spec = jws_alg_spec(alg_);
  if (verify_) return fail(ErrorCode::kInternal, "a verifying key operation cannot sign");
  auto ctx = acquire();
  if (!ctx) return tl::unexpected(ctx.error());
  std::string sig(static_cast<size_t>(EVP_PKEY_get_size(key_.get())), '\0');
  size_t len = sig.size();
  auto* out = reinterpret_cast<unsigned char*>(sig.data());
  int ok = 0;
  if ((*ctx)->md) {
    ok = EVP_DigestSign((*ctx)->md.get(), out, &len, bytes(signing_input), signing_input.size());
  } else {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int dlen = 0;
    ok = EVP_Digest(signing_input.data(), signing_input.size(), digest, &dlen, md_, nullptr) == 1
             ? EVP_PKEY_sign((*ctx)->pkey.get(), out, &len, digest, dlen)
             : 0;
  }
  if (ok != 1) return fail(ErrorCode::kInternal, "signing failed: " + drain_openssl_errors());
  release(std::move(*ctx));
  sig.resize(len);
  if (spec.family == JwsKeyFamily::kEc) return der_to_raw(sig, spec.size);
  return sig;
}

}  // namespace lienthong::crypto
