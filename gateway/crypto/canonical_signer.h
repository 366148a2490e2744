// Signing documents the gateway wrote itself, without re-canonicalising them. The caller hands
// over the root element already in exclusive-C14N form (gateway/core/canonical_xml.h writes
// that form); the digest is taken over those bytes as they are, SignedInfo is emitted in its
// canonical form directly, and the ds:Signature is inserted as the root's last child. What comes
// out is an ordinary enveloped XML-DSig (URI="", enveloped + exc-c14n, SHA-256) that xmlsec1,
// the XmlDsigVerifier and every peer library verify; tests check exactly that.
// sign_element does the same for one element referenced by its Id (URI="#id"), for documents
// such as a SOAP answer whose signed part is an element inside the Body (lienthong-sim).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "gateway/core/error.h"
#include "gateway/crypto/digest_signer.h"
#include "gateway/crypto/signing_identity.h"

namespace lienthong::crypto {

class CanonicalXmlSigner {
 public:
  static Result<std::shared_ptr<const CanonicalXmlSigner>> create(
      std::shared_ptr<const SigningIdentity> identity);

  // `canonical_root`: exclusive-C14N bytes of the root element, without a Signature.
  // Returns: XML declaration, newline, the root with its ds:Signature.
  Result<std::string> sign(std::string_view canonical_root) const;

  // `canonical_element`: exclusive-C14N bytes of one element as its own apex (so it declares
  // every namespace it uses, and nothing an ancestor declares changes its canonical form),
  // carrying Id="`id`", without a Signature. `id` is an NCName of letters, digits, '-', '_',
  // '.'. Returns the element with its ds:Signature (Reference URI="#id") as last child; the
  // caller puts it into its document unchanged.
  Result<std::string> sign_element(std::string_view canonical_element, std::string_view id) const;

 private:
  CanonicalXmlSigner() = default;

  // Appends everything from the element's start up to its end tag, the ds:Signature over
  // `canonical_element` with Reference URI=`uri`, and the end tag.
  Result<void> append_signed(std::string_view canonical_element, std::string_view uri,
                             std::string& out) const;

  std::unique_ptr<DigestSigner> signer_;
  std::string signed_info_head_;  // canonical SignedInfo up to the Reference's URI value
  std::string reference_head_;    // from the end of the URI value up to the DigestValue text
  std::string key_info_;          // ds:KeyInfo element, written once
};

}  // namespace lienthong::crypto
