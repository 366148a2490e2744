#include "gateway/crypto/key_info.h"

// xmlsec.h first: the other xmlsec headers use its definitions.
#include <xmlsec/xmlsec.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509v3.h>
#include <xmlsec/base64.h>
#include <xmlsec/keyinfo.h>
#include <xmlsec/keysdata.h>
#include <xmlsec/openssl/x509.h>

#include "gateway/crypto/algorithms.h"
#include "gateway/crypto/xml_nodes.h"

namespace lienthong::crypto {

namespace {

constexpr size_t kMaxX509Items = 16;  // certificates + CRLs + lookups in one KeyInfo

// Appends an item's name and text as written: equal keys mean equal X.509 material.
void append_identity(std::string& key, const xmlNode* node) {
  key.append(xml::name(node));
  key.push_back('\x1f');
  for (const xmlNode* c = node->children; c != nullptr; c = c->next) {
    if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) {
      if (c->content != nullptr) key.append(reinterpret_cast<const char*>(c->content));
    } else if (c->type == XML_ELEMENT_NODE) {
      append_identity(key, c);  // X509IssuerSerial's children
    }
  }
  key.push_back('\x1e');
}

Result<std::string> base64_decode(const xmlNode* node, const char* what) {
  std::string text = xml::text(node);
  std::string out(text.size(), '\0');
  xmlSecSize written = 0;
  if (xmlSecBase64Decode_ex(reinterpret_cast<const xmlChar*>(text.c_str()),
                            reinterpret_cast<xmlSecByte*>(out.data()),
                            static_cast<xmlSecSize>(out.size()), &written) < 0)
    return fail(ErrorCode::kSignatureInvalid, std::string("malformed base64 in ") + what);
  out.resize(static_cast<size_t>(written));
  return out;
}

std::string child_text(const xmlNode* parent, std::string_view local) {
  for (const xmlNode* c = xml::first_element(parent); c != nullptr; c = xml::next_element(c))
    if (xml::is(c, alg::kDsigNs, local)) return xml::text(c);
  return {};
}

struct X509StoreDeleter {
  void operator()(xmlSecKeyDataStore* store) const { xmlSecKeyDataStoreDestroy(store); }
};

// Resolves name lookups with xmlsec's matcher (it parses RFC 2253 names and compares them as
// X509_NAMEs) over the configured pool and the document's certificates.
Result<void> resolve_lookups(const KeyInfoScan& scan, const std::vector<X509Ptr>& pool,
                             KeyInfoMaterial& material) {
  if (scan.lookups.empty()) return {};
  std::unique_ptr<xmlSecKeyDataStore, X509StoreDeleter> store(
      xmlSecKeyDataStoreCreate(xmlSecOpenSSLX509StoreId));
  if (!store) return fail(ErrorCode::kInternal, "cannot create xmlsec X509 store");
  auto adopt = [&](X509* cert) {
    X509* copy = X509_dup(cert);
    if (copy != nullptr &&
        xmlSecOpenSSLX509StoreAdoptCert(store.get(), copy, xmlSecKeyDataTypeNone) < 0)
      X509_free(copy);
  };
  for (const auto& cert : pool) adopt(cert.get());
  for (const auto& cert : material.certificates) adopt(cert.get());

  xmlSecKeyInfoCtx ctx;
  if (xmlSecKeyInfoCtxInitialize(&ctx, nullptr) < 0)
    return fail(ErrorCode::kInternal, "cannot initialise xmlsec KeyInfo context");
  for (const xmlNode* lookup : scan.lookups) {
    std::string subject, issuer, serial, ski;
    if (xml::name(lookup) == "X509SubjectName")
      subject = xml::text(lookup);
    else if (xml::name(lookup) == "X509IssuerSerial") {
      issuer = child_text(lookup, "X509IssuerName");
      serial = child_text(lookup, "X509SerialNumber");
    } else
      ski = xml::text(lookup);
    auto ptr = [](std::string& s) {
      return s.empty() ? nullptr : reinterpret_cast<xmlChar*>(s.data());
    };
    X509* found = xmlSecOpenSSLX509StoreFindCert(store.get(), ptr(subject), ptr(issuer),
                                                 ptr(serial), ptr(ski), &ctx);
    if (found == nullptr) continue;  // names of anchors are often listed too; they are optional
    bool known = false;
    for (const auto& have : material.certificates)
      if (X509_cmp(have.get(), found) == 0) known = true;
    if (!known) material.certificates.push_back(X509Ptr(X509_dup(found)));
  }
  xmlSecKeyInfoCtxFinalize(&ctx);
  return {};
}

}  // namespace

Result<KeyInfoScan> scan_key_info(const xmlNode* signature) {
  KeyInfoScan scan;
  const xmlNode* key_info = nullptr;
  for (const xmlNode* c = xml::first_element(signature); c != nullptr; c = xml::next_element(c))
    if (xml::is(c, alg::kDsigNs, "KeyInfo")) key_info = c;
  size_t items = 0;
  for (const xmlNode* c = xml::first_element(key_info); c != nullptr; c = xml::next_element(c)) {
    if (xml::is(c, alg::kDsigNs, "KeyValue")) scan.has_key_value = true;
    if (xml::is(c, alg::kDsigNs, "RetrievalMethod")) scan.has_retrieval_method = true;
    if (!xml::is(c, alg::kDsigNs, "X509Data")) continue;
    for (const xmlNode* d = xml::first_element(c); d != nullptr; d = xml::next_element(d)) {
      if (xml::ns(d) != alg::kDsigNs) continue;
      const auto local = xml::name(d);
      if (local == "X509Certificate")
        scan.certificates.push_back(d);
      else if (local == "X509CRL")
        scan.crls.push_back(d);
      else if (local == "X509SubjectName" || local == "X509IssuerSerial" || local == "X509SKI")
        scan.lookups.push_back(d);
      else
        continue;
      if (++items > kMaxX509Items)
        return fail(ErrorCode::kSignaturePolicy,
                    "KeyInfo carries more than " + std::to_string(kMaxX509Items) + " X.509 items");
      append_identity(scan.fingerprint, d);
    }
  }
  return scan;
}

Result<KeyInfoMaterial> decode_key_info(const KeyInfoScan& scan, const std::vector<X509Ptr>& pool) {
  KeyInfoMaterial material;
  for (const xmlNode* node : scan.certificates) {
    auto der = base64_decode(node, "X509Certificate");
    if (!der) return tl::unexpected(der.error());
    const auto* p = reinterpret_cast<const unsigned char*>(der->data());
    X509* cert = d2i_X509(nullptr, &p, static_cast<long>(der->size()));
    if (cert == nullptr || p != reinterpret_cast<const unsigned char*>(der->data()) + der->size()) {
      X509_free(cert);
      ERR_clear_error();
      return fail(ErrorCode::kSignatureInvalid, "X509Certificate is not a DER certificate");
    }
    material.certificates.emplace_back(cert);
  }
  for (const xmlNode* node : scan.crls) {
    auto der = base64_decode(node, "X509CRL");
    if (!der) return tl::unexpected(der.error());
    const auto* p = reinterpret_cast<const unsigned char*>(der->data());
    X509_CRL* crl = d2i_X509_CRL(nullptr, &p, static_cast<long>(der->size()));
    if (crl == nullptr) {
      ERR_clear_error();
      return fail(ErrorCode::kSignatureInvalid, "X509CRL is not a DER CRL");
    }
    material.crls.emplace_back(crl);
  }
  if (auto resolved = resolve_lookups(scan, pool, material); !resolved)
    return tl::unexpected(resolved.error());
  return material;
}

std::vector<X509*> leaf_candidates(const std::vector<X509Ptr>& certs) {
  std::vector<X509*> leaves;
  for (const auto& candidate : certs) {
    bool issues_another = false;
    for (const auto& other : certs) {
      if (other.get() == candidate.get() || X509_cmp(other.get(), candidate.get()) == 0) continue;
      if (X509_check_issued(candidate.get(), other.get()) == X509_V_OK) issues_another = true;
    }
    if (!issues_another) leaves.push_back(candidate.get());
  }
  return leaves;
}

}  // namespace lienthong::crypto
