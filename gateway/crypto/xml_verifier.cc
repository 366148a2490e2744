#include "gateway/crypto/xml_verifier.h"

// xmlsec.h first: the other xmlsec headers use its definitions.
#include <xmlsec/xmlsec.h>

#include <xmlsec/errors.h>
#include <xmlsec/keys.h>
#include <xmlsec/keysdata.h>
#include <xmlsec/openssl/evp.h>
#include <xmlsec/transforms.h>
#include <xmlsec/xmldsig.h>
#include <xmlsec/xmltree.h>

#include "gateway/crypto/algorithms.h"
#include "gateway/crypto/key_info.h"
#include "gateway/crypto/key_material.h"
#include "gateway/crypto/xml_nodes.h"
#include "gateway/crypto/xml_runtime.h"

namespace lienthong::crypto {

struct XmlDsigVerifier::Signer {
  // Built once and lent to every verification of this signer (set as the context's signKey and
  // taken back before the context is destroyed): xmlsec only reads it.
  struct XmlSecKeyDeleter {
    void operator()(xmlSecKey* key) const {
      if (key != nullptr) xmlSecKeyDestroy(key);
    }
  };
  std::unique_ptr<xmlSecKey, XmlSecKeyDeleter> xmlsec_key;
  EvpPkeyPtr key;
  std::string name;
  std::string fingerprint;
  std::vector<X509Ptr> chain;
  TimePoint valid_from = TimePoint::min();
  TimePoint valid_until = TimePoint::max();
};

// xmlsec transform klasses the policy allows, looked up once by URI.
struct XmlDsigVerifier::TransformLists {
  std::vector<xmlSecTransformId> signature;  // SignedInfo: c14n and signature methods
  std::vector<xmlSecTransformId> reference;  // Reference: transforms and digest methods
};

namespace {

constexpr size_t kMaxSignerCache = 4096;

void add_ids(const std::set<std::string, std::less<>>& uris, std::vector<xmlSecTransformId>& out) {
  for (const auto& uri : uris) {
    xmlSecTransformId id = xmlSecTransformIdListFindByHref(
        xmlSecTransformIdsGet(), reinterpret_cast<const xmlChar*>(uri.c_str()),
        xmlSecTransformUsageAny);
    if (id != xmlSecTransformIdUnknown) out.push_back(id);
  }
}

std::string reference_label(const char* uri) {
  if (uri == nullptr) return "(no URI)";
  if (*uri == '\0') return "\"\" (whole document)";
  return "'" + std::string(uri).substr(0, 80) + "'";
}

// The ID named by a same-document URI: "#id" or "#xpointer(id('id'))"; "" for the whole
// document ("" or "#xpointer(/)"); nullopt for any other XPointer expression.
std::optional<std::string> referenced_id(std::string_view uri) {
  if (uri.empty() || uri == "#xpointer(/)") return std::string();
  if (uri.front() != '#') return std::nullopt;
  uri.remove_prefix(1);
  if (uri.starts_with("xpointer(")) {
    for (std::string_view quote : {"'", "\""}) {
      const std::string open = "xpointer(id(" + std::string(quote);
      const std::string close = std::string(quote) + "))";
      if (uri.starts_with(open) && uri.ends_with(close) && uri.size() > open.size() + close.size())
        return std::string(uri.substr(open.size(), uri.size() - open.size() - close.size()));
    }
    return std::nullopt;
  }
  if (uri.empty() || uri.find_first_of("()'\" ") != std::string_view::npos) return std::nullopt;
  return std::string(uri);
}

const xmlNode* node_for(xmlDoc* doc, std::string_view uri) {
  const auto id = referenced_id(uri);
  if (!id) return nullptr;
  if (id->empty()) return xmlDocGetRootElement(doc);
  xmlAttr* attr = xmlGetID(doc, reinterpret_cast<const xmlChar*>(id->c_str()));
  return attr != nullptr ? attr->parent : nullptr;
}

// Exactly one ds:Signature in the document; more would leave "which one?" to chance.
Result<xmlNode*> find_signature(xmlDoc* doc) {
  xmlNode* found = nullptr;
  size_t count = 0;
  xmlNode* node = xmlDocGetRootElement(doc);
  while (node != nullptr) {
    if (xml::is(node, alg::kDsigNs, "Signature")) {
      if (++count == 1) found = node;
    }
    if (node->children != nullptr && node->type == XML_ELEMENT_NODE) {
      node = node->children;
      continue;
    }
    while (node != nullptr && node->next == nullptr) {
      node = node->parent;
      if (node == nullptr || node->type == XML_DOCUMENT_NODE) node = nullptr;
    }
    if (node != nullptr) node = node->next;
  }
  if (count == 0) return fail(ErrorCode::kSignatureMissing, "no ds:Signature element");
  if (count > 1)
    return fail(ErrorCode::kSignaturePolicy,
                std::to_string(count) + " ds:Signature elements; exactly one is accepted");
  return found;
}

// Reads SignedInfo and refuses, before any cryptography, whatever the policy does not accept.
Result<void> check_signed_info(const xmlNode* signature, const SignaturePolicy& policy) {
  using Role = SignaturePolicy::Role;
  const xmlNode* signed_info = xml::first_element(signature);
  if (!xml::is(signed_info, alg::kDsigNs, "SignedInfo"))
    return fail(ErrorCode::kSignatureInvalid, "ds:Signature does not start with ds:SignedInfo");
  size_t references = 0;
  for (const xmlNode* c = xml::first_element(signed_info); c != nullptr; c = xml::next_element(c)) {
    const char* algorithm = xml::attribute(c, "Algorithm");
    if (xml::is(c, alg::kDsigNs, "CanonicalizationMethod")) {
      if (auto why = policy.refusal(Role::kCanonicalization, algorithm ? algorithm : ""))
        return fail(ErrorCode::kSignaturePolicy, *why);
    } else if (xml::is(c, alg::kDsigNs, "SignatureMethod")) {
      if (auto why = policy.refusal(Role::kSignature, algorithm ? algorithm : ""))
        return fail(ErrorCode::kSignaturePolicy, *why);
      if (xml::first_element(c) != nullptr)
        return fail(ErrorCode::kSignaturePolicy,
                    "SignatureMethod parameters (e.g. HMACOutputLength) are refused");
    } else if (xml::is(c, alg::kDsigNs, "Reference")) {
      if (++references > policy.max_references)
        return fail(ErrorCode::kSignaturePolicy, "more than " +
                                                     std::to_string(policy.max_references) +
                                                     " References under policy " + policy.name);
      const char* uri = xml::attribute(c, "URI");
      if (uri == nullptr)
        return fail(ErrorCode::kSignaturePolicy,
                    "Reference without URI: what it covers would be left to the application");
      const std::string_view u(uri);
      if (!u.empty() && u.front() != '#')
        return fail(ErrorCode::kSignaturePolicy,
                    "Reference " + reference_label(uri) +
                        " points outside the document; references are never fetched");
      if (!referenced_id(u) && !policy.transforms.contains(alg::kXPointer))
        return fail(ErrorCode::kSignaturePolicy, "XPointer " + reference_label(uri) +
                                                     " is not accepted by policy " + policy.name +
                                                     " (only \"\", #id and #xpointer(id('id')))");
      for (const xmlNode* r = xml::first_element(c); r != nullptr; r = xml::next_element(r)) {
        if (xml::is(r, alg::kDsigNs, "Transforms")) {
          size_t count = 0;
          for (const xmlNode* t = xml::first_element(r); t != nullptr; t = xml::next_element(t)) {
            if (++count > policy.max_transforms)
              return fail(ErrorCode::kSignaturePolicy, "too many transforms in one Reference");
            const char* t_alg = xml::attribute(t, "Algorithm");
            if (auto why = policy.refusal(Role::kTransform, t_alg ? t_alg : ""))
              return fail(ErrorCode::kSignaturePolicy, *why);
          }
        } else if (xml::is(r, alg::kDsigNs, "DigestMethod")) {
          const char* d_alg = xml::attribute(r, "Algorithm");
          if (auto why = policy.refusal(Role::kDigest, d_alg ? d_alg : ""))
            return fail(ErrorCode::kSignaturePolicy, *why);
        }
      }
    }
  }
  if (references == 0) return fail(ErrorCode::kSignatureInvalid, "SignedInfo has no Reference");
  return {};
}

// The Transform algorithms of each SignedInfo Reference, in document order, as written (xmlsec's
// own context also holds transforms it adds, such as XPointer for "#id").
std::vector<std::vector<std::string>> declared_transforms(const xmlNode* signature) {
  std::vector<std::vector<std::string>> out;
  for (const xmlNode* c = xml::first_element(xml::first_element(signature)); c != nullptr;
       c = xml::next_element(c)) {
    if (!xml::is(c, alg::kDsigNs, "Reference")) continue;
    auto& list = out.emplace_back();
    for (const xmlNode* r = xml::first_element(c); r != nullptr; r = xml::next_element(r))
      if (xml::is(r, alg::kDsigNs, "Transforms"))
        for (const xmlNode* t = xml::first_element(r); t != nullptr; t = xml::next_element(t))
          if (const char* a = xml::attribute(t, "Algorithm")) list.emplace_back(a);
  }
  return out;
}

std::string signature_method_of(const xmlNode* signature) {
  for (const xmlNode* c = xml::first_element(xml::first_element(signature)); c != nullptr;
       c = xml::next_element(c))
    if (xml::is(c, alg::kDsigNs, "SignatureMethod")) {
      const char* a = xml::attribute(c, "Algorithm");
      return a != nullptr ? a : "";
    }
  return {};
}

// A key that cannot compute the named method would fail with an obscure xmlsec error.
Result<void> check_key_fits(const std::string& method, const EVP_PKEY* key) {
  const bool rsa_method = method.find("#rsa-") != std::string::npos;
  const bool ec_method = method.find("#ecdsa-") != std::string::npos;
  const int type = EVP_PKEY_get_base_id(key);
  if ((rsa_method && type != EVP_PKEY_RSA) || (ec_method && type != EVP_PKEY_EC))
    return fail(ErrorCode::kSignatureInvalid, "signature method '" + method +
                                                  "' does not fit the signer's " +
                                                  describe_key(key) + " key");
  return {};
}

// Under strict policy a reference must cover an ancestor of the Signature (enveloped) or lie in
// one of its ds:Object children (enveloping). A detached same-document reference lets a forged
// element and the signed one live side by side: that is the shape of XSW attacks.
Result<void> check_placement(const xmlNode* signature, const SignedReference& ref) {
  if (ref.node == nullptr)
    return fail(ErrorCode::kSignatureWrapped,
                "Reference " + reference_label(ref.uri.c_str()) + " does not select one element");
  if (xml::is_ancestor(ref.node, signature)) return {};
  for (const xmlNode* p = ref.node; p != nullptr; p = p->parent) {
    if (p->parent == signature) {
      if (xml::is(p, alg::kDsigNs, "Object")) return {};
      break;
    }
  }
  return fail(ErrorCode::kSignatureWrapped,
              "Reference " + reference_label(ref.uri.c_str()) +
                  " covers an element that neither contains the signature nor is inside its "
                  "ds:Object (a detached reference, the shape of signature wrapping)");
}

Error xmlsec_failure(const CapturedErrors& errors) {
  const std::string why = errors.summary();
  if (errors.has_reason(XMLSEC_ERRORS_R_INVALID_URI_TYPE) ||
      errors.has_reason(XMLSEC_ERRORS_R_TRANSFORM_DISABLED))
    return Error{ErrorCode::kSignaturePolicy, "refused by policy: " + why};
  return Error{ErrorCode::kSignatureInvalid, "the signature could not be processed: " + why};
}

// Wraps a public key for xmlsec (which takes its own reference to the EVP_PKEY).
xmlSecKey* to_xmlsec_key(EVP_PKEY* pkey) {
  EVP_PKEY_up_ref(pkey);
  xmlSecKeyDataPtr data = xmlSecOpenSSLEvpKeyAdopt(pkey);
  if (data == nullptr) {
    EVP_PKEY_free(pkey);
    return nullptr;
  }
  xmlSecKey* key = xmlSecKeyCreate();
  if (key == nullptr || xmlSecKeySetValue(key, data) < 0) {
    xmlSecKeyDataDestroy(data);
    if (key != nullptr) xmlSecKeyDestroy(key);
    return nullptr;
  }
  return key;
}

// The signing key is lent to the context (see Signer): take it back before destruction.
struct LendingDsigCtxDeleter {
  void operator()(xmlSecDSigCtx* ctx) const {
    if (ctx != nullptr) {
      ctx->signKey = nullptr;
      xmlSecDSigCtxDestroy(ctx);
    }
  }
};

}  // namespace

std::string VerifiedXml::signed_xml() const {
  std::string out;
  for (const auto& ref : references) out += ref.canonical;
  return out;
}

XmlDsigVerifier::XmlDsigVerifier(XmlVerifierConfig config)
    : config_(std::move(config)), transforms_(std::make_unique<TransformLists>()) {}

XmlDsigVerifier::~XmlDsigVerifier() = default;

Result<std::shared_ptr<const XmlDsigVerifier>> XmlDsigVerifier::create(XmlVerifierConfig config) {
  ensure_xml_runtime();
  if (config.policy == nullptr) return fail(ErrorCode::kBadRequest, "no signature policy");
  if (!config.clock) config.clock = SystemClock::instance();
  std::shared_ptr<XmlDsigVerifier> verifier(new XmlDsigVerifier(std::move(config)));
  const SignaturePolicy& policy = *verifier->config_.policy;
  add_ids(policy.canonicalizations, verifier->transforms_->signature);
  add_ids(policy.signature_methods, verifier->transforms_->signature);
  add_ids(policy.transforms, verifier->transforms_->reference);
  add_ids(policy.digest_methods, verifier->transforms_->reference);

  if (const auto& pinned = verifier->config_.pinned) {
    if (!pinned->key) return fail(ErrorCode::kBadRequest, "pinned key is empty");
    if (auto why = policy.key_refusal(pinned->key.get()))
      return fail(ErrorCode::kSignaturePolicy, "pinned key refused: " + *why);
    auto signer = std::make_shared<Signer>();
    signer->key = share(pinned->key.get());
    if (pinned->certificate) {
      signer->name = subject_dn(pinned->certificate.get());
      signer->fingerprint = sha256_fingerprint(pinned->certificate.get());
      signer->valid_from = to_time_point(X509_get0_notBefore(pinned->certificate.get()));
      signer->valid_until = to_time_point(X509_get0_notAfter(pinned->certificate.get()));
      signer->chain.push_back(share(pinned->certificate.get()));
    } else {
      signer->fingerprint = sha256_fingerprint(pinned->key.get());
      signer->name = "pinned public key sha256:" + signer->fingerprint;
    }
    signer->xmlsec_key.reset(to_xmlsec_key(signer->key.get()));
    if (!signer->xmlsec_key) return fail(ErrorCode::kInternal, "cannot wrap the pinned key");
    verifier->pinned_signer_ = std::move(signer);
  }
  return std::shared_ptr<const XmlDsigVerifier>(std::move(verifier));
}

Result<std::shared_ptr<const XmlDsigVerifier::Signer>> XmlDsigVerifier::resolve_signer(
    const xmlNode* signature, TimePoint at) const {
  if (pinned_signer_) {
    const Signer& s = *pinned_signer_;
    if (at < s.valid_from || at > s.valid_until)
      return fail(ErrorCode::kCertExpired,
                  "pinned certificate '" + s.name + "' is valid only from " +
                      format_utc_time(s.valid_from) + " to " + format_utc_time(s.valid_until));
    return pinned_signer_;
  }

  auto scan = scan_key_info(signature);
  if (!scan) return tl::unexpected(scan.error());
  if (scan->certificates.empty() && scan->lookups.empty()) {
    if (scan->has_key_value)
      return fail(ErrorCode::kSignaturePolicy,
                  "the only key offered is a KeyValue inside the document; a document cannot "
                  "vouch for its own key (pin the signer's certificate or trust its CA)");
    if (scan->has_retrieval_method)
      return fail(ErrorCode::kSignaturePolicy, "KeyInfo RetrievalMethod is never followed");
    return fail(ErrorCode::kCertUntrusted, "KeyInfo carries no X.509 certificate");
  }

  if (!config_.trust)
    return fail(ErrorCode::kCertUntrusted,
                "nothing is trusted: no trust anchors and no pinned key are configured");

  {
    std::shared_lock lock(cache_mutex_);
    auto it = cache_.find(scan->fingerprint);
    if (it != cache_.end() && at >= it->second->valid_from && at <= it->second->valid_until)
      return it->second;
  }

  auto material = decode_key_info(*scan, config_.untrusted);
  if (!material) return tl::unexpected(material.error());
  const std::vector<X509*> leaves = leaf_candidates(material->certificates);
  if (leaves.empty()) return fail(ErrorCode::kCertUntrusted, "KeyInfo names no usable certificate");

  PathCheck check;
  check.at = at;
  check.security_level = config_.policy->x509_security_level;
  for (const auto& cert : material->certificates) check.untrusted.push_back(cert.get());
  for (const auto& cert : config_.untrusted) check.untrusted.push_back(cert.get());
  for (const auto& crl : material->crls) check.crls.push_back(crl.get());

  std::optional<Error> first_error;
  for (X509* leaf : leaves) {
    check.leaf = leaf;
    auto path = config_.trust->validate(check);
    if (!path) {
      if (!first_error) first_error = path.error();
      continue;
    }
    auto signer = std::make_shared<Signer>();
    signer->key = EvpPkeyPtr(X509_get_pubkey(leaf));
    if (!signer->key)
      return fail(ErrorCode::kCertUntrusted, "signing certificate has no usable key");
    if (auto why = config_.policy->key_refusal(signer->key.get()))
      return fail(ErrorCode::kSignaturePolicy, "signing key refused: " + *why);
    signer->xmlsec_key.reset(to_xmlsec_key(signer->key.get()));
    if (!signer->xmlsec_key) return fail(ErrorCode::kInternal, "cannot wrap the signing key");
    signer->name = subject_dn(leaf);
    signer->fingerprint = sha256_fingerprint(leaf);
    signer->chain = std::move(path->chain);
    signer->valid_from = path->valid_from;
    signer->valid_until = path->valid_until;
    std::shared_ptr<const Signer> shared = std::move(signer);
    std::unique_lock lock(cache_mutex_);
    if (cache_.size() >= kMaxSignerCache) cache_.clear();
    cache_[scan->fingerprint] = shared;
    return shared;
  }
  return tl::unexpected(*first_error);
}

Result<VerifiedXml> XmlDsigVerifier::verify(std::string_view bytes) const {
  const SignaturePolicy& policy = *config_.policy;
  auto doc = parse_untrusted_xml(bytes, config_.limits, config_.id_attributes);
  if (!doc) return tl::unexpected(doc.error());
  auto signature = find_signature(doc->get());
  if (!signature) return tl::unexpected(signature.error());
  if (auto checked = check_signed_info(*signature, policy); !checked)
    return tl::unexpected(checked.error());

  const TimePoint at = config_.clock->now();
  auto signer = resolve_signer(*signature, at);
  if (!signer) return tl::unexpected(signer.error());
  const std::string method = signature_method_of(*signature);
  if (auto fits = check_key_fits(method, (*signer)->key.get()); !fits)
    return tl::unexpected(fits.error());

  CapturedErrors errors;
  std::unique_ptr<xmlSecDSigCtx, LendingDsigCtxDeleter> ctx(xmlSecDSigCtxCreate(nullptr));
  if (!ctx) return fail(ErrorCode::kInternal, "xmlSecDSigCtxCreate failed");
  ctx->flags = XMLSEC_DSIG_FLAGS_STORE_SIGNEDINFO_REFERENCES | XMLSEC_DSIG_FLAGS_IGNORE_MANIFESTS;
  ctx->enabledReferenceUris = static_cast<xmlSecTransformUriType>(
      xmlSecTransformUriTypeEmpty | xmlSecTransformUriTypeSameDocument);
  for (xmlSecTransformId id : transforms_->signature)
    xmlSecDSigCtxEnableSignatureTransform(ctx.get(), id);
  for (xmlSecTransformId id : transforms_->reference)
    xmlSecDSigCtxEnableReferenceTransform(ctx.get(), id);
  // The key is set directly, so KeyInfo is never consulted; KeyName alone is left enabled
  // because an empty list would mean "everything" (and there is no keys manager to ask).
  xmlSecPtrListAdd(&ctx->keyInfoReadCtx.enabledKeyData, (void*)xmlSecKeyDataNameId);
  ctx->keyInfoReadCtx.flags |= XMLSEC_KEYINFO_FLAGS_X509DATA_STOP_ON_INVALID_CERT;
  ctx->signKey = (*signer)->xmlsec_key.get();

  const int rc = xmlSecDSigCtxVerify(ctx.get(), *signature);
  if (rc < 0) return tl::unexpected(xmlsec_failure(errors));

  const xmlSecSize count = xmlSecPtrListGetSize(&ctx->signedInfoReferences);
  auto reference_at = [&](xmlSecSize i) {
    return static_cast<xmlSecDSigReferenceCtxPtr>(
        xmlSecPtrListGetItem(&ctx->signedInfoReferences, i));
  };
  if (ctx->status != xmlSecDSigStatusSucceeded) {
    for (xmlSecSize i = 0; i < count; ++i) {
      const auto* ref = reference_at(i);
      if (ref != nullptr && ref->status != xmlSecDSigStatusSucceeded)
        return fail(ErrorCode::kSignatureInvalid,
                    "digest of reference " +
                        reference_label(
                            ref->uri != nullptr ? reinterpret_cast<const char*>(ref->uri) : "") +
                        " does not match: the signed content was changed");
    }
    return fail(ErrorCode::kSignatureInvalid,
                "SignatureValue does not match SignedInfo under the signer's key");
  }

  VerifiedXml result;
  const auto declared = declared_transforms(*signature);
  for (xmlSecSize i = 0; i < count; ++i) {
    auto* ref = reference_at(i);
    if (ref == nullptr) continue;
    SignedReference out;
    out.uri = ref->uri != nullptr ? reinterpret_cast<const char*>(ref->uri) : "";
    if (ref->digestMethod != nullptr && ref->digestMethod->id->href != nullptr)
      out.digest_method = reinterpret_cast<const char*>(ref->digestMethod->id->href);
    if (i < declared.size()) out.transforms = declared[i];
    xmlSecBufferPtr buffer = xmlSecDSigReferenceCtxGetPreDigestBuffer(ref);
    if (buffer != nullptr && xmlSecBufferGetData(buffer) != nullptr)
      out.canonical.assign(reinterpret_cast<const char*>(xmlSecBufferGetData(buffer)),
                           xmlSecBufferGetSize(buffer));
    out.node = node_for(doc->get(), out.uri);
    result.references.push_back(std::move(out));
  }
  if (result.references.empty())
    return fail(ErrorCode::kSignatureInvalid, "no reference was verified");
  if (!policy.allow_detached_references)
    for (const auto& ref : result.references)
      if (auto placed = check_placement(*signature, ref); !placed)
        return tl::unexpected(placed.error());

  result.signer = (*signer)->name;
  result.signer_fingerprint = (*signer)->fingerprint;
  result.signature_method = method;
  if (ctx->c14nMethod != nullptr && ctx->c14nMethod->id->href != nullptr)
    result.canonicalization_method = reinterpret_cast<const char*>(ctx->c14nMethod->id->href);
  for (const auto& cert : (*signer)->chain) result.chain.push_back(share(cert.get()));
  result.document = std::move(*doc);
  return result;
}

}  // namespace lienthong::crypto
