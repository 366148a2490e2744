#include "adapters/documents/edxml_parse.h"

#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "gateway/core/encoding.h"
#include "gateway/crypto/xml_nodes.h"

namespace lienthong::edxml {
namespace {

namespace xml = crypto::xml;

constexpr std::string_view kDsigNs = "http://www.w3.org/2000/09/xmldsig#";

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

bool blank(const xmlChar* content) {
  if (content == nullptr) return true;
  for (const xmlChar* p = content; *p != 0; ++p)
    if (!is_space(static_cast<char>(*p))) return false;
  return true;
}

// Names and namespaces come from outside: quoted short in details.
std::string quoted(std::string_view s) {
  return "'" + std::string(s.substr(0, 64)) + (s.size() > 64 ? "…'" : "'");
}

using Reader = std::function<Result<void>(const xmlNode*, const std::string& path)>;

// One child element a container accepts: how many times, and what reads it.
struct Field {
  std::string_view name;
  size_t min = 0;
  size_t max = 1;
  Reader read;
  // Exceeding `max`: a structural error, or a limit (recipients, attachments).
  ErrorCode over = ErrorCode::kBadRequest;
  std::string_view ns = kNamespace;
};

Field optional(std::string_view name, Reader read) { return Field{name, 0, 1, std::move(read)}; }
Field required(std::string_view name, Reader read) { return Field{name, 1, 1, std::move(read)}; }
Field repeated(std::string_view name, size_t max, Reader read,
               ErrorCode over = ErrorCode::kBadRequest) {
  return Field{name, 0, max, std::move(read), over};
}

// Sequence: the children come in the order of `fields` (FORMATS.md §1). Any: organisation and
// staff blocks, whose children public builders write in different orders.
enum class Order { kSequence, kAny };

// Reads the children of `parent` against `fields`. Whitespace, comments and PIs between the
// elements are ignored; any other text, an unknown element, a known name in another
// namespace, an element out of order, too many or too few are refused with their path.
Result<void> read_children(const xmlNode* parent, const std::string& path,
                           const std::vector<Field>& fields, Order order) {
  std::vector<size_t> counts(fields.size(), 0);
  size_t position = 0;
  for (const xmlNode* c = parent->children; c != nullptr; c = c->next) {
    if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) {
      if (!blank(c->content))
        return fail(ErrorCode::kBadRequest, path + ": text where only elements are expected");
      continue;
    }
    if (c->type == XML_COMMENT_NODE || c->type == XML_PI_NODE) continue;
    if (c->type != XML_ELEMENT_NODE)
      return fail(ErrorCode::kBadRequest, path + ": unexpected node type");
    const std::string_view local = xml::name(c);
    size_t i = 0;
    while (i < fields.size() && !(fields[i].name == local && xml::ns(c) == fields[i].ns)) ++i;
    if (i == fields.size()) {
      for (const auto& f : fields)
        if (f.name == local)
          return fail(ErrorCode::kBadRequest, path + "/" + std::string(local) + ": in namespace " +
                                                  quoted(xml::ns(c)) + ", expected '" +
                                                  std::string(f.ns) + "'");
      return fail(ErrorCode::kBadRequest, path + ": unknown element " + quoted(local));
    }
    if (order == Order::kSequence && i < position)
      return fail(ErrorCode::kBadRequest, path + "/" + std::string(local) +
                                              ": out of order (it must come before " +
                                              std::string(fields[position].name) + ")");
    position = i;
    if (counts[i] == fields[i].max)
      return fail(fields[i].over, path + "/" + std::string(local) + ": more than " +
                                      std::to_string(fields[i].max) +
                                      (fields[i].max == 1 ? " element" : " elements"));
    ++counts[i];
    std::string child = path + "/" + std::string(local);
    if (fields[i].max > 1) child += "[" + std::to_string(counts[i]) + "]";
    if (auto read = fields[i].read(c, child); !read) return read;
  }
  for (size_t i = 0; i < fields.size(); ++i)
    if (counts[i] < fields[i].min)
      return fail(ErrorCode::kBadRequest, path + "/" + std::string(fields[i].name) + ": missing");
  return {};
}

// A leaf: text (and CDATA) only.
Result<std::string> leaf_text(const xmlNode* node, const std::string& path) {
  for (const xmlNode* c = node->children; c != nullptr; c = c->next)
    if (c->type == XML_ELEMENT_NODE)
      return fail(ErrorCode::kBadRequest,
                  path + ": expected text, found element " + quoted(xml::name(c)));
  return xml::text(node);
}

Reader text_into(std::string& out) {
  return [&out](const xmlNode* node, const std::string& path) -> Result<void> {
    auto text = leaf_text(node, path);
    if (!text) return tl::unexpected(text.error());
    out = std::move(*text);
    return {};
  };
}

Reader text_append(std::vector<std::string>& out) {
  return [&out](const xmlNode* node, const std::string& path) -> Result<void> {
    auto text = leaf_text(node, path);
    if (!text) return tl::unexpected(text.error());
    out.push_back(std::move(*text));
    return {};
  };
}

// Decimal, optionally negative (validate() says why a value is out of range), at most 9
// digits so it fits an int; an empty element reads as 0 (the writer writes 0 for it).
Reader int_into(int& out) {
  return [&out](const xmlNode* node, const std::string& path) -> Result<void> {
    auto text = leaf_text(node, path);
    if (!text) return tl::unexpected(text.error());
    std::string_view digits = *text;
    const bool negative = !digits.empty() && digits.front() == '-';
    if (negative) digits.remove_prefix(1);
    if ((digits.empty() && negative) || digits.size() > 9)
      return fail(ErrorCode::kBadRequest, path + ": " + quoted(*text) + " is not an integer");
    int value = 0;
    for (char c : digits) {
      if (c < '0' || c > '9')
        return fail(ErrorCode::kBadRequest, path + ": " + quoted(*text) + " is not an integer");
      value = value * 10 + (c - '0');
    }
    out = negative ? -value : value;
    return {};
  };
}

Reader ignore() {
  return [](const xmlNode*, const std::string&) -> Result<void> { return {}; };
}

Result<void> read_organization(const xmlNode* node, const std::string& path, Organization& o) {
  return read_children(
      node, path,
      {optional("OrganId", text_into(o.organ_id)),
       optional("OrganizationInCharge", text_into(o.organization_in_charge)),
       optional("OrganName", text_into(o.organ_name)), optional("OrganAdd", text_into(o.organ_add)),
       optional("Email", text_into(o.email)), optional("Telephone", text_into(o.telephone)),
       optional("Fax", text_into(o.fax)), optional("Website", text_into(o.website))},
      Order::kAny);
}

Result<void> read_response_for(const xmlNode* node, const std::string& path, ResponseFor& r) {
  return read_children(
      node, path,
      {optional("OrganId", text_into(r.organ_id)), optional("Code", text_into(r.code)),
       optional("PromulgationDate", text_into(r.promulgation_date)),
       optional("DocumentId", text_into(r.document_id))},
      Order::kSequence);
}

Result<void> read_staff_info(const xmlNode* node, const std::string& path, StaffInfo& s) {
  return read_children(
      node, path,
      {optional("Department", text_into(s.department)), optional("Staff", text_into(s.staff)),
       optional("Email", text_into(s.email)), optional("Mobile", text_into(s.mobile))},
      Order::kAny);
}

Result<void> read_message_header(const xmlNode* node, const std::string& path, MessageHeader& h,
                                 const EdxmlLimits& limits) {
  auto& other = h.other_info;
  return read_children(
      node, path,
      {required("From", [&h](const xmlNode* n,
                             const std::string& p) { return read_organization(n, p, h.from); }),
       repeated(
           "To", limits.max_recipients,
           [&h](const xmlNode* n, const std::string& p) {
             return read_organization(n, p, h.to.emplace_back());
           },
           ErrorCode::kXmlLimitExceeded),
       optional("DocumentId", text_into(h.document_id)),
       optional("Code",
                [&h](const xmlNode* n, const std::string& p) {
                  return read_children(n, p,
                                       {optional("CodeNumber", text_into(h.code.code_number)),
                                        optional("CodeNotation", text_into(h.code.code_notation))},
                                       Order::kSequence);
                }),
       optional("PromulgationInfo",
                [&h](const xmlNode* n, const std::string& p) {
                  auto& info = h.promulgation_info;
                  return read_children(
                      n, p,
                      {optional("Place", text_into(info.place)),
                       optional("PromulgationDate", text_into(info.promulgation_date))},
                      Order::kSequence);
                }),
       optional("DocumentType",
                [&h](const xmlNode* n, const std::string& p) {
                  auto& type = h.document_type;
                  return read_children(n, p,
                                       {optional("Type", int_into(type.type)),
                                        optional("TypeDetail", int_into(type.type_detail)),
                                        optional("TypeName", text_into(type.type_name))},
                                       Order::kSequence);
                }),
       optional("Subject", text_into(h.subject)), optional("Content", text_into(h.content)),
       optional("SignerInfo",
                [&h](const xmlNode* n, const std::string& p) {
                  auto& s = h.signer_info;
                  return read_children(n, p,
                                       {optional("Competence", text_into(s.competence)),
                                        optional("Position", text_into(s.position)),
                                        optional("FullName", text_into(s.full_name))},
                                       Order::kSequence);
                }),
       optional("DueDate", text_into(h.due_date)),
       optional("OtherInfo",
                [&other](const xmlNode* n, const std::string& p) {
                  return read_children(
                      n, p,
                      {optional("Priority", int_into(other.priority)),
                       optional("SphereOfPromulgation", text_into(other.sphere_of_promulgation)),
                       optional("TyperNotation", text_into(other.typer_notation)),
                       optional("PromulgationAmount", int_into(other.promulgation_amount)),
                       optional("PageAmount", int_into(other.page_amount)),
                       optional("Direction", text_into(other.direction)),
                       optional("Appendixes",
                                [&other](const xmlNode* a, const std::string& ap) {
                                  return read_children(
                                      a, ap,
                                      {repeated("Appendix", 1000, text_append(other.appendixes))},
                                      Order::kSequence);
                                })},
                      Order::kSequence);
                }),
       optional("SteeringType", int_into(h.steering_type)),
       optional("ToPlaces",
                [&h](const xmlNode* n, const std::string& p) {
                  return read_children(n, p, {repeated("Place", 1000, text_append(h.to_places))},
                                       Order::kSequence);
                }),
       repeated("ResponseFor", 1000,
                [&h](const xmlNode* n, const std::string& p) {
                  return read_response_for(n, p, h.response_for.emplace_back());
                })},
      Order::kSequence);
}

Result<void> read_bussiness(const xmlNode* node, const std::string& path, Bussiness& b) {
  return read_children(
      node, path,
      {optional("DocumentId", text_into(b.document_id)),
       optional("BussinessDocType", int_into(b.bussiness_doc_type)),
       optional("BussinessDocReason", text_into(b.bussiness_doc_reason)),
       optional("Paper", text_into(b.paper)),
       optional("StaffInfo",
                [&b](const xmlNode* n, const std::string& p) {
                  return read_staff_info(n, p, b.staff_info);
                }),
       optional("BussinessDocumentInfo",
                [&b](const xmlNode* n, const std::string& p) {
                  auto& info = b.bussiness_document_info.emplace();
                  return read_children(
                      n, p,
                      {optional("DocumentInfo", text_into(info.document_info)),
                       optional("DocumentReceiver", text_into(info.document_receiver)),
                       optional("ReceiverList",
                                [&info](const xmlNode* l, const std::string& lp) {
                                  return read_children(
                                      l, lp,
                                      {repeated("Receiver", 1000,
                                                [&info](const xmlNode* r, const std::string& rp) {
                                                  auto& rec = info.receiver_list.emplace_back();
                                                  return read_children(
                                                      r, rp,
                                                      {optional("ReceiverType",
                                                                int_into(rec.receiver_type)),
                                                       optional("OrganId",
                                                                text_into(rec.organ_id))},
                                                      Order::kSequence);
                                                })},
                                      Order::kSequence);
                                })},
                      Order::kSequence);
                }),
       optional("ReplacementInfoList",
                [&b](const xmlNode* n, const std::string& p) {
                  return read_children(
                      n, p,
                      {repeated("ReplacementInfo", 1000,
                                [&b](const xmlNode* r, const std::string& rp) {
                                  auto& info = b.replacement_info_list.emplace_back();
                                  return read_children(
                                      r, rp,
                                      {optional("DocumentId", text_into(info.document_id)),
                                       optional("OrganIdList",
                                                [&info](const xmlNode* l, const std::string& lp) {
                                                  return read_children(
                                                      l, lp,
                                                      {repeated("OrganId", 1000,
                                                                text_append(info.organ_id_list))},
                                                      Order::kSequence);
                                                })},
                                      Order::kSequence);
                                })},
                      Order::kSequence);
                })},
      Order::kSequence);
}

Result<void> read_trace_header_list(const xmlNode* node, const std::string& path,
                                    TraceHeaderList& t) {
  return read_children(node, path,
                       {repeated("TraceHeader", 1000,
                                 [&t](const xmlNode* n, const std::string& p) {
                                   auto& h = t.trace_headers.emplace_back();
                                   return read_children(
                                       n, p,
                                       {optional("OrganId", text_into(h.organ_id)),
                                        optional("Timestamp", text_into(h.timestamp))},
                                       Order::kSequence);
                                 }),
                        optional("Bussiness",
                                 [&t](const xmlNode* n, const std::string& p) {
                                   return read_bussiness(n, p, t.bussiness.emplace());
                                 })},
                       Order::kSequence);
}

// Strict base64 (RFC 4648 §4): the standard alphabet, '=' padding only at the end and only to
// a multiple of 4, the unused low bits of the last character zero (one text per byte
// string). XML whitespace between characters is allowed, as xs:base64Binary allows it and
// encoders wrap lines. Checked against the decoded limit before decoding.
Result<std::string> decode_base64(std::string_view text, const std::string& path,
                                  size_t max_bytes) {
  std::string compact;
  compact.reserve(text.size());
  for (char c : text) {
    if (is_space(c)) continue;
    const bool alphabet = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                          (c >= '0' && c <= '9') || c == '+' || c == '/' || c == '=';
    if (!alphabet)
      return fail(ErrorCode::kBadRequest, path + ": not base64 (a character outside the alphabet)");
    compact.push_back(c);
  }
  if (compact.size() % 4 != 0)
    return fail(ErrorCode::kBadRequest, path + ": not base64 (length is not a multiple of 4)");
  size_t padding = 0;
  while (padding < 2 && padding < compact.size() && compact[compact.size() - 1 - padding] == '=')
    ++padding;
  compact.resize(compact.size() - padding);
  const size_t decoded =
      compact.size() / 4 * 3 + (compact.size() % 4 == 0 ? 0 : compact.size() % 4 - 1);
  if (decoded > max_bytes)
    return fail(ErrorCode::kXmlLimitExceeded, path + ": attachment of " + std::to_string(decoded) +
                                                  " bytes exceeds the limit of " +
                                                  std::to_string(max_bytes));
  // The project's decoder is base64url's, equally strict once the alphabet is mapped; a '='
  // left inside (padding not at the end) is refused there.
  for (char& c : compact) {
    if (c == '+')
      c = '-';
    else if (c == '/')
      c = '_';
  }
  auto bytes = base64url_decode(compact);
  if (!bytes)
    return fail(ErrorCode::kBadRequest,
                path + ": not base64 (misplaced padding or non-zero trailing bits)");
  return std::move(*bytes);
}

Result<void> read_envelope(const xmlNode* node, const std::string& path, EdxmlMessage& m,
                           const EdxmlLimits& limits) {
  return read_children(
      node, path,
      {required("edXMLHeader",
                [&](const xmlNode* n, const std::string& p) {
                  auto signature = optional("Signature", ignore());  // edxml_signature.h's
                  signature.ns = kDsigNs;
                  return read_children(n, p,
                                       {required("MessageHeader",
                                                 [&](const xmlNode* h, const std::string& hp) {
                                                   return read_message_header(h, hp, m.header,
                                                                              limits);
                                                 }),
                                        optional("TraceHeaderList",
                                                 [&](const xmlNode* t, const std::string& tp) {
                                                   return read_trace_header_list(t, tp, m.trace);
                                                 }),
                                        signature},
                                       Order::kSequence);
                }),
       optional("edXMLBody",
                [&](const xmlNode* n, const std::string& p) {
                  return read_children(
                      n, p,
                      {optional(
                          "edXMLManifest",
                          [&](const xmlNode* man, const std::string& mp) {
                            return read_children(
                                man, mp,
                                {repeated(
                                    "Reference", limits.max_attachments,
                                    [&](const xmlNode* r, const std::string& rp) {
                                      auto& ref = m.manifest.emplace_back();
                                      return read_children(
                                          r, rp,
                                          {optional("ContentId", text_into(ref.content_id)),
                                           optional("ContentType", text_into(ref.content_type)),
                                           optional("Description", text_into(ref.description)),
                                           optional("AttachmentName",
                                                    text_into(ref.attachment_name))},
                                          Order::kSequence);
                                    },
                                    ErrorCode::kXmlLimitExceeded)},
                                Order::kSequence);
                          })},
                      Order::kSequence);
                })},
      Order::kSequence);
}

Result<void> read_attachment(const xmlNode* node, const std::string& path, Attachment& a,
                             const EdxmlLimits& limits) {
  return read_children(node, path,
                       {optional("ContentId", text_into(a.content_id)),
                        optional("AttachmentName", text_into(a.attachment_name)),
                        optional("Description", text_into(a.description)),
                        optional("ContentType", text_into(a.content_type)),
                        required("ContentTransferEncoded",
                                 [&](const xmlNode* n, const std::string& p) -> Result<void> {
                                   auto text = leaf_text(n, p);
                                   if (!text) return tl::unexpected(text.error());
                                   auto bytes =
                                       decode_base64(*text, p, limits.max_attachment_bytes);
                                   if (!bytes) return tl::unexpected(bytes.error());
                                   a.bytes = std::move(*bytes);
                                   return {};
                                 })},
                       Order::kSequence);
}

Result<const xmlNode*> root_of(const xmlDoc& doc) {
  const xmlNode* root = xmlDocGetRootElement(&doc);
  if (root == nullptr) return fail(ErrorCode::kXmlMalformed, "no root element");
  if (xml::name(root) != "edXML")
    return fail(ErrorCode::kBadRequest,
                "root element is " + quoted(xml::name(root)) + ", expected edXML");
  if (xml::ns(root) != kNamespace)
    return fail(ErrorCode::kBadRequest, "edXML: root element in namespace " +
                                            quoted(xml::ns(root)) + ", expected '" +
                                            std::string(kNamespace) + "'");
  return root;
}

}  // namespace

Result<EdxmlMessage> read_edxml(const xmlDoc& doc, const EdxmlLimits& limits) {
  auto root = root_of(doc);
  if (!root) return tl::unexpected(root.error());
  EdxmlMessage m;
  auto read = read_children(
      *root, "edXML",
      {required(
           "edXMLEnvelope",
           [&](const xmlNode* n, const std::string& p) { return read_envelope(n, p, m, limits); }),
       optional("AttachmentEncoded",
                [&](const xmlNode* n, const std::string& p) {
                  return read_children(n, p,
                                       {repeated(
                                           "Attachment", limits.max_attachments,
                                           [&](const xmlNode* a, const std::string& ap) {
                                             return read_attachment(
                                                 a, ap, m.attachments.emplace_back(), limits);
                                           },
                                           ErrorCode::kXmlLimitExceeded)},
                                       Order::kSequence);
                })},
      Order::kSequence);
  if (!read) return tl::unexpected(read.error());
  return m;
}

Result<EdxmlStatus> read_edxml_status(const xmlDoc& doc, const EdxmlLimits&) {
  auto root = root_of(doc);
  if (!root) return tl::unexpected(root.error());
  EdxmlStatus s;
  auto status = [&s](const xmlNode* n, const std::string& p) {
    return read_children(
        n, p,
        {required("ResponseFor",
                  [&s](const xmlNode* r, const std::string& rp) {
                    return read_response_for(r, rp, s.response_for);
                  }),
         required("From", [&s](const xmlNode* f,
                               const std::string& fp) { return read_organization(f, fp, s.from); }),
         required("StatusCode", text_into(s.status_code)),
         optional("Description", text_into(s.description)),
         optional("Timestamp", text_into(s.timestamp)),
         optional("StaffInfo",
                  [&s](const xmlNode* f, const std::string& fp) {
                    return read_staff_info(f, fp, s.staff_info);
                  })},
        Order::kSequence);
  };
  auto read = read_children(
      *root, "edXML",
      {required("edXMLEnvelope",
                [&](const xmlNode* n, const std::string& p) {
                  auto signature = optional("Signature", ignore());  // edxml_signature.h's
                  signature.ns = kDsigNs;
                  return read_children(
                      n, p,
                      {required("edXMLHeader",
                                [&](const xmlNode* h, const std::string& hp) {
                                  return read_children(h, hp,
                                                       {required("Status", status), signature},
                                                       Order::kSequence);
                                }),
                       // A Status carries nothing in its body.
                       optional("edXMLBody",
                                [](const xmlNode* b, const std::string& bp) {
                                  return read_children(b, bp, {}, Order::kSequence);
                                })},
                      Order::kSequence);
                })},
      Order::kSequence);
  if (!read) return tl::unexpected(read.error());
  // A closed code list: a code outside it is not a Status we can act on.
  if (!is_status_code(s.status_code))
    return fail(ErrorCode::kBadRequest,
                "edXML/edXMLEnvelope/edXMLHeader/Status/StatusCode: " + quoted(s.status_code) +
                    " is not a status code (01-06, 13, 15, 16)");
  return s;
}

Result<EdxmlMessage> parse_edxml(std::string_view bytes, const EdxmlLimits& limits) {
  auto doc = crypto::parse_untrusted_xml(bytes, limits.xml(), crypto::IdAttribute::defaults());
  if (!doc) return tl::unexpected(doc.error());
  return read_edxml(**doc, limits);
}

Result<EdxmlStatus> parse_edxml_status(std::string_view bytes, const EdxmlLimits& limits) {
  auto doc = crypto::parse_untrusted_xml(bytes, limits.xml(), crypto::IdAttribute::defaults());
  if (!doc) return tl::unexpected(doc.error());
  return read_edxml_status(**doc, limits);
}

}  // namespace lienthong::edxml
