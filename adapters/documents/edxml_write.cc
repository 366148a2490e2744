#include "adapters/documents/edxml_write.h"

#include <string_view>

#include "gateway/core/canonical_xml.h"
#include "gateway/core/encoding.h"

namespace lienthong::edxml {
namespace {

// The longest prefix of `s` that is one well-formed UTF-8 character, or 0.
size_t utf8_char_length(std::string_view s) {
  const auto b = static_cast<unsigned char>(s[0]);
  const size_t n = b < 0x80                 ? 1
                   : b >= 0xC2 && b <= 0xDF ? 2
                   : b >= 0xE0 && b <= 0xEF ? 3
                   : b >= 0xF0 && b <= 0xF4 ? 4
                                            : 0;
  if (n == 0 || n > s.size()) return 0;
  return is_xml_text(s.substr(0, n)) ? n : 0;
}

// Text as it may be written: unchanged when it is XML text, else each bad byte as U+FFFD.
std::string xml_safe(std::string_view text) {
  if (is_xml_text(text)) return std::string(text);
  std::string out;
  for (size_t i = 0; i < text.size();) {
    const size_t n = utf8_char_length(text.substr(i));
    if (n == 0) {
      out += "\xEF\xBF\xBD";
      ++i;
    } else {
      out.append(text.substr(i, n));
      i += n;
    }
  }
  return out;
}

class Writer {
 public:
  // Envelope elements carry the edXML: prefix; AttachmentEncoded's are in the default namespace.
  void open(std::string_view name, std::string_view attributes = {}, bool prefixed = true) {
    indent();
    out_ += '<';
    tag(name, prefixed);
    out_ += attributes;
    out_ += ">\n";
    ++depth_;
  }
  void close(std::string_view name, bool prefixed = true) {
    --depth_;
    indent();
    out_ += "</";
    tag(name, prefixed);
    out_ += ">\n";
  }
  void leaf(std::string_view name, std::string_view text, bool prefixed = true,
            std::string_view attributes = {}) {
    indent();
    out_ += '<';
    tag(name, prefixed);
    out_ += attributes;
    out_ += '>';
    append_escaped_text(xml_safe(text), out_);
    out_ += "</";
    tag(name, prefixed);
    out_ += ">\n";
  }
  void leaf(std::string_view name, int value) { leaf(name, std::to_string(value)); }
  void raw(std::string_view s) { out_ += s; }
  std::string take() { return std::move(out_); }

 private:
  void indent() { out_.append(depth_, ' '); }
  void tag(std::string_view name, bool prefixed) {
    if (prefixed) out_ += "edXML:";
    out_ += name;
  }
  std::string out_;
  size_t depth_ = 0;
};

void write_organization(Writer& w, std::string_view name, const Organization& o) {
  w.open(name);
  w.leaf("OrganId", o.organ_id);
  w.leaf("OrganizationInCharge", o.organization_in_charge);
  w.leaf("OrganName", o.organ_name);
  w.leaf("OrganAdd", o.organ_add);
  w.leaf("Email", o.email);
  w.leaf("Telephone", o.telephone);
  w.leaf("Fax", o.fax);
  w.leaf("Website", o.website);
  w.close(name);
}

void write_response_for(Writer& w, const ResponseFor& r) {
  w.open("ResponseFor");
  w.leaf("OrganId", r.organ_id);
  w.leaf("Code", r.code);
  w.leaf("PromulgationDate", r.promulgation_date);
  w.leaf("DocumentId", r.document_id);
  w.close("ResponseFor");
}

void write_staff_info(Writer& w, const StaffInfo& s) {
  w.open("StaffInfo");
  w.leaf("Department", s.department);
  w.leaf("Staff", s.staff);
  w.leaf("Email", s.email);
  w.leaf("Mobile", s.mobile);
  w.close("StaffInfo");
}

void write_message_header(Writer& w, const MessageHeader& h) {
  w.open("MessageHeader");
  write_organization(w, "From", h.from);
  for (const auto& to : h.to) write_organization(w, "To", to);
  w.leaf("DocumentId", h.document_id);
  w.open("Code");
  w.leaf("CodeNumber", h.code.code_number);
  w.leaf("CodeNotation", h.code.code_notation);
  w.close("Code");
  w.open("PromulgationInfo");
  w.leaf("Place", h.promulgation_info.place);
  w.leaf("PromulgationDate", h.promulgation_info.promulgation_date);
  w.close("PromulgationInfo");
  w.open("DocumentType");
  w.leaf("Type", h.document_type.type);
  w.leaf("TypeDetail", h.document_type.type_detail);
  w.leaf("TypeName", h.document_type.type_name);
  w.close("DocumentType");
  w.leaf("Subject", h.subject);
  w.leaf("Content", h.content);
  w.open("SignerInfo");
  w.leaf("Competence", h.signer_info.competence);
  w.leaf("Position", h.signer_info.position);
  w.leaf("FullName", h.signer_info.full_name);
  w.close("SignerInfo");
  w.leaf("DueDate", h.due_date);
  const auto& o = h.other_info;
  w.open("OtherInfo");
  w.leaf("Priority", o.priority);
  w.leaf("SphereOfPromulgation", o.sphere_of_promulgation);
  w.leaf("TyperNotation", o.typer_notation);
  w.leaf("PromulgationAmount", o.promulgation_amount);
  w.leaf("PageAmount", o.page_amount);
  w.leaf("Direction", o.direction);
  w.open("Appendixes");
  for (const auto& a : o.appendixes) w.leaf("Appendix", a);
  w.close("Appendixes");
  w.close("OtherInfo");
  w.leaf("SteeringType", h.steering_type);
  w.open("ToPlaces");
  for (const auto& p : h.to_places) w.leaf("Place", p);
  w.close("ToPlaces");
  for (const auto& r : h.response_for) write_response_for(w, r);
  w.close("MessageHeader");
}

void write_bussiness(Writer& w, const Bussiness& b) {
  w.open("Bussiness");
  w.leaf("DocumentId", b.document_id);
  w.leaf("BussinessDocType", b.bussiness_doc_type);
  w.leaf("BussinessDocReason", b.bussiness_doc_reason);
  w.leaf("Paper", b.paper);
  write_staff_info(w, b.staff_info);
  if (b.bussiness_document_info) {
    const auto& info = *b.bussiness_document_info;
    w.open("BussinessDocumentInfo");
    w.leaf("DocumentInfo", info.document_info);
    w.leaf("DocumentReceiver", info.document_receiver);
    w.open("ReceiverList");
    for (const auto& r : info.receiver_list) {
      w.open("Receiver");
      w.leaf("ReceiverType", r.receiver_type);
      w.leaf("OrganId", r.organ_id);
      w.close("Receiver");
    }
    w.close("ReceiverList");
    w.close("BussinessDocumentInfo");
  }
  if (!b.replacement_info_list.empty()) {
    w.open("ReplacementInfoList");
    for (const auto& r : b.replacement_info_list) {
      w.open("ReplacementInfo");
      w.leaf("DocumentId", r.document_id);
      w.open("OrganIdList");
      for (const auto& id : r.organ_id_list) w.leaf("OrganId", id);
      w.close("OrganIdList");
      w.close("ReplacementInfo");
    }
    w.close("ReplacementInfoList");
  }
  w.close("Bussiness");
}

constexpr std::string_view kDeclaration = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";

std::string ns_attribute(std::string_view prefix) {
  return " xmlns" + std::string(prefix) + "=\"" + std::string(kNamespace) + "\"";
}

// The root and the envelope element: the default namespace on edXML, the edXML: prefix
// declared on edXMLEnvelope, as in the VPCP SDK sample.
void open_envelope(Writer& w) {
  w.raw(kDeclaration);
  w.open("edXML", ns_attribute(""), false);
  w.open("edXMLEnvelope", ns_attribute(":edXML"));
  w.open("edXMLHeader");
}

}  // namespace

std::string to_edxml(const EdxmlMessage& m) {
  Writer w;
  open_envelope(w);
  write_message_header(w, m.header);
  w.open("TraceHeaderList");
  for (const auto& t : m.trace.trace_headers) {
    w.open("TraceHeader");
    w.leaf("OrganId", t.organ_id);
    w.leaf("Timestamp", t.timestamp);
    w.close("TraceHeader");
  }
  if (m.trace.bussiness) write_bussiness(w, *m.trace.bussiness);
  w.close("TraceHeaderList");
  w.close("edXMLHeader");
  w.open("edXMLBody");
  w.open("edXMLManifest", " version=\"1.0\"");
  for (const auto& r : m.manifest) {
    w.open("Reference");
    w.leaf("ContentId", r.content_id);
    w.leaf("ContentType", r.content_type);
    w.leaf("Description", r.description);
    w.leaf("AttachmentName", r.attachment_name);
    w.close("Reference");
  }
  w.close("edXMLManifest");
  w.close("edXMLBody");
  w.close("edXMLEnvelope");
  if (!m.attachments.empty()) {
    w.open("AttachmentEncoded", {}, false);
    for (const auto& a : m.attachments) {
      w.open("Attachment", {}, false);
      w.leaf("ContentId", a.content_id, false);
      w.leaf("AttachmentName", a.attachment_name, false);
      w.leaf("Description", a.description, false);
      w.leaf("ContentType", a.content_type, false);
      // Outside edXMLEnvelope the prefix is not in scope: declared again, as the sample does.
      w.leaf("ContentTransferEncoded", base64_encode(a.bytes), true, ns_attribute(":edXML"));
      w.close("Attachment", false);
    }
    w.close("AttachmentEncoded", false);
  }
  w.close("edXML", false);
  return w.take();
}

std::string to_edxml(const EdxmlStatus& s) {
  Writer w;
  open_envelope(w);
  w.open("Status");
  write_response_for(w, s.response_for);
  write_organization(w, "From", s.from);
  w.leaf("StatusCode", s.status_code);
  w.leaf("Description", s.description);
  w.leaf("Timestamp", s.timestamp);
  write_staff_info(w, s.staff_info);
  w.close("Status");
  w.close("edXMLHeader");
  w.open("edXMLBody");
  w.close("edXMLBody");
  w.close("edXMLEnvelope");
  w.close("edXML", false);
  return w.take();
}

}  // namespace lienthong::edxml
