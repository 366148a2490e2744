#include "adapters/documents/edxml_signature.h"

#include <libxml/tree.h>

#include "gateway/crypto/openssl_types.h"
#include "gateway/crypto/xml_nodes.h"

namespace lienthong::edxml {
namespace {

namespace xml = crypto::xml;

constexpr std::string_view kDsigNs = "http://www.w3.org/2000/09/xmldsig#";

struct XmlFree {
  void operator()(xmlChar* p) const { xmlFree(p); }
};

xmlNode* child(const xmlNode* parent, std::string_view ns, std::string_view local) {
  for (xmlNode* c = xml::first_element(parent); c != nullptr; c = xml::next_element(c))
    if (xml::is(c, ns, local)) return c;
  return nullptr;
}

// edXML/edXMLEnvelope/edXMLHeader, or nullptr.
xmlNode* header_of(xmlDoc* doc) {
  xmlNode* root = xmlDocGetRootElement(doc);
  if (!xml::is(root, kNamespace, "edXML")) return nullptr;
  return child(child(root, kNamespace, "edXMLEnvelope"), kNamespace, "edXMLHeader");
}

// What the signature must look like before anything is read: in edXMLHeader, one Reference
// to the whole document. The verifier has already checked that the Reference covers an
// ancestor of the Signature (no wrapping); this pins the edXML shape on top of it, so a
// signature over any smaller part cannot vouch for the whole envelope.
Result<VerifiedSigner> check_shape(const crypto::VerifiedXml& verified) {
  xmlNode* header = header_of(verified.document.get());
  if (header == nullptr || child(header, kDsigNs, "Signature") == nullptr)
    return fail(ErrorCode::kSignatureWrapped,
                "edXML signature: the ds:Signature must be a child of edXMLEnvelope/edXMLHeader");
  if (verified.references.size() != 1 || !verified.references[0].uri.empty() ||
      verified.references[0].node != xmlDocGetRootElement(verified.document.get()))
    return fail(ErrorCode::kSignaturePolicy,
                "edXML signature: exactly one Reference, URI=\"\" (the whole document), is "
                "required");
  return VerifiedSigner{
      verified.signer,
      verified.chain.empty() ? std::string() : crypto::common_name(verified.chain[0].get()),
      verified.signer_fingerprint};
}

}  // namespace

// Where the Signature goes and what it covers. The VPCP SDK signs the whole document
// (Reference URI="", enveloped-signature then exclusive C14N) and places the Signature in
// edXMLHeader, after TraceHeaderList. XmlSigner signs the whole document when no ID is given
// and appends the Signature to the root; there is no option to choose its parent, and the
// envelope has no ID to target. The enveloped-signature transform removes the Signature
// element wherever it stands, so the digest covers the same bytes whether the Signature is a
// child of edXML or of edXMLHeader: moving it after signing keeps it valid, and verification
// below checks both the placement and the whole-document reference.
// Signing the whole document, rather than MessageHeader alone, also covers the manifest and
// the attachments: a swapped attachment breaks the signature.
Result<std::string> sign_edxml(const crypto::XmlSigner& signer, std::string_view document,
                               const EdxmlLimits& limits) {
  auto signed_doc = signer.sign(document, crypto::XmlSignOptions{});
  if (!signed_doc) return tl::unexpected(signed_doc.error());
  // The signature adds a few KiB: allow for it when reading the signed bytes back.
  crypto::XmlLimits xml_limits = limits.xml();
  xml_limits.max_bytes += 64 << 10;
  auto doc = crypto::parse_untrusted_xml(*signed_doc, xml_limits, crypto::IdAttribute::defaults());
  if (!doc) return tl::unexpected(doc.error());
  xmlNode* root = xmlDocGetRootElement(doc->get());
  xmlNode* header = header_of(doc->get());
  if (header == nullptr)
    return fail(ErrorCode::kBadRequest,
                "edXML signature: the document has no edXML/edXMLEnvelope/edXMLHeader");
  xmlNode* signature = nullptr;
  for (xmlNode* c = xml::first_element(root); c != nullptr; c = xml::next_element(c))
    if (xml::is(c, kDsigNs, "Signature")) signature = c;
  if (signature == nullptr || child(header, kDsigNs, "Signature") != nullptr)
    return fail(ErrorCode::kInternal,
                "edXML signature: the signer did not append the Signature "
                "to the root as XmlSignOptions{} promises");
  xmlUnlinkNode(signature);
  if (xmlAddChild(header, signature) == nullptr) {
    xmlFreeNode(signature);
    return fail(ErrorCode::kInternal, "edXML signature: cannot move the Signature");
  }
  xmlChar* out = nullptr;
  int len = 0;
  xmlDocDumpMemoryEnc(doc->get(), &out, &len, "UTF-8");
  std::unique_ptr<xmlChar, XmlFree> owned(out);
  if (out == nullptr) return fail(ErrorCode::kInternal, "edXML signature: cannot serialise");
  return std::string(reinterpret_cast<const char*>(out), static_cast<size_t>(len));
}

Result<VerifiedEdxml> verify_edxml(const crypto::XmlVerifier& verifier, std::string_view document,
                                   const EdxmlLimits& limits) {
  auto verified = verifier.verify(document);
  if (!verified) return tl::unexpected(verified.error());
  auto signer = check_shape(*verified);
  if (!signer) return tl::unexpected(signer.error());
  auto message = read_edxml(*verified->document, limits);
  if (!message) return tl::unexpected(message.error());
  return VerifiedEdxml{std::move(*message), std::move(*signer)};
}

Result<VerifiedEdxmlStatus> verify_edxml_status(const crypto::XmlVerifier& verifier,
                                                std::string_view document,
                                                const EdxmlLimits& limits) {
  auto verified = verifier.verify(document);
  if (!verified) return tl::unexpected(verified.error());
  auto signer = check_shape(*verified);
  if (!signer) return tl::unexpected(signer.error());
  auto status = read_edxml_status(*verified->document, limits);
  if (!status) return tl::unexpected(status.error());
  return VerifiedEdxmlStatus{std::move(*status), std::move(*signer)};
}

}  // namespace lienthong::edxml
