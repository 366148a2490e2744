// POST /v1/lookup with Content-Type: application/xml (lookup_decoding.h).
#include <algorithm>
#include <charconv>
#include <set>
#include <string>

#include "gateway/crypto/xml_document.h"
#include "gateway/crypto/xml_nodes.h"
#include "gateway/front/http/lookup_decoding.h"

namespace lienthong::front::http {

namespace {

namespace xml = crypto::xml;

// A lookup is three levels deep and a few dozen nodes; the limits leave room for long field
// lists and stop anything else early.
constexpr size_t kMaxDepth = 8;
constexpr size_t kMaxNodes = 4096;

Error bad(std::string detail) { return Error{ErrorCode::kBadRequest, std::move(detail)}; }

std::string shown(std::string_view name) {
  std::string out;
  for (char c : name.substr(0, 40)) out.push_back(c >= 0x20 && c < 0x7f ? c : '?');
  return out;
}

bool is_blank(const xmlChar* text) {
  for (const xmlChar* p = text; p != nullptr && *p != 0; ++p)
    if (*p != ' ' && *p != '\t' && *p != '\r' && *p != '\n') return false;
  return true;
}

// An element of the contract carries no attributes (namespace declarations are not attributes
// in libxml2's tree).
Result<void> no_attributes(const xmlNode* node) {
  if (node->properties != nullptr)
    return tl::unexpected(bad("<" + shown(xml::name(node)) + "> takes no attributes"));
  return {};
}

// The text of an element that may hold only text (comments and processing instructions are
// skipped, CDATA counts as text).
Result<std::string> leaf_text(const xmlNode* node) {
  if (auto ok = no_attributes(node); !ok) return tl::unexpected(ok.error());
  std::string out;
  for (const xmlNode* c = node->children; c != nullptr; c = c->next) {
    if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) {
      if (c->content != nullptr) out += reinterpret_cast<const char*>(c->content);
    } else if (c->type == XML_ELEMENT_NODE) {
      return tl::unexpected(bad("<" + shown(xml::name(node)) + "> must hold only text"));
    }
  }
  return out;
}

// The element children of a container, checked: only elements of our namespace, no text.
Result<std::vector<const xmlNode*>> children_of(const xmlNode* node) {
  if (auto ok = no_attributes(node); !ok) return tl::unexpected(ok.error());
  std::vector<const xmlNode*> out;
  for (const xmlNode* c = node->children; c != nullptr; c = c->next) {
    if ((c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) && !is_blank(c->content))
      return tl::unexpected(bad("text directly inside <" + shown(xml::name(node)) + ">"));
    if (c->type != XML_ELEMENT_NODE) continue;
    if (xml::ns(c) != kExchangeNamespace)
      return tl::unexpected(bad("<" + shown(xml::name(c)) + "> inside <" + shown(xml::name(node)) +
                                "> is not in namespace " + std::string(kExchangeNamespace)));
    out.push_back(c);
  }
  return out;
}

// Assigns the text of each known child once; anything else is refused.
class Fields {
 public:
  explicit Fields(const xmlNode* parent) : parent_(parent) {}
  // Records a child as seen; the second of one name is refused.
  Result<void> mark(const xmlNode* child) {
    if (!seen_.insert(std::string(xml::name(child))).second)
      return tl::unexpected(bad("<" + shown(xml::name(child)) + "> appears twice"));
    return {};
  }
  Result<void> take(const xmlNode* child, std::string_view name, std::string& target) {
    if (xml::name(child) != name) return {};
    matched_ = true;
    if (auto r = mark(child); !r) return r;
    auto text = leaf_text(child);
    if (!text) return tl::unexpected(text.error());
    target = std::move(*text);
    return {};
  }
  // After every take(): was the child one of them?
  Result<void> known(const xmlNode* child) {
    const bool ok = matched_;
    matched_ = false;
    if (!ok)
      return tl::unexpected(bad("unknown element <" + shown(xml::name(child)) + "> in <" +
                                shown(xml::name(parent_)) + ">"));
    return {};
  }
  bool seen(std::string_view name) const { return seen_.count(std::string(name)) != 0; }

 private:
  const xmlNode* parent_;
  std::set<std::string> seen_;
  bool matched_ = false;
};

Result<void> decode_pair(const xmlNode* node, std::string_view first_name, std::string& first,
                         std::string_view second_name, std::string& second) {
  auto children = children_of(node);
  if (!children) return tl::unexpected(children.error());
  Fields fields(node);
  for (const xmlNode* c : *children) {
    if (auto r = fields.take(c, first_name, first); !r) return r;
    if (auto r = fields.take(c, second_name, second); !r) return r;
    if (auto r = fields.known(c); !r) return r;
  }
  return {};
}

Result<void> decode_field_list(const xmlNode* node, std::vector<std::string>& out) {
  auto children = children_of(node);
  if (!children) return tl::unexpected(children.error());
  if (children->size() > detail::kMaxFields)
    return tl::unexpected(
        bad("<Fields> lists more than " + std::to_string(detail::kMaxFields) + " names"));
  for (const xmlNode* c : *children) {
    if (xml::name(c) != "Field")
      return tl::unexpected(bad("unknown element <" + shown(xml::name(c)) + "> in <Fields>"));
    auto name = leaf_text(c);
    if (!name) return tl::unexpected(name.error());
    if (auto ok = detail::check_field_name(*name); !ok) return tl::unexpected(ok.error());
    out.push_back(std::move(*name));
  }
  return {};
}

Result<std::chrono::seconds> parse_max_age(std::string_view text) {
  long long seconds = 0;
  const char* end = text.data() + text.size();
  const bool digits =
      !text.empty() && text.size() <= 18 &&
      std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (!digits || std::from_chars(text.data(), end, seconds).ptr != end)
    return fail(ErrorCode::kBadRequest, "MaxAgeSeconds must be a non-negative integer");
  return detail::check_max_age(seconds);
}

}  // namespace

Result<DecodedLookup> decode_xml_lookup(std::string_view body, size_t max_bytes) {
  crypto::XmlLimits limits;
  limits.max_bytes = max_bytes;
  limits.max_depth = kMaxDepth;
  limits.max_nodes = kMaxNodes;
  auto doc = crypto::parse_untrusted_xml(body, limits, {});
  if (!doc) return tl::unexpected(doc.error());  // XML_MALFORMED, XML_DTD_REFUSED, XML_LIMIT_…

  const xmlNode* root = xmlDocGetRootElement(doc->get());
  if (!xml::is(root, kExchangeNamespace, "LookupRequest"))
    return fail(ErrorCode::kBadRequest, "the root element must be <LookupRequest xmlns=\"" +
                                            std::string(kExchangeNamespace) + "\">");
  auto children = children_of(root);
  if (!children) return tl::unexpected(children.error());

  DecodedLookup out;
  LookupRequest& req = out.request;
  Fields fields(root);
  std::string max_age;
  for (const xmlNode* c : *children) {
    const std::string_view name = xml::name(c);
    if (name == "Purpose" || name == "Officer" || name == "Fields") {
      if (auto r = fields.mark(c); !r) return tl::unexpected(r.error());
      Result<void> r;
      if (name == "Purpose")
        r = decode_pair(c, "DossierCode", req.purpose.dossier_code, "ProcedureCode",
                        req.purpose.procedure_code);
      else if (name == "Officer")
        r = decode_pair(c, "PersonalId", req.officer.personal_id, "Account", req.officer.account);
      else
        r = decode_field_list(c, req.fields);
      if (!r) return tl::unexpected(r.error());
      continue;
    }
    if (auto r = fields.take(c, "SubjectId", req.subject); !r) return tl::unexpected(r.error());
    if (auto r = fields.take(c, "DocumentType", req.document_type); !r)
      return tl::unexpected(r.error());
    if (auto r = fields.take(c, "MaxAgeSeconds", max_age); !r) return tl::unexpected(r.error());
    if (auto r = fields.take(c, "ClientRequestId", out.client_request_id); !r)
      return tl::unexpected(r.error());
    if (auto r = fields.known(c); !r) return tl::unexpected(r.error());
  }
  if (!fields.seen("SubjectId")) return fail(ErrorCode::kBadRequest, "<SubjectId> is required");
  if (!fields.seen("DocumentType"))
    return fail(ErrorCode::kBadRequest, "<DocumentType> is required");
  if (fields.seen("MaxAgeSeconds")) {
    auto age = parse_max_age(max_age);
    if (!age) return tl::unexpected(age.error());
    req.max_age = *age;
  }
  if (auto ok = detail::check_client_request_id(out.client_request_id); !ok)
    return tl::unexpected(ok.error());
  return out;
}

}  // namespace lienthong::front::http
