// Verifying XML-DSig from outside, over xmlsec1, so that attacks cannot fool the consumer:
//  - the bytes are parsed by parse_untrusted_xml (limits, no DTD, unique IDs);
//  - the SignedInfo is checked against a SignaturePolicy before any cryptography;
//  - the key comes only from a certificate that chains to the TrustStore, or from a key the
//    caller pinned; never from KeyValue, never fetched;
//  - the result names exactly what the References covered (the nodes and their canonical
//    bytes), so callers consume nothing else. Under the strict policy a reference must cover
//    the Signature's ancestor (enveloped) or one of its ds:Object children (enveloping).
#pragma once

#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "gateway/core/clock.h"
#include "gateway/core/error.h"
#include "gateway/crypto/openssl_types.h"
#include "gateway/crypto/signature_policy.h"
#include "gateway/crypto/trust_store.h"
#include "gateway/crypto/xml_document.h"

namespace lienthong::crypto {

struct SignedReference {
  std::string uri;
  std::string digest_method;
  std::vector<std::string> transforms;
  const xmlNode* node = nullptr;  // the covered element (nullptr only for non-element results)
  std::string canonical;          // the exact bytes that were digested
};

struct VerifiedXml {
  XmlDocPtr document;  // owns the nodes referenced below
  std::string signer;  // subject DN of the signing certificate, or the pinned key's name
  std::string signer_fingerprint;  // SHA-256 of the certificate (or of the public key)
  std::string signature_method;
  std::string canonicalization_method;
  std::vector<SignedReference> references;
  std::vector<X509Ptr> chain;  // validated path, leaf first; empty for a bare pinned key

  // The canonical bytes of every covered node, in reference order: what the consumer reads.
  std::string signed_xml() const;
};

// A key the caller vouches for; chain validation is skipped, validity dates of the certificate
// (when one is given) are still checked.
struct PinnedKey {
  EvpPkeyPtr key;
  X509Ptr certificate;  // optional
};

struct XmlVerifierConfig {
  const SignaturePolicy* policy = &SignaturePolicy::strict();
  XmlLimits limits;
  std::vector<IdAttribute> id_attributes = IdAttribute::defaults();
  TrustStore::Ptr trust;           // without it (and no pin) every signer is untrusted
  std::vector<X509Ptr> untrusted;  // pool for name lookups and path building
  std::shared_ptr<const PinnedKey> pinned;
  Clock::Ptr clock = SystemClock::instance();
};

class XmlVerifier {
 public:
  using Ptr = std::shared_ptr<const XmlVerifier>;
  virtual ~XmlVerifier() = default;
  virtual Result<VerifiedXml> verify(std::string_view document) const = 0;
};

class XmlDsigVerifier final : public XmlVerifier {
 public:
  static Result<std::shared_ptr<const XmlDsigVerifier>> create(XmlVerifierConfig config);
  ~XmlDsigVerifier() override;

  Result<VerifiedXml> verify(std::string_view document) const override;

  struct Signer;  // a resolved, validated signing key (cached by KeyInfo fingerprint)
  struct TransformLists;

 private:
  explicit XmlDsigVerifier(XmlVerifierConfig config);

  Result<std::shared_ptr<const Signer>> resolve_signer(const xmlNode* signature,
                                                       TimePoint at) const;

  XmlVerifierConfig config_;
  std::unique_ptr<TransformLists> transforms_;
  std::shared_ptr<const Signer> pinned_signer_;
  mutable std::shared_mutex cache_mutex_;
  mutable std::unordered_map<std::string, std::shared_ptr<const Signer>> cache_;
};

}  // namespace lienthong::crypto
