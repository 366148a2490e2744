// Reading edXML envelopes and Status messages from outside. The bytes go through
// crypto::parse_untrusted_xml (no DOCTYPE or entities, size/depth/node limits, unique IDs), then
// the tree is read against the envelope of FORMATS.md §1: every element in the edXML namespace,
// children in the documented order, unknown elements refused by name, attachments decoded
// strictly from base64 under their own limits. Parsing checks structure only; the business
// rules (lengths, codes, dates, DocumentId) are validate()'s (edxml_validate.h).
//
// Errors: XML_MALFORMED, XML_DTD_REFUSED, XML_LIMIT_EXCEEDED and DUPLICATE_ID from the XML
// layer; XML_LIMIT_EXCEEDED also for too many recipients or attachments and for an attachment
// over its decoded size (they are limits, like the XML layer's); BAD_REQUEST for well-formed XML
// that is not an edXML envelope, with the element's path in the detail.
#pragma once

#include <libxml/tree.h>

#include <cstddef>
#include <string_view>

#include "adapters/documents/edxml_message.h"
#include "gateway/core/error.h"
#include "gateway/crypto/xml_document.h"

namespace lienthong::edxml {

struct EdxmlLimits {
  size_t max_document_bytes = size_t{32} << 20;    // the whole envelope, attachments included
  size_t max_attachment_bytes = size_t{20} << 20;  // one attachment, decoded
  size_t max_attachments = 50;                     // Reference and Attachment elements, each
  size_t max_recipients = 500;                     // MessageHeader/To elements
  size_t max_depth = 32;                           // the envelope nests 9 deep at most
  size_t max_nodes = 200'000;

  // What parse_untrusted_xml is given (max_bytes = max_document_bytes). Attachments are base64
  // text nodes of up to 4/3 x max_attachment_bytes, beyond libxml2's default 10 MB per node.
  crypto::XmlLimits xml() const { return {max_document_bytes, max_depth, max_nodes, true}; }
};

Result<EdxmlMessage> parse_edxml(std::string_view bytes, const EdxmlLimits& limits = {});
Result<EdxmlStatus> parse_edxml_status(std::string_view bytes, const EdxmlLimits& limits = {});

// The same readers over a tree already parsed by parse_untrusted_xml (the verifier's, so that
// what is read is exactly what was verified). Document-size limits are the caller's.
Result<EdxmlMessage> read_edxml(const xmlDoc& doc, const EdxmlLimits& limits = {});
Result<EdxmlStatus> read_edxml_status(const xmlDoc& doc, const EdxmlLimits& limits = {});

}  // namespace lienthong::edxml
