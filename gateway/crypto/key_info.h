// Reading the signer's certificates out of ds:KeyInfo. Only X.509 material is read; a KeyValue
// is noted (so the refusal can say why) but its key is never used: a document cannot vouch for
// its own key. Name lookups (X509SubjectName, X509IssuerSerial, X509SKI) resolve against the
// document's certificates and a configured pool, through xmlsec's own matcher.
#pragma once

#include <libxml/tree.h>

#include <string>
#include <vector>

#include "gateway/core/error.h"
#include "gateway/crypto/openssl_types.h"

namespace lienthong::crypto {

struct KeyInfoScan {
  std::vector<const xmlNode*> certificates;  // ds:X509Certificate
  std::vector<const xmlNode*> crls;          // ds:X509CRL
  std::vector<const xmlNode*> lookups;       // X509SubjectName / X509IssuerSerial / X509SKI
  bool has_key_value = false;
  bool has_retrieval_method = false;
  // The X.509 material exactly as written (names and texts): equal fingerprints mean the same
  // certificates, CRLs and lookups, so a validated result can be reused. Kept whole rather
  // than hashed: comparing a few KB is cheaper than hashing them, and exact.
  std::string fingerprint;
};

struct KeyInfoMaterial {
  std::vector<X509Ptr> certificates;  // document certificates and resolved lookups
  std::vector<X509CrlPtr> crls;
};

// Walks ds:KeyInfo under `signature` (cheap: no decoding).
Result<KeyInfoScan> scan_key_info(const xmlNode* signature);

// Decodes certificates and CRLs and resolves lookups against `pool` and the document's certs.
Result<KeyInfoMaterial> decode_key_info(const KeyInfoScan& scan, const std::vector<X509Ptr>& pool);

// Certificates of `certs` that issue none of the others: signer candidates, in order.
std::vector<X509*> leaf_candidates(const std::vector<X509Ptr>& certs);

}  // namespace lienthong::crypto
