// What a signature may use to be accepted. Two named policies:
//  strict  - the gateway's policy for peers: SHA-256 or stronger, RSA >= 2048, EC >= P-256,
//            enveloped or enveloping references only, c14n transforms only.
//  interop - for the W3C/xmlsec interop vectors: also SHA-1, smaller keys, XPath filters and
//            detached same-document references.
// Both refuse HMAC, DSA, MD5, XSLT, keys from KeyValue, references outside the document and DTDs.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "gateway/core/error.h"

struct evp_pkey_st;

namespace lienthong::crypto {

struct SignaturePolicy {
  std::string name;
  std::set<std::string, std::less<>> signature_methods;
  std::set<std::string, std::less<>> digest_methods;
  std::set<std::string, std::less<>> canonicalizations;  // SignedInfo c14n
  std::set<std::string, std::less<>> transforms;         // Reference transforms
  int min_rsa_bits = 2048;
  int min_ec_bits = 256;
  int x509_security_level = 2;  // OpenSSL auth level for certificate paths
  // Same-document references to a node that neither contains the Signature nor sits in one
  // of its ds:Object children. Wrapping attacks live here; strict refuses them.
  bool allow_detached_references = false;
  size_t max_references = 8;
  size_t max_transforms = 4;

  static const SignaturePolicy& strict();
  static const SignaturePolicy& interop();
  static const SignaturePolicy* by_name(std::string_view name);

  // Why an algorithm URI is refused, or nullopt when this policy accepts it in that role.
  enum class Role { kSignature, kDigest, kCanonicalization, kTransform };
  std::optional<std::string> refusal(Role role, std::string_view uri) const;
  // Why a verification key is refused, or nullopt.
  std::optional<std::string> key_refusal(const evp_pkey_st* key) const;
};

}  // namespace lienthong::crypto
