// Fuzz target for the XML-DSig path (STYLE.md §10): parse_untrusted_xml and three
// XmlDsigVerifiers built once. The verifiers cover strict policy with trust anchors, interop
// policy with a pinned key, and interop policy with an anchor and an untrusted pool (for
// X509SubjectName/IssuerSerial/SKI lookups). Any input may be refused. An accepted one must
// meet the invariants below; a broken invariant calls __builtin_trap().
//
// Keys come from the conformance vectors (LIENTHONG_CONFORMANCE_DIR, set at build time;
// the environment variable of the same name overrides it). They are read once, before the
// first input. The clock is fixed, so a verdict depends only on the input bytes.
// LIENTHONG_FUZZ_VERBOSE=1 prints each verifier's verdict, to see which paths a seed reaches.
#include <libxml/tree.h>
#include <libxml/valid.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "gateway/crypto/algorithms.h"
#include "gateway/crypto/key_material.h"
#include "gateway/crypto/trust_store.h"
#include "gateway/crypto/xml_document.h"
#include "gateway/crypto/xml_nodes.h"
#include "gateway/crypto/xml_verifier.h"
#include "tests/fuzz/fuzz_check.h"

#ifndef LIENTHONG_CONFORMANCE_DIR
#error "LIENTHONG_CONFORMANCE_DIR must name the conformance vectors (tests/fuzz/CMakeLists.txt)"
#endif

namespace {

using lienthong::ErrorCode;
using lienthong::FixedClock;
namespace crypto = lienthong::crypto;

constexpr const char* kFuzzTarget = "xml_verifier_fuzz";

[[noreturn]] void setup_failed(const std::string& what) {
  lienthong::fuzz::setup_failed(kFuzzTarget, what);
}

crypto::XmlLimits fuzz_limits() {
  crypto::XmlLimits limits;
  limits.max_bytes = 256 << 10;
  limits.max_depth = 64;
  limits.max_nodes = 20'000;
  return limits;
}

std::string vector_path(const char* relative) {
  const char* env = std::getenv("LIENTHONG_CONFORMANCE_DIR");
  return std::string(env != nullptr && *env != '\0' ? env : LIENTHONG_CONFORMANCE_DIR) + "/" +
         relative;
}

crypto::X509Ptr certificate(const char* relative) {
  auto certs = crypto::load_certificates(vector_path(relative));
  if (!certs || certs->empty())
    setup_failed(vector_path(relative) + ": " + (certs ? "no certificate" : certs.error().detail));
  return std::move(certs->front());
}

struct Target {
  const char* name = "";
  const crypto::SignaturePolicy* policy = nullptr;
  std::shared_ptr<const crypto::XmlDsigVerifier> verifier;
  std::vector<crypto::X509Ptr> anchors;  // copies, to check where an accepted chain ends
  std::string pinned_fingerprint;        // set when the target pins a bare key
};

Target make_target(const char* name, const crypto::SignaturePolicy& policy,
                   std::vector<const char*> anchors, std::vector<const char*> untrusted,
                   const char* pinned_pubkey) {
  Target target;
  target.name = name;
  target.policy = &policy;
  crypto::XmlVerifierConfig config;
  config.policy = &policy;
  config.limits = fuzz_limits();
  config.clock = std::make_shared<FixedClock>(*lienthong::parse_utc_time("2027-01-01 00:00:00"));
  if (!anchors.empty()) {
    crypto::TrustMaterial material;
    for (const char* file : anchors) {
      target.anchors.push_back(certificate(file));
      material.anchors.push_back(certificate(file));
    }
    auto store = crypto::X509TrustStore::create(std::move(material));
    if (!store) setup_failed(std::string(name) + ": " + store.error().detail);
    config.trust = *store;
  }
  for (const char* file : untrusted) config.untrusted.push_back(certificate(file));
  if (pinned_pubkey != nullptr) {
    auto key = crypto::load_public_key(vector_path(pinned_pubkey));
    if (!key) setup_failed(std::string(name) + ": " + key.error().detail);
    target.pinned_fingerprint = crypto::sha256_fingerprint(key->get());
    auto pinned = std::make_shared<crypto::PinnedKey>();
    pinned->key = std::move(*key);
    config.pinned = std::move(pinned);
  }
  auto verifier = crypto::XmlDsigVerifier::create(std::move(config));
  if (!verifier) setup_failed(std::string(name) + ": " + verifier.error().detail);
  target.verifier = *verifier;
  return target;
}

const std::vector<Target>& targets() {
  static const std::vector<Target> all = [] {
    std::vector<Target> t;
    // The XSW IdP and the peer-library interop signers, validated as a gateway would.
    t.push_back(make_target(
        "strict/anchors", crypto::SignaturePolicy::strict(),
        {"xsw/keys/idp-cert.pem", "interop/certs/rsa.crt", "interop/certs/ec.crt"}, {}, nullptr));
    // A bare pinned key: KeyInfo is never consulted; detached references are allowed.
    t.push_back(make_target("interop/pinned", crypto::SignaturePolicy::interop(), {}, {},
                            "xsw/keys/idp-pub.pem"));
    // xmlsec's test CA with its intermediates as a pool: name lookups and path building.
    t.push_back(make_target(
        "interop/x509-pool", crypto::SignaturePolicy::interop(), {"xmldsig/keys/cacert.pem"},
        {"xmldsig/keys/ca2cert.pem", "xmldsig/keys/rsacert.pem", "xmldsig/keys/largersacert.pem"},
        nullptr));
    return t;
  }();
  return all;
}

using lienthong::fuzz::verbose;

void report(const char* target, const lienthong::Result<crypto::VerifiedXml>& verdict) {
  if (!verbose()) return;
  if (verdict)
    std::fprintf(stderr, "  %-18s valid: %zu reference(s), signer %s\n", target,
                 verdict->references.size(), verdict->signer.c_str());
  else
    std::fprintf(stderr, "  %-18s %s: %.160s\n", target,
                 std::string(lienthong::error_code_name(verdict.error().code)).c_str(),
                 verdict.error().detail.c_str());
}

bool is_parser_error(ErrorCode code) {
  return code == ErrorCode::kXmlMalformed || code == ErrorCode::kXmlDtdRefused ||
         code == ErrorCode::kXmlLimitExceeded || code == ErrorCode::kDuplicateId;
}

bool is_verifier_error(ErrorCode code) {
  switch (code) {
    case ErrorCode::kXmlMalformed:
    case ErrorCode::kXmlDtdRefused:
    case ErrorCode::kXmlLimitExceeded:
    case ErrorCode::kDuplicateId:
    case ErrorCode::kSignatureMissing:
    case ErrorCode::kSignatureInvalid:
    case ErrorCode::kSignaturePolicy:
    case ErrorCode::kSignatureWrapped:
    case ErrorCode::kCertUntrusted:
    case ErrorCode::kCertExpired:
    case ErrorCode::kCertRevoked:
      return true;
    default:
      return false;  // kInternal, kBadRequest, ...: no input should lead there
  }
}

std::string_view attr_name(const xmlAttr* a) { return reinterpret_cast<const char*>(a->name); }

// What parse_untrusted_xml promises: limits held, no DTD or entity node, and every Id/ID/id
// value unique and resolvable with xmlGetID to the element that carries it.
void check_parsed(xmlDoc* doc, const crypto::XmlLimits& limits) {
  constexpr const char* kWhere = "parse_untrusted_xml";
  FUZZ_CHECK(doc != nullptr, kWhere);
  FUZZ_CHECK(doc->intSubset == nullptr && doc->extSubset == nullptr, kWhere);
  FUZZ_CHECK(xmlDocGetRootElement(doc) != nullptr, kWhere);
  std::unordered_set<std::string> ids;
  size_t elements = 0;
  size_t depth = 1;
  xmlNode* node = xmlDocGetRootElement(doc);
  while (node != nullptr) {
    FUZZ_CHECK(node->type != XML_ENTITY_REF_NODE && node->type != XML_ENTITY_NODE &&
                   node->type != XML_DTD_NODE,
               kWhere);
    if (node->type == XML_ELEMENT_NODE) {
      FUZZ_CHECK(++elements <= limits.max_nodes, kWhere);
      FUZZ_CHECK(depth <= limits.max_depth, kWhere);
      for (xmlAttr* a = node->properties; a != nullptr; a = a->next) {
        const bool plain_id = a->ns == nullptr && (attr_name(a) == "Id" || attr_name(a) == "ID" ||
                                                   attr_name(a) == "id");
        const bool xml_id =
            a->ns != nullptr && a->ns->prefix != nullptr &&
            std::string_view(reinterpret_cast<const char*>(a->ns->prefix)) == "xml" &&
            attr_name(a) == "id";
        if (!plain_id && !xml_id) continue;
        xmlChar* raw = xmlNodeListGetString(doc, a->children, 1);
        const std::string value = raw != nullptr ? reinterpret_cast<const char*>(raw) : "";
        xmlFree(raw);
        FUZZ_CHECK(ids.insert(value).second, kWhere);  // duplicates must have been refused
        if (plain_id && !value.empty()) {
          xmlAttr* found = xmlGetID(doc, reinterpret_cast<const xmlChar*>(value.c_str()));
          FUZZ_CHECK(found != nullptr && found->parent == node, kWhere);
        }
      }
    }
    if (node->type == XML_ELEMENT_NODE && node->children != nullptr) {
      node = node->children;
      ++depth;
      continue;
    }
    while (node != nullptr && node->next == nullptr) {
      node = node->parent;
      --depth;
      if (node != nullptr && node->type == XML_DOCUMENT_NODE) node = nullptr;
    }
    if (node != nullptr) node = node->next;
  }
}

const xmlNode* the_signature(const xmlNode* node) {
  for (; node != nullptr; node = node->next) {
    if (crypto::xml::is(node, crypto::alg::kDsigNs, "Signature")) return node;
    if (node->type == XML_ELEMENT_NODE)
      if (const xmlNode* found = the_signature(node->children)) return found;
  }
  return nullptr;
}

bool in_document(const xmlNode* node, const xmlDoc* doc) {
  for (const xmlNode* p = node; p != nullptr; p = p->parent)
    if (p->type == XML_DOCUMENT_NODE) return reinterpret_cast<const xmlDoc*>(p) == doc;
  return false;
}

// Enveloped (the node contains the Signature) or enveloping (inside one of its ds:Object).
bool placed_as_strict_requires(const xmlNode* node, const xmlNode* signature) {
  if (crypto::xml::is_ancestor(node, signature)) return true;
  for (const xmlNode* p = node; p != nullptr; p = p->parent)
    if (p->parent == signature) return crypto::xml::is(p, crypto::alg::kDsigNs, "Object");
  return false;
}

void check_verified(const Target& t, const crypto::VerifiedXml& v, std::string_view bytes) {
  const crypto::SignaturePolicy& policy = *t.policy;
  FUZZ_CHECK(v.document != nullptr, t.name);
  FUZZ_CHECK(!v.references.empty(), t.name);
  FUZZ_CHECK(v.references.size() <= policy.max_references, t.name);
  FUZZ_CHECK(!v.signed_xml().empty(), t.name);
  FUZZ_CHECK(!v.signer.empty() && !v.signer_fingerprint.empty(), t.name);
  FUZZ_CHECK(policy.signature_methods.contains(v.signature_method), t.name);
  FUZZ_CHECK(policy.canonicalizations.contains(v.canonicalization_method), t.name);
  for (const auto& ref : v.references) {
    FUZZ_CHECK(!ref.canonical.empty(), t.name);
    FUZZ_CHECK(policy.digest_methods.contains(ref.digest_method), t.name);
    FUZZ_CHECK(ref.uri.empty() || ref.uri.front() == '#', t.name);  // never fetched
    FUZZ_CHECK(ref.node == nullptr || in_document(ref.node, v.document.get()), t.name);
  }
  if (!t.pinned_fingerprint.empty()) {
    FUZZ_CHECK(v.chain.empty(), t.name);
    FUZZ_CHECK(v.signer_fingerprint == t.pinned_fingerprint, t.name);
  } else {
    FUZZ_CHECK(!v.chain.empty(), t.name);
    bool anchored = false;
    for (const auto& anchor : t.anchors)
      anchored = anchored || X509_cmp(anchor.get(), v.chain.back().get()) == 0;
    FUZZ_CHECK(anchored, t.name);
    FUZZ_CHECK(v.signer_fingerprint == crypto::sha256_fingerprint(v.chain.front().get()), t.name);
  }
  if (!policy.allow_detached_references) {
    const xmlNode* signature = the_signature(xmlDocGetRootElement(v.document.get()));
    FUZZ_CHECK(signature != nullptr, t.name);
    for (const auto& ref : v.references) {
      FUZZ_CHECK(ref.node != nullptr && ref.node->type == XML_ELEMENT_NODE, t.name);
      FUZZ_CHECK(placed_as_strict_requires(ref.node, signature), t.name);
      FUZZ_CHECK(ref.canonical.front() == '<', t.name);  // an element's canonical form
    }
  }
  // Same bytes, same verdict: the signer cache (now warm) must not change the outcome.
  auto again = t.verifier->verify(bytes);
  FUZZ_CHECK(again.has_value(), t.name);
  FUZZ_CHECK(again->signed_xml() == v.signed_xml(), t.name);
  FUZZ_CHECK(again->signer_fingerprint == v.signer_fingerprint, t.name);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const crypto::XmlLimits limits = fuzz_limits();
  const auto& all = targets();

  auto parsed = crypto::parse_untrusted_xml(bytes, limits, crypto::IdAttribute::defaults());
  if (size > limits.max_bytes)
    FUZZ_CHECK(!parsed && parsed.error().code == ErrorCode::kXmlLimitExceeded, "parse");
  if (parsed) {
    FUZZ_CHECK(crypto::check_prolog(bytes).has_value(), "parse");
    check_parsed(parsed->get(), limits);
  } else {
    FUZZ_CHECK(is_parser_error(parsed.error().code), "parse");
    FUZZ_CHECK(!parsed.error().detail.empty(), "parse");
  }

  for (const Target& t : all) {
    auto verified = t.verifier->verify(bytes);
    report(t.name, verified);
    if (!parsed) {
      // The verifier parses the same way: it must refuse for the same reason.
      FUZZ_CHECK(!verified && verified.error().code == parsed.error().code, t.name);
      continue;
    }
    if (!verified) {
      FUZZ_CHECK(is_verifier_error(verified.error().code), t.name);
      FUZZ_CHECK(!is_parser_error(verified.error().code), t.name);
      FUZZ_CHECK(!verified.error().detail.empty(), t.name);
      continue;
    }
    check_verified(t, *verified, bytes);
  }
  return 0;
}
