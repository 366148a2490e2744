#include "gateway/crypto/xml_document.h"

#include <libxml/parser.h>
#include <libxml/valid.h>
#include <libxml/xmlerror.h>

#include <unordered_set>

#include "gateway/crypto/xml_runtime.h"

namespace lienthong::crypto {

namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

// The encoding pseudo-attribute of an XML declaration, or "" when absent.
std::string_view declared_encoding(std::string_view decl) {
  const size_t at = decl.find("encoding");
  if (at == std::string_view::npos) return {};
  size_t i = at + 8;
  while (i < decl.size() && is_space(decl[i])) ++i;
  if (i >= decl.size() || decl[i] != '=') return {};
  ++i;
  while (i < decl.size() && is_space(decl[i])) ++i;
  if (i >= decl.size() || (decl[i] != '"' && decl[i] != '\'')) return {};
  const char quote = decl[i++];
  const size_t end = decl.find(quote, i);
  if (end == std::string_view::npos) return {};
  return decl.substr(i, end - i);
}

bool matches(const IdAttribute& spec, const xmlNode* element) {
  if (!spec.element.empty() && spec.element != reinterpret_cast<const char*>(element->name))
    return false;
  if (!spec.ns.empty()) {
    const char* href = element->ns != nullptr && element->ns->href != nullptr
                           ? reinterpret_cast<const char*>(element->ns->href)
                           : "";
    if (spec.ns != href) return false;
  }
  return true;
}

// Walks the tree once: depth and node limits, stray entity references, and ID registration.
Result<void> walk_and_register_ids(xmlDoc* doc, const XmlLimits& limits,
                                   const std::vector<IdAttribute>& id_attributes) {
  std::unordered_set<std::string> ids;
  size_t nodes = 0;
  xmlNode* node = xmlDocGetRootElement(doc);
  size_t depth = 1;
  while (node != nullptr) {
    if (++nodes > limits.max_nodes)
      return fail(ErrorCode::kXmlLimitExceeded,
                  "more than " + std::to_string(limits.max_nodes) + " nodes");
    if (node->type == XML_ENTITY_REF_NODE || node->type == XML_ENTITY_NODE ||
        node->type == XML_DTD_NODE)
      return fail(ErrorCode::kXmlDtdRefused, "entity reference in the document");
    if (node->type == XML_ELEMENT_NODE) {
      if (depth > limits.max_depth)
        return fail(ErrorCode::kXmlLimitExceeded,
                    "elements nested deeper than " + std::to_string(limits.max_depth));
      for (xmlAttr* attr = node->properties; attr != nullptr; attr = attr->next) {
        if (++nodes > limits.max_nodes)
          return fail(ErrorCode::kXmlLimitExceeded,
                      "more than " + std::to_string(limits.max_nodes) + " nodes");
        const auto* name = reinterpret_cast<const char*>(attr->name);
        const bool is_xml_id =
            attr->ns != nullptr && attr->ns->prefix != nullptr &&
            std::string_view(reinterpret_cast<const char*>(attr->ns->prefix)) == "xml" &&
            std::string_view(name) == "id";
        bool is_id = is_xml_id;
        // By local name, whatever the attribute's namespace (WS-Security's wsu:Id counts as
        // Id), as xmlsec matches them: more IDs registered means stricter duplicate checks.
        if (!is_xml_id) {
          for (const auto& spec : id_attributes)
            if (spec.name == name && matches(spec, node)) {
              is_id = true;
              break;
            }
        }
        if (!is_id) continue;
        xmlChar* value = xmlNodeListGetString(doc, attr->children, 1);
        const std::string id = value != nullptr ? reinterpret_cast<const char*>(value) : "";
        xmlFree(value);
        if (!ids.insert(id).second)
          return fail(ErrorCode::kDuplicateId,
                      "ID '" + id.substr(0, 64) + "' appears on more than one element");
        // libxml2 registers xml:id itself; others we add so "#id" references resolve.
        if (!is_xml_id && xmlGetID(doc, reinterpret_cast<const xmlChar*>(id.c_str())) == nullptr)
          xmlAddID(nullptr, doc, reinterpret_cast<const xmlChar*>(id.c_str()), attr);
      }
    }
    // Depth-first, iteratively (no recursion: a deep document cannot exhaust the stack).
    if (node->type == XML_ELEMENT_NODE && node->children != nullptr) {
      node = node->children;
      ++depth;
      continue;
    }
    while (node != nullptr && node->next == nullptr) {
      node = node->parent;
      --depth;
      if (node == nullptr || node->type == XML_DOCUMENT_NODE) return {};
    }
    if (node != nullptr) node = node->next;
  }
  return {};
}

}  // namespace

Result<IdAttribute> IdAttribute::parse(std::string_view spec) {
  IdAttribute out;
  const size_t first = spec.find(':');
  if (first == std::string_view::npos) {
    out.name = std::string(spec);
  } else {
    const size_t last = spec.rfind(':');
    out.name = std::string(spec.substr(0, first));
    out.element = std::string(spec.substr(last + 1));
    if (last > first) out.ns = std::string(spec.substr(first + 1, last - first - 1));
  }
  if (out.name.empty() || (first != std::string_view::npos && out.element.empty()))
    return fail(
        ErrorCode::kBadRequest,
        "ID attribute must be NAME or NAME:NAMESPACE:ELEMENT, got '" + std::string(spec) + "'");
  return out;
}

std::vector<IdAttribute> IdAttribute::defaults() {
  return {IdAttribute{"Id", "", ""}, IdAttribute{"ID", "", ""}, IdAttribute{"id", "", ""}};
}

Result<void> check_prolog(std::string_view bytes) {
  std::string_view rest = bytes;
  if (starts_with(rest, "\xEF\xBB\xBF")) rest.remove_prefix(3);
  if (starts_with(rest, "\xFE\xFF") || starts_with(rest, "\xFF\xFE") ||
      rest.find('\0') != std::string_view::npos)
    return fail(ErrorCode::kXmlMalformed, "only UTF-8 documents are accepted");
  bool first = true;
  while (true) {
    while (!rest.empty() && is_space(rest.front())) rest.remove_prefix(1);
    if (rest.empty()) return fail(ErrorCode::kXmlMalformed, "no root element");
    if (rest.front() != '<')
      return fail(ErrorCode::kXmlMalformed, "content before the root element");
    if (starts_with(rest, "<?")) {
      const size_t end = rest.find("?>");
      if (end == std::string_view::npos)
        return fail(ErrorCode::kXmlMalformed, "unterminated processing instruction");
      const std::string_view pi = rest.substr(0, end);
      if (first && starts_with(pi, "<?xml") && pi.size() > 5 && is_space(pi[5])) {
        const std::string_view enc = declared_encoding(pi);
        if (!enc.empty() && !iequals(enc, "UTF-8") && !iequals(enc, "UTF8") &&
            !iequals(enc, "US-ASCII"))
          return fail(ErrorCode::kXmlMalformed,
                      "encoding '" + std::string(enc.substr(0, 32)) + "' refused; send UTF-8");
      }
      rest.remove_prefix(end + 2);
    } else if (starts_with(rest, "<!--")) {
      const size_t end = rest.find("-->", 4);
      if (end == std::string_view::npos)
        return fail(ErrorCode::kXmlMalformed, "unterminated comment");
      rest.remove_prefix(end + 3);
    } else if (starts_with(rest, "<!")) {
      if (starts_with(rest, "<!DOCTYPE") || starts_with(rest, "<!doctype"))
        return fail(ErrorCode::kXmlDtdRefused,
                    "DOCTYPE refused: DTDs and entities are never processed");
      return fail(ErrorCode::kXmlMalformed, "markup declaration before the root element");
    } else {
      return {};  // the root element starts here
    }
    first = false;
  }
}

Result<XmlDocPtr> parse_untrusted_xml(std::string_view bytes, const XmlLimits& limits,
                                      const std::vector<IdAttribute>& id_attributes) {
  ensure_xml_runtime();
  if (bytes.size() > limits.max_bytes)
    return fail(ErrorCode::kXmlLimitExceeded, "document of " + std::to_string(bytes.size()) +
                                                  " bytes exceeds the limit of " +
                                                  std::to_string(limits.max_bytes));
  if (auto prolog = check_prolog(bytes); !prolog) return tl::unexpected(prolog.error());

  // NONET: never fetch. No NOENT, DTDLOAD or DTDATTR: entities stay unexpanded and no external
  // subset is read. HUGE only when the caller asks for large text (limits.large_text): libxml2
  // otherwise keeps its own internal limits, 10 MB per text node among them.
  // COMPACT keeps short text inside the node (fewer allocations); it changes nothing visible.
  const int kOptions = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
                       XML_PARSE_COMPACT | (limits.large_text ? XML_PARSE_HUGE : 0);
  CapturedErrors errors;
  // One parser context per thread, reset by each read: creating one costs more than parsing a
  // small document. Its dictionary is shared with the documents it produced (refcounted).
  struct ParserDeleter {
    void operator()(xmlParserCtxt* ctxt) const { xmlFreeParserCtxt(ctxt); }
  };
  thread_local std::unique_ptr<xmlParserCtxt, ParserDeleter> parser(xmlNewParserCtxt());
  if (!parser) return fail(ErrorCode::kInternal, "cannot create an XML parser");
  XmlDocPtr doc(xmlCtxtReadMemory(parser.get(), bytes.data(), static_cast<int>(bytes.size()),
                                  nullptr, nullptr, kOptions));
  if (!doc) return fail(ErrorCode::kXmlMalformed, "not well-formed XML: " + errors.summary());
  if (doc->intSubset != nullptr || doc->extSubset != nullptr)
    return fail(ErrorCode::kXmlDtdRefused,
                "DOCTYPE refused: DTDs and entities are never processed");
  if (xmlDocGetRootElement(doc.get()) == nullptr)
    return fail(ErrorCode::kXmlMalformed, "no root element");
  if (auto walked = walk_and_register_ids(doc.get(), limits, id_attributes); !walked)
    return tl::unexpected(walked.error());
  return doc;
}

}  // namespace lienthong::crypto
