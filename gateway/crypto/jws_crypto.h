// The signature operations of JWS over OpenSSL 3: one function to verify, one to sign, for
// every JwsAlg. ECDSA signatures are raw R||S of exactly the curve's size on the wire (RFC 7518
// sec. 3.4), DER only inside OpenSSL. The caller has already checked Jwk::refusal().
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/core/error.h"
#include "gateway/crypto/jwk.h"
#include "gateway/crypto/jws_algorithms.h"

namespace lienthong::crypto {

// SIGNATURE_INVALID when the signature does not verify (or has the wrong length).
Result<void> jws_verify_signature(JwsAlg alg, const Jwk& key, std::string_view signing_input,
                                  std::string_view signature);

// The raw JWS signature (R||S for ECDSA). The key needs its private part (or the secret).
Result<std::string> jws_sign(JwsAlg alg, const Jwk& key, std::string_view signing_input);

// One long-lived key prepared for one algorithm and one direction, with the same results as
// the two functions above: the digest is fetched once (OpenSSL 3's implicit fetch by name costs
// a lock and a table walk per call) and the OpenSSL contexts are initialised once and pooled
// (one must not be shared between threads; creating one per call costs as much as an Ed25519
// or ECDSA verification). RS*, PS*, ES*: the signing input is hashed, then EVP_PKEY_sign or
// EVP_PKEY_verify on a pooled EVP_PKEY_CTX; EdDSA: a pooled EVP_MD_CTX re-initialised on its own
// key before each one-shot call. HMAC keys are not prepared (create refuses them). The caller
// has already checked Jwk::refusal(); the JwsKeyOperation holds its own reference to the key.
class JwsKeyOperation {
 public:
  static Result<std::unique_ptr<const JwsKeyOperation>> create(JwsAlg alg, const Jwk& key,
                                                               bool verify);
  ~JwsKeyOperation();

  // SIGNATURE_INVALID when the signature does not verify (or has the wrong length); a verify
  // operation only.
  Result<void> verify(std::string_view signing_input, std::string_view signature) const;
  // The raw JWS signature; a sign operation only.
  Result<std::string> sign(std::string_view signing_input) const;

 private:
  struct Context;  // one pooled OpenSSL context
  JwsKeyOperation() = default;
  Result<std::unique_ptr<Context>> acquire() const;
  void release(std::unique_ptr<Context> ctx) const;

  JwsAlg alg_ = JwsAlg::kES256;
  bool verify_ = true;
  EvpPkeyPtr key_;
  EVP_MD* md_ = nullptr;   // explicitly fetched; nullptr for EdDSA
  std::string described_;  // Jwk::describe() of the key, for the refusal detail
  mutable std::mutex pool_mutex_;
  mutable std::vector<std::unique_ptr<Context>> pool_;
};

}  // namespace lienthong::crypto
