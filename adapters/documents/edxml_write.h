// Writing edXML envelopes as FORMATS.md §1 lays them out: root `edXML` in the default
// namespace, the envelope elements with the `edXML:` prefix, AttachmentEncoded after the
// envelope with each attachment's content in base64. Every field is written, empty ones as
// empty elements, so that parse_edxml(to_edxml(m)) == m.
//
// Validate first (edxml_validate.h): the writer does not refuse. Text that is not valid XML
// (bad UTF-8, control characters) is written with U+FFFD in place of each bad byte, so the
// output is always well-formed; validate() would have refused such a message.
#pragma once

#include <string>

#include "adapters/documents/edxml_message.h"

namespace lienthong::edxml {

std::string to_edxml(const EdxmlMessage& message);
// A Status in the same envelope: edXMLHeader holds Status (and later the Signature).
std::string to_edxml(const EdxmlStatus& status);

}  // namespace lienthong::edxml
