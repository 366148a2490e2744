#include "gateway/crypto/xml_signer.h"

// xmlsec.h first: the other xmlsec headers use its definitions.
#include <xmlsec/xmlsec.h>

#include <libxml/valid.h>
#include <xmlsec/keys.h>
#include <xmlsec/openssl/crypto.h>
#include <xmlsec/openssl/evp.h>
#include <xmlsec/openssl/x509.h>
#include <xmlsec/templates.h>
#include <xmlsec/transforms.h>
#include <xmlsec/xmldsig.h>

#include "gateway/crypto/algorithms.h"
#include "gateway/crypto/xml_nodes.h"
#include "gateway/crypto/xml_runtime.h"

namespace lienthong::crypto {

// One xmlSecKey (private key plus its X.509 data) built at startup and lent to each signing
// context: duplicating a key per operation costs more than the XML work.
struct XmlDsigSigner::KeyHolder {
  xmlSecKeyPtr key = nullptr;
  ~KeyHolder() {
    if (key != nullptr) xmlSecKeyDestroy(key);
  }
};

namespace {

struct DsigCtxDeleter {
  void operator()(xmlSecDSigCtx* ctx) const {
    if (ctx != nullptr) {
      ctx->signKey = nullptr;  // lent, not owned: see KeyHolder
      xmlSecDSigCtxDestroy(ctx);
    }
  }
};

}  // namespace

XmlDsigSigner::XmlDsigSigner(XmlLimits limits, std::vector<IdAttribute> id_attributes)
    : limits_(limits),
      id_attributes_(std::move(id_attributes)),
      key_(std::make_unique<KeyHolder>()) {}

XmlDsigSigner::~XmlDsigSigner() = default;

Result<std::shared_ptr<const XmlDsigSigner>> XmlDsigSigner::create(
    std::shared_ptr<const SigningIdentity> identity, XmlLimits limits,
    std::vector<IdAttribute> id_attributes) {
  ensure_xml_runtime();
  if (!identity) return fail(ErrorCode::kBadRequest, "no signing identity");
  auto method = signature_method_for(identity->key.get());
  if (!method) return tl::unexpected(method.error());
  xmlSecTransformId method_id = xmlSecTransformIdListFindByHref(
      xmlSecTransformIdsGet(), reinterpret_cast<const xmlChar*>(method->c_str()),
      xmlSecTransformUsageSignatureMethod);
  if (method_id == xmlSecTransformIdUnknown)
    return fail(ErrorCode::kInternal, "xmlsec does not know " + *method);
  std::shared_ptr<XmlDsigSigner> signer(new XmlDsigSigner(limits, std::move(id_attributes)));
  signer->method_ = method_id;

  EVP_PKEY* pkey = identity->key.get();
  EVP_PKEY_up_ref(pkey);
  xmlSecKeyDataPtr value = xmlSecOpenSSLEvpKeyAdopt(pkey);
  if (value == nullptr) {
    EVP_PKEY_free(pkey);
    return fail(ErrorCode::kInternal, "xmlsec cannot adopt the signing key");
  }
  xmlSecKeyPtr key = xmlSecKeyCreate();
  if (key == nullptr || xmlSecKeySetValue(key, value) < 0) {
    xmlSecKeyDataDestroy(value);
    if (key != nullptr) xmlSecKeyDestroy(key);
    return fail(ErrorCode::kInternal, "xmlsec cannot create the signing key");
  }
  signer->key_->key = key;
  // The key certificate is held apart from the list xmlsec writes into X509Data, so the leaf
  // goes into that list too, first, followed by the chain.
  xmlSecKeyDataPtr x509 = xmlSecKeyEnsureData(key, xmlSecOpenSSLKeyDataX509Id);
  if (x509 == nullptr ||
      xmlSecOpenSSLKeyDataX509AdoptKeyCert(x509, X509_dup(identity->certificate.get())) < 0 ||
      xmlSecOpenSSLKeyDataX509AdoptCert(x509, X509_dup(identity->certificate.get())) < 0)
    return fail(ErrorCode::kInternal, "xmlsec cannot attach the signing certificate");
  for (const auto& cert : identity->chain)
    if (xmlSecOpenSSLKeyDataX509AdoptCert(x509, X509_dup(cert.get())) < 0)
      return fail(ErrorCode::kInternal, "xmlsec cannot attach a chain certificate");
  return std::shared_ptr<const XmlDsigSigner>(std::move(signer));
}

Result<std::string> XmlDsigSigner::sign(std::string_view document,
                                        const XmlSignOptions& options) const {
  auto doc = parse_untrusted_xml(document, limits_, id_attributes_);
  if (!doc) return tl::unexpected(doc.error());
  xmlNode* target = xmlDocGetRootElement(doc->get());
  std::string uri;
  if (!options.id.empty()) {
    xmlAttr* attr = xmlGetID(doc->get(), reinterpret_cast<const xmlChar*>(options.id.c_str()));
    if (attr == nullptr)
      return fail(ErrorCode::kBadRequest, "no element with ID '" + options.id + "'");
    target = attr->parent;
    uri = "#" + options.id;
  }
  for (const xmlNode* c = xml::first_element(target); c != nullptr; c = xml::next_element(c))
    if (xml::is(c, alg::kDsigNs, "Signature"))
      return fail(ErrorCode::kBadRequest, "the element is already signed");

  CapturedErrors errors;
  auto failed = [&](const char* step) {
    return fail(ErrorCode::kInternal, std::string(step) + ": " + errors.summary());
  };
  xmlNode* signature = xmlSecTmplSignatureCreateNsPref(
      doc->get(), xmlSecTransformExclC14NId, static_cast<xmlSecTransformId>(method_), nullptr,
      reinterpret_cast<const xmlChar*>("ds"));
  if (signature == nullptr) return failed("cannot create the Signature template");
  xmlAddChild(target, signature);
  xmlNode* reference =
      xmlSecTmplSignatureAddReference(signature, xmlSecOpenSSLTransformSha256Id, nullptr,
                                      reinterpret_cast<const xmlChar*>(uri.c_str()), nullptr);
  if (reference == nullptr ||
      xmlSecTmplReferenceAddTransform(reference, xmlSecTransformEnvelopedId) == nullptr ||
      xmlSecTmplReferenceAddTransform(reference, xmlSecTransformExclC14NId) == nullptr)
    return failed("cannot create the Reference");
  xmlNode* key_info = xmlSecTmplSignatureEnsureKeyInfo(signature, nullptr);
  xmlNode* x509_data = key_info != nullptr ? xmlSecTmplKeyInfoAddX509Data(key_info) : nullptr;
  if (x509_data == nullptr || xmlSecTmplX509DataAddCertificate(x509_data) == nullptr)
    return failed("cannot create KeyInfo");

  std::unique_ptr<xmlSecDSigCtx, DsigCtxDeleter> ctx(xmlSecDSigCtxCreate(nullptr));
  if (!ctx) return failed("xmlSecDSigCtxCreate");
  ctx->signKey = key_->key;
  if (xmlSecDSigCtxSign(ctx.get(), signature) < 0) return failed("signing failed");

  xmlChar* out = nullptr;
  int len = 0;
  xmlDocDumpMemoryEnc(doc->get(), &out, &len, "UTF-8");
  if (out == nullptr) return failed("cannot serialise the signed document");
  std::string signed_doc(reinterpret_cast<char*>(out), static_cast<size_t>(len));
  xmlFree(out);
  return signed_doc;
}

}  // namespace lienthong::crypto
