#include "gateway/crypto/jws_crypto.h"

#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/hmac.h>
#include <openssl/rsa.h>

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
    if (signature.size() != spec.size)
      return fail(ErrorCode::kSignatureInvalid,
                  std::string(spec.name) + " signature must be " + std::to_string(spec.size) +
                      " bytes of raw R||S, not " + std::to_string(signature.size()));
    der = raw_to_der(signature);
    if (der.empty()) return fail(ErrorCode::kInternal, "cannot encode ECDSA signature");
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

}  // namespace lienthong::crypto
