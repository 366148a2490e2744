#include "gateway/crypto/signature_policy.h"

#include <openssl/evp.h>

#include "gateway/crypto/algorithms.h"
#include "gateway/crypto/key_material.h"

namespace lienthong::crypto {

namespace {

bool contains(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}

// Refusals that hold under every policy, with the reason an operator needs.
std::optional<std::string> always_refused(std::string_view uri) {
  if (contains(uri, "hmac-"))
    return "HMAC signatures are refused: a shared secret cannot identify a signer";
  if (contains(uri, "dsa-sha") && !contains(uri, "ecdsa-")) return "DSA signatures are refused";
  if (contains(uri, "md5")) return "MD5 is broken and refused";
  if (uri == alg::kXslt) return "XSLT transforms are refused: they run code chosen by the sender";
  return std::nullopt;
}

SignaturePolicy make_strict() {
  SignaturePolicy p;
  p.name = "strict";
  p.signature_methods = {alg::kRsaSha256,   alg::kRsaSha384,   alg::kRsaSha512,
                         alg::kEcdsaSha256, alg::kEcdsaSha384, alg::kEcdsaSha512};
  p.digest_methods = {alg::kSha256, alg::kSha384, alg::kSha512};
  p.canonicalizations = {alg::kExcC14n,        alg::kExcC14nComments, alg::kC14n10,
                         alg::kC14n10Comments, alg::kC14n11,          alg::kC14n11Comments};
  p.transforms = p.canonicalizations;
  p.transforms.insert(alg::kEnveloped);
  return p;
}

SignaturePolicy make_interop() {
  SignaturePolicy p = make_strict();
  p.name = "interop";
  p.signature_methods.insert({alg::kRsaSha1, alg::kRsaSha224, alg::kEcdsaSha1, alg::kEcdsaSha224});
  p.digest_methods.insert({alg::kSha1, alg::kSha224});
  p.transforms.insert({alg::kXPath, alg::kXPath2, alg::kXPointer, alg::kBase64});
  p.min_rsa_bits = 512;
  p.min_ec_bits = 192;
  p.x509_security_level = 0;
  p.allow_detached_references = true;
  p.max_references = 32;
  p.max_transforms = 8;
  return p;
}

}  // namespace

const SignaturePolicy& SignaturePolicy::strict() {
  static const SignaturePolicy policy = make_strict();
  return policy;
}

const SignaturePolicy& SignaturePolicy::interop() {
  static const SignaturePolicy policy = make_interop();
  return policy;
}

const SignaturePolicy* SignaturePolicy::by_name(std::string_view name) {
  if (name == "strict") return &strict();
  if (name == "interop") return &interop();
  return nullptr;
}

std::optional<std::string> SignaturePolicy::refusal(Role role, std::string_view uri) const {
  if (auto reason = always_refused(uri)) return reason;
  const std::string shown = "'" + std::string(uri.substr(0, 120)) + "'";
  switch (role) {
    case Role::kSignature:
      if (signature_methods.contains(uri)) return std::nullopt;
      if (contains(uri, "sha1") || contains(uri, "sha224"))
        return "signature method " + shown + " is too weak for policy " + name +
               " (accepted only under interop)";
      return "signature method " + shown + " is not accepted by policy " + name;
    case Role::kDigest:
      if (digest_methods.contains(uri)) return std::nullopt;
      if (contains(uri, "sha1") || contains(uri, "sha224"))
        return "digest " + shown + " is too weak for policy " + name +
               " (accepted only under interop)";
      return "digest " + shown + " is not accepted by policy " + name;
    case Role::kCanonicalization:
      if (canonicalizations.contains(uri)) return std::nullopt;
      return "canonicalization " + shown + " is not accepted by policy " + name;
    case Role::kTransform:
      if (transforms.contains(uri)) return std::nullopt;
      return "transform " + shown + " is not accepted by policy " + name;
  }
  return "unknown role";
}

std::optional<std::string> SignaturePolicy::key_refusal(const evp_pkey_st* key) const {
  if (key == nullptr) return "no key";
  const int bits = EVP_PKEY_get_bits(key);
  switch (EVP_PKEY_get_base_id(key)) {
    case EVP_PKEY_RSA:
      if (bits < min_rsa_bits)
        return describe_key(key) + " is below policy " + name + "'s minimum of RSA-" +
               std::to_string(min_rsa_bits);
      return std::nullopt;
    case EVP_PKEY_EC:
      if (bits < min_ec_bits)
        return describe_key(key) + " is below policy " + name + "'s minimum of " +
               std::to_string(min_ec_bits) + "-bit curves";
      return std::nullopt;
    default:
      return describe_key(key) + " keys are not accepted for XML signatures";
  }
}

}  // namespace lienthong::crypto
