// The edXML 2.0 envelope of QCVN 102:2016 (the VPCP document-exchange axis) as plain values:
// what parse_edxml() reads, validate() checks and to_edxml() writes (FORMATS.md §1).
// Every text field holds the element's text exactly (UTF-8, not trimmed); an absent optional
// element and an empty one both read as "" (or 0 for the numeric fields), and the writer
// writes such fields as empty elements, so parse(to_edxml(m)) == m.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lienthong::edxml {

// The namespace of every edXML element (QCVN 102:2016).
inline constexpr std::string_view kNamespace = "http://www.mic.gov.vn/TBT/QCVN_102_2016";

// From, To and Status/From: the same eight children.
struct Organization {
  std::string organ_id;  // mã định danh cơ quan, NNN.NN.NN.ANN
  std::string organization_in_charge;
  std::string organ_name;
  std::string organ_add;
  std::string email;
  std::string telephone;
  std::string fax;
  std::string website;
  bool operator==(const Organization&) const = default;
};

struct Code {
  std::string code_number;    // số: "7816"
  std::string code_notation;  // ký hiệu: "VPCP-TTĐT"
  bool operator==(const Code&) const = default;
};

struct PromulgationInfo {
  std::string place;
  std::string promulgation_date;  // yyyy/MM/dd
  bool operator==(const PromulgationInfo&) const = default;
};

struct DocumentType {
  int type = 0;  // the sources disagree on the code list (FORMATS.md §1): carried, not checked
  int type_detail = 0;
  std::string type_name;
  bool operator==(const DocumentType&) const = default;
};

struct SignerInfo {
  std::string competence;
  std::string position;
  std::string full_name;
  bool operator==(const SignerInfo&) const = default;
};

struct OtherInfo {
  int priority = 0;  // 0 normal .. 4 hỏa tốc hẹn giờ
  std::string sphere_of_promulgation;
  std::string typer_notation;
  int promulgation_amount = 0;
  int page_amount = 0;
  std::string direction;  // "true"/"false" in the samples; carried as text
  std::vector<std::string> appendixes;
  bool operator==(const OtherInfo&) const = default;
};

// MessageHeader/ResponseFor and Status/ResponseFor: the document an answer is about.
struct ResponseFor {
  std::string organ_id;
  std::string code;  // "<CodeNumber>/<CodeNotation>"
  std::string promulgation_date;
  std::string document_id;
  bool operator==(const ResponseFor&) const = default;
};

struct MessageHeader {
  Organization from;
  std::vector<Organization> to;  // 1..n
  std::string document_id;       // "<From OrganId>,<yyyy/MM/dd>,<CodeNumber>/<CodeNotation>"
  Code code;
  PromulgationInfo promulgation_info;
  DocumentType document_type;
  std::string subject;
  std::string content;
  SignerInfo signer_info;
  std::string due_date;  // yyyy/MM/dd or empty
  OtherInfo other_info;
  int steering_type = 0;  // the sources disagree on the values: carried, not checked
  std::vector<std::string> to_places;
  std::vector<ResponseFor> response_for;
  bool operator==(const MessageHeader&) const = default;
};

struct TraceHeader {
  std::string organ_id;
  std::string timestamp;  // yyyy/MM/dd HH:mm:ss
  bool operator==(const TraceHeader&) const = default;
};

struct StaffInfo {
  std::string department;
  std::string staff;
  std::string email;
  std::string mobile;
  bool operator==(const StaffInfo&) const = default;
};

struct Receiver {
  int receiver_type = 0;  // 0 removed from the recipients, 1 added
  std::string organ_id;
  bool operator==(const Receiver&) const = default;
};

struct BussinessDocumentInfo {
  std::string document_info;
  std::string document_receiver;
  std::vector<Receiver> receiver_list;
  bool operator==(const BussinessDocumentInfo&) const = default;
};

struct ReplacementInfo {
  std::string document_id;
  std::vector<std::string> organ_id_list;
  bool operator==(const ReplacementInfo&) const = default;
};

// The spelling "Bussiness" is the standard's element name.
struct Bussiness {
  std::string document_id;
  int bussiness_doc_type = 0;  // 0 new, 1 recall, 2 update, 3 replace
  std::string bussiness_doc_reason;
  std::string paper;
  StaffInfo staff_info;
  std::optional<BussinessDocumentInfo> bussiness_document_info;
  std::vector<ReplacementInfo> replacement_info_list;
  bool operator==(const Bussiness&) const = default;
};

struct TraceHeaderList {
  std::vector<TraceHeader> trace_headers;
  std::optional<Bussiness> bussiness;
  bool operator==(const TraceHeaderList&) const = default;
};

// edXMLBody/edXMLManifest/Reference: what the body says is attached.
struct ManifestReference {
  std::string content_id;  // "cid:209"
  std::string content_type;
  std::string description;
  std::string attachment_name;
  bool operator==(const ManifestReference&) const = default;
};

// AttachmentEncoded/Attachment, with its content decoded from base64.
struct Attachment {
  std::string content_id;
  std::string attachment_name;
  std::string description;
  std::string content_type;
  std::string bytes;
  bool operator==(const Attachment&) const = default;
};

struct EdxmlMessage {
  MessageHeader header;
  TraceHeaderList trace;
  std::vector<ManifestReference> manifest;
  std::vector<Attachment> attachments;
  bool operator==(const EdxmlMessage&) const = default;
};

// The receiver's feedback on a document (Status), carried in edXMLHeader like MessageHeader.
struct EdxmlStatus {
  ResponseFor response_for;
  Organization from;
  std::string status_code;  // one of kStatusCodes
  std::string description;
  std::string timestamp;  // yyyy/MM/dd HH:mm:ss
  StaffInfo staff_info;
  bool operator==(const EdxmlStatus&) const = default;
};

// The StatusCode set: 01 arrived, 02 refused, 03 accepted, 04 waiting for assignment,
// 05 being processed, 06 finished, 13 recall/update requested, 15 accepted, 16 refused.
// Three sources agree it is exactly these, not 01..16 (FORMATS.md §1).
inline constexpr std::string_view kStatusCodes[] = {"01", "02", "03", "04", "05",
                                                    "06", "13", "15", "16"};
bool is_status_code(std::string_view code);

}  // namespace lienthong::edxml
