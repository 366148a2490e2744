// Signing outgoing edXML envelopes and verifying incoming ones with the gateway's XML-DSig
// classes (crypto::XmlSigner, crypto::XmlVerifier): enveloped, exclusive C14N, SHA-256, the
// certificate chain in KeyInfo, as the VPCP SDK signs (Reference URI="", FORMATS.md §1), with
// the ds:Signature as the last child of edXMLEnvelope/edXMLHeader.
//
// Verification keeps the verifier's typed errors (SIGNATURE_MISSING, SIGNATURE_INVALID,
// SIGNATURE_POLICY, SIGNATURE_WRAPPED, CERT_*, XML_*); an adapter that talks to the axis maps
// them to UPSTREAM_BAD_SIGNATURE as the population adapter does.
#pragma once

#include <string>
#include <string_view>

#include "adapters/documents/edxml_message.h"
#include "adapters/documents/edxml_parse.h"
#include "gateway/core/error.h"
#include "gateway/crypto/xml_signer.h"
#include "gateway/crypto/xml_verifier.h"

namespace lienthong::edxml {

// Signs an edXML document (a message or a Status, e.g. to_edxml's output). The document must
// not be signed already.
Result<std::string> sign_edxml(const crypto::XmlSigner& signer, std::string_view document,
                               const EdxmlLimits& limits = {});

struct VerifiedSigner {
  std::string subject;      // subject DN of the signing certificate (or the pinned key's name)
  std::string common_name;  // of the leaf certificate; empty for a bare pinned key
  std::string fingerprint;  // SHA-256 of the certificate (or of the public key)
};

struct VerifiedEdxml {
  EdxmlMessage message;  // read from the verified tree, not from a second parse
  VerifiedSigner signer;
};

struct VerifiedEdxmlStatus {
  EdxmlStatus status;
  VerifiedSigner signer;
};

// Verifies the one signature of the document, requires it to sit in edXMLHeader and to cover
// the whole document (Reference URI=""), then reads the envelope from the verified tree. The
// verifier's config sets the document limits (XmlVerifierConfig::limits; give it
// EdxmlLimits::xml()); `limits` applies to recipients and attachments. Validation (validate())
// remains the caller's.
Result<VerifiedEdxml> verify_edxml(const crypto::XmlVerifier& verifier, std::string_view document,
                                   const EdxmlLimits& limits = {});
Result<VerifiedEdxmlStatus> verify_edxml_status(const crypto::XmlVerifier& verifier,
                                                std::string_view document,
                                                const EdxmlLimits& limits = {});

}  // namespace lienthong::edxml
