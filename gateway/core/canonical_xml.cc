#include "gateway/core/canonical_xml.h"

#include <algorithm>
#include <cctype>
#include <cstdint>

namespace lienthong {

namespace {

void escape_text_impl(std::string_view in, std::string& out) {
  // Copy runs without special characters in one append: record evidence (kilobytes of base64)
  // goes through here on every answer.
  out.reserve(out.size() + in.size());
  size_t run = 0;
  for (size_t i = 0; i < in.size(); ++i) {
    const char c = in[i];
    if (c != '&' && c != '<' && c != '>' && c != '\r') continue;
    out.append(in.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      default:
        out += "&#xD;";
    }
  }
  out.append(in.data() + run, in.size() - run);
}

void escape_attribute(std::string_view in, std::string& out) {
  for (char c : in) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\t':
        out += "&#x9;";
        break;
      case '\n':
        out += "&#xA;";
        break;
      case '\r':
        out += "&#xD;";
        break;
      default:
        out += c;
    }
  }
}

}  // namespace

void append_escaped_text(std::string_view in, std::string& out) { escape_text_impl(in, out); }

bool is_xml_text(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    // Printable ASCII is the common case: skip it without decoding.
    while (i < s.size() && static_cast<unsigned char>(s[i]) >= 0x20 &&
           static_cast<unsigned char>(s[i]) < 0x7F)
      ++i;
    if (i == s.size()) break;
    const auto b0 = static_cast<unsigned char>(s[i]);
    uint32_t cp = 0;
    size_t len = 0;
    if (b0 < 0x80) {
      cp = b0;
      len = 1;
    } else if ((b0 & 0xE0) == 0xC0) {
      cp = b0 & 0x1F;
      len = 2;
    } else if ((b0 & 0xF0) == 0xE0) {
      cp = b0 & 0x0F;
      len = 3;
    } else if ((b0 & 0xF8) == 0xF0) {
      cp = b0 & 0x07;
      len = 4;
    } else {
      return false;
    }
    if (i + len > s.size()) return false;
    for (size_t k = 1; k < len; ++k) {
      const auto b = static_cast<unsigned char>(s[i + k]);
      if ((b & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (b & 0x3F);
    }
    // Overlong forms, surrogates and out-of-range values are not UTF-8.
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
        cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
      return false;
    // XML 1.0 Char: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]
    if (cp < 0x20 && cp != 0x9 && cp != 0xA && cp != 0xD) return false;
    if (cp == 0xFFFE || cp == 0xFFFF) return false;
    i += len;
  }
  return true;
}

CanonicalXmlWriter::CanonicalXmlWriter(std::string default_namespace)
    : default_namespace_(std::move(default_namespace)) {
  out_.reserve(2048);
}

void CanonicalXmlWriter::fail_with(std::string why) {
  if (error_.empty()) error_ = std::move(why);
}

bool CanonicalXmlWriter::valid_name(std::string_view name) const {
  if (name.empty() || name == "xmlns" ||
      !(std::isalpha(static_cast<unsigned char>(name[0])) || name[0] == '_'))
    return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
  });
}

void CanonicalXmlWriter::open(std::string_view name, Attributes attributes) {
  if (!valid_name(name)) return fail_with("invalid element name '" + std::string(name) + "'");
  if (open_.empty() && root_written_) return fail_with("a second root element");
  out_ += '<';
  out_ += name;
  if (open_.empty()) {
    root_written_ = true;
    out_ += " xmlns=\"";
    escape_attribute(default_namespace_, out_);
    out_ += '"';
  }
  // Unprefixed attributes have no namespace URI, so C14N order is by local name.
  std::sort(attributes.begin(), attributes.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  for (size_t i = 0; i < attributes.size(); ++i) {
    const auto& [key, value] = attributes[i];
    if (!valid_name(key)) return fail_with("invalid attribute name '" + key + "'");
    if (i > 0 && attributes[i - 1].first == key)
      return fail_with("duplicate attribute '" + key + "'");
    if (!is_xml_text(value))
      return fail_with("attribute '" + key + "' is not valid UTF-8 XML text");
    out_ += ' ';
    out_ += key;
    out_ += "=\"";
    escape_attribute(value, out_);
    out_ += '"';
  }
  out_ += '>';
  open_.emplace_back(name);
}

void CanonicalXmlWriter::text(std::string_view content) {
  if (open_.empty()) return fail_with("text outside the root element");
  if (!is_xml_text(content)) return fail_with("text is not valid UTF-8 XML text");
  escape_text_impl(content, out_);
}

void CanonicalXmlWriter::close() {
  if (open_.empty()) return fail_with("close without open");
  out_ += "</";
  out_ += open_.back();
  out_ += '>';
  open_.pop_back();
}

void CanonicalXmlWriter::element(std::string_view name, std::string_view content,
                                 Attributes attributes) {
  open(name, std::move(attributes));
  text(content);
  close();
}

Result<std::string> CanonicalXmlWriter::finish() && {
  if (!error_.empty()) return fail(ErrorCode::kBadRequest, error_);
  if (!root_written_) return fail(ErrorCode::kBadRequest, "no root element");
  if (!open_.empty())
    return fail(ErrorCode::kBadRequest, "element '" + open_.back() + "' not closed");
  return std::move(out_);
}

}  // namespace lienthong
