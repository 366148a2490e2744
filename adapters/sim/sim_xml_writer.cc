#include "adapters/sim/sim_xml_writer.h"

#include "gateway/core/canonical_xml.h"

namespace lienthong::sim {

void PrefixedXmlWriter::open(std::string_view name) {
  out_ += '<';
  out_ += prefix_;
  out_ += ':';
  out_ += name;
  out_ += '>';
}

void PrefixedXmlWriter::close(std::string_view name) {
  out_ += "</";
  out_ += prefix_;
  out_ += ':';
  out_ += name;
  out_ += '>';
}

void PrefixedXmlWriter::element(std::string_view name, std::string_view value) {
  open(name);
  append_escaped_text(value, out_);
  close(name);
}

void PrefixedXmlWriter::optional(std::string_view name, std::string_view value) {
  if (!value.empty()) element(name, value);
}

std::string answer_id_from_request(std::string_view prefix, std::string_view request_id) {
  constexpr size_t kMaxIdChars = 64;
  std::string id(prefix);
  for (char c : request_id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_' || c == '.';
    if (ok) id += c;
    if (id.size() == prefix.size() + kMaxIdChars) break;
  }
  return id;
}

}  // namespace lienthong::sim
