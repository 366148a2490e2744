// What the XML-answering SIMULATORS (population, land) share to write their signed answers:
// elements of one namespace prefix written straight into a string, and the answer's XML ID made
// from the request's id. The answers are signed as written, so text is escaped exactly as
// exclusive C14N writes it.
#pragma once

#include <string>
#include <string_view>

namespace lienthong::sim {

class PrefixedXmlWriter {
 public:
  // Writes `<prefix:name>`; the prefix is declared by the caller on the root element.
  PrefixedXmlWriter(std::string& out, std::string_view prefix) : out_(out), prefix_(prefix) {}

  void open(std::string_view name);
  void close(std::string_view name);
  void element(std::string_view name, std::string_view value);
  // Optional elements are left out when empty.
  void optional(std::string_view name, std::string_view value);

 private:
  std::string& out_;
  std::string prefix_;
};

// `prefix` followed by the request id's characters that may stand in an XML ID ([A-Za-z0-9._-]),
// at most 64 of them: the Reference URI of the answer's signature names it.
std::string answer_id_from_request(std::string_view prefix, std::string_view request_id);

}  // namespace lienthong::sim
