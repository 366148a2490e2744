// Parsing XML that came from outside. Every document the gateway reads goes through here:
// limits first, any DOCTYPE refused before libxml2 sees it, no network, no entity expansion,
// and ID attributes registered with duplicates refused (a duplicate ID makes "#id" ambiguous,
// which is how signature-wrapping attacks pick the node the consumer reads).
#pragma once

#include <libxml/tree.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/core/error.h"

namespace lienthong::crypto {

struct XmlDocDeleter {
  void operator()(xmlDoc* doc) const { xmlFreeDoc(doc); }
};
using XmlDocPtr = std::unique_ptr<xmlDoc, XmlDocDeleter>;

struct XmlLimits {
  size_t max_bytes = 4 << 20;  // whole document
  size_t max_depth = 64;       // element nesting
  size_t max_nodes = 200'000;  // all nodes: elements, attributes, text, comments
  // Text nodes over libxml2's own 10 MB cap (XML_PARSE_HUGE): for documents that carry large
  // base64 content (edXML attachments) and whose whole size max_bytes already bounds. DTDs stay
  // refused before parsing, so no entity can amplify anything; depth and node counts are still
  // checked here.
  bool large_text = false;
};

// An attribute that carries an ID. With ns/element empty it applies to every element;
// otherwise only to elements with that local name in that namespace (CLI form NAME:NS:ELEMENT).
struct IdAttribute {
  std::string name;
  std::string ns;       // "" = any namespace, including none
  std::string element;  // "" = any element

  static Result<IdAttribute> parse(std::string_view spec);  // "ID" or "ID:urn:ns:Element"
  static std::vector<IdAttribute> defaults();               // Id, ID, id on every element
};

// Parses, checks limits and registers IDs. The document owns its nodes; the caller owns it.
Result<XmlDocPtr> parse_untrusted_xml(std::string_view bytes, const XmlLimits& limits,
                                      const std::vector<IdAttribute>& id_attributes);

// Exposed for tests and the fuzzer: the prolog check that runs before any parser.
Result<void> check_prolog(std::string_view bytes);

}  // namespace lienthong::crypto
