// Writing XML that is already in exclusive-C14N form (W3C xml-exc-c14n, without comments), so
// that documents the gateway produces can be digested as written (crypto/canonical_signer.h).
// The shape is deliberately narrow: one default namespace declared on the root and inherited
// by every element, unprefixed attributes, no comments or PIs, UTF-8 only. Within that shape the
// rules are: explicit end tags, attributes sorted by name, the C14N escapes in text and
// attribute values, and nothing outside the root element. Tests compare the output with
// libxml2's own exclusive canonicalization of it.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "gateway/core/error.h"

namespace lienthong {

class CanonicalXmlWriter {
 public:
  using Attributes = std::vector<std::pair<std::string, std::string>>;

  // The root element is opened by the first open(); it declares `default_namespace`.
  explicit CanonicalXmlWriter(std::string default_namespace);

  void open(std::string_view name, Attributes attributes = {});
  void text(std::string_view content);
  void close();
  // open + text + close.
  void element(std::string_view name, std::string_view content, Attributes attributes = {});

  // The canonical bytes, or BAD_REQUEST when a name or a value is not acceptable XML (invalid
  // UTF-8, control characters) or elements are unbalanced.
  Result<std::string> finish() &&;

 private:
  void fail_with(std::string why);
  bool valid_name(std::string_view name) const;

  std::string default_namespace_;
  std::string out_;
  std::vector<std::string> open_;
  bool root_written_ = false;
  std::string error_;
};

// Appends `in` escaped as XML character data (&, <, > and CR, as C14N writes them); valid in
// any element content, canonical or not. `in` must satisfy is_xml_text.
void append_escaped_text(std::string_view in, std::string& out);

// True when `s` is UTF-8 whose every character is allowed in XML 1.0 (Char production).
bool is_xml_text(std::string_view s);

}  // namespace lienthong
