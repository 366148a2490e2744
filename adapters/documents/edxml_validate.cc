#include "adapters/documents/edxml_validate.h"

#include <chrono>
#include <set>
#include <string>

#include "gateway/core/identifiers.h"

namespace lienthong::edxml {
namespace {

// Values quoted in details are codes and identifiers, never the document's text.
std::string quoted(std::string_view s) {
  return "'" + std::string(s.substr(0, 80)) + (s.size() > 80 ? "…'" : "'");
}

std::string indexed(std::string_view path, size_t i) {
  return std::string(path) + "[" + std::to_string(i + 1) + "]";
}

bool digits(std::string_view s) {
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return !s.empty();
}

int number(std::string_view s) {
  int v = 0;
  for (char c : s) v = v * 10 + (c - '0');
  return v;
}

bool blank(std::string_view s) {
  for (char c : s)
    if (c != ' ' && c != '\t' && c != '\r' && c != '\n') return false;
  return true;
}

Result<void> check_length(std::string_view text, size_t max, const std::string& path) {
  const auto n = utf8_length(text);
  if (!n) return fail(ErrorCode::kBadRequest, path + ": not valid UTF-8");
  if (*n > max)
    return fail(ErrorCode::kBadRequest,
                path + ": " + std::to_string(*n) + " characters, at most " + std::to_string(max));
  return {};
}

Result<void> check_organ(std::string_view code, const std::string& path) {
  if (code.empty()) return fail(ErrorCode::kBadRequest, path + ": missing");
  if (auto parsed = parse_organ_code(code); !parsed)
    return fail(ErrorCode::kBadRequest, path + ": " + quoted(code) + ": " + parsed.error().detail);
  return {};
}

Result<void> check_date(std::string_view date, const std::string& path) {
  if (!is_edxml_date(date))
    return fail(ErrorCode::kBadRequest,
                path + ": " + quoted(date) + " is not a calendar date yyyy/MM/dd");
  return {};
}

Result<void> check_range(int value, int low, int high, const std::string& path) {
  if (value < low || value > high)
    return fail(ErrorCode::kBadRequest, path + ": " + std::to_string(value) + " is not in " +
                                            std::to_string(low) + ".." + std::to_string(high));
  return {};
}

// "<OrganId>,<yyyy/MM/dd>,<CodeNumber>/<CodeNotation>", and it must name this document.
Result<void> check_document_id(const MessageHeader& h) {
  const std::string path = "MessageHeader/DocumentId";
  const std::string_view id = h.document_id;
  if (id.empty()) return fail(ErrorCode::kBadRequest, path + ": missing");
  const size_t first = id.find(',');
  const size_t second = first == std::string_view::npos ? first : id.find(',', first + 1);
  const std::string_view code =
      second == std::string_view::npos ? std::string_view() : id.substr(second + 1);
  const size_t slash = code.find('/');
  if (second == std::string_view::npos || !parse_organ_code(id.substr(0, first)) ||
      !is_edxml_date(id.substr(first + 1, second - first - 1)) || slash == 0 ||
      slash == std::string_view::npos || slash + 1 == code.size())
    return fail(
        ErrorCode::kBadRequest,
        path + ": " + quoted(id) + " is not <OrganId>,<yyyy/MM/dd>,<CodeNumber>/<CodeNotation>");
  const std::string expected = h.from.organ_id + "," + h.promulgation_info.promulgation_date + "," +
                               h.code.code_number + "/" + h.code.code_notation;
  if (id != expected)
    return fail(ErrorCode::kBadRequest,
                path + ": " + quoted(id) +
                    " does not match From/OrganId, PromulgationInfo/PromulgationDate and Code (" +
                    quoted(expected) + " expected)");
  return {};
}

Result<void> check_response_for(const ResponseFor& r, const std::string& path) {
  if (auto ok = check_organ(r.organ_id, path + "/OrganId"); !ok) return ok;
  if (!r.promulgation_date.empty())
    if (auto ok = check_date(r.promulgation_date, path + "/PromulgationDate"); !ok) return ok;
  if (r.document_id.empty()) return fail(ErrorCode::kBadRequest, path + "/DocumentId: missing");
  return {};
}

#define EDXML_CHECK(expr)                    \
  do {                                       \
    if (auto ok_ = (expr); !ok_) return ok_; \
  } while (0)

Result<void> check_header(const MessageHeader& h) {
  EDXML_CHECK(check_organ(h.from.organ_id, "MessageHeader/From/OrganId"));
  if (h.to.empty()) return fail(ErrorCode::kBadRequest, "MessageHeader/To: at least one recipient");
  std::set<std::string_view> recipients;
  for (size_t i = 0; i < h.to.size(); ++i) {
    const std::string path = indexed("MessageHeader/To", i) + "/OrganId";
    EDXML_CHECK(check_organ(h.to[i].organ_id, path));
    if (!recipients.insert(h.to[i].organ_id).second)
      return fail(ErrorCode::kBadRequest,
                  path + ": " + quoted(h.to[i].organ_id) + " is already a recipient");
  }
  if (h.code.code_number.empty())
    return fail(ErrorCode::kBadRequest, "MessageHeader/Code/CodeNumber: missing");
  if (h.code.code_notation.empty())
    return fail(ErrorCode::kBadRequest, "MessageHeader/Code/CodeNotation: missing");
  EDXML_CHECK(check_date(h.promulgation_info.promulgation_date,
                         "MessageHeader/PromulgationInfo/PromulgationDate"));
  EDXML_CHECK(check_document_id(h));
  EDXML_CHECK(
      check_length(h.promulgation_info.place, kMaxPlace, "MessageHeader/PromulgationInfo/Place"));
  if (blank(h.subject)) return fail(ErrorCode::kBadRequest, "MessageHeader/Subject: missing");
  EDXML_CHECK(check_length(h.subject, kMaxSubject, "MessageHeader/Subject"));
  EDXML_CHECK(check_length(h.content, kMaxContent, "MessageHeader/Content"));
  if (!h.due_date.empty()) EDXML_CHECK(check_date(h.due_date, "MessageHeader/DueDate"));
  EDXML_CHECK(check_range(h.other_info.priority, 0, 4, "MessageHeader/OtherInfo/Priority"));
  for (size_t i = 0; i < h.other_info.appendixes.size(); ++i)
    EDXML_CHECK(check_length(h.other_info.appendixes[i], kMaxAppendix,
                             indexed("MessageHeader/OtherInfo/Appendixes/Appendix", i)));
  for (size_t i = 0; i < h.to_places.size(); ++i)
    EDXML_CHECK(
        check_length(h.to_places[i], kMaxPlace, indexed("MessageHeader/ToPlaces/Place", i)));
  for (size_t i = 0; i < h.response_for.size(); ++i)
    EDXML_CHECK(check_response_for(h.response_for[i], indexed("MessageHeader/ResponseFor", i)));
  return {};
}

Result<void> check_trace(const TraceHeaderList& t) {
  for (size_t i = 0; i < t.trace_headers.size(); ++i) {
    const std::string path = indexed("TraceHeaderList/TraceHeader", i);
    EDXML_CHECK(check_organ(t.trace_headers[i].organ_id, path + "/OrganId"));
    if (!is_edxml_timestamp(t.trace_headers[i].timestamp))
      return fail(ErrorCode::kBadRequest,
                  path + "/Timestamp: " + quoted(t.trace_headers[i].timestamp) +
                      " is not yyyy/MM/dd HH:mm:ss");
  }
  if (!t.bussiness) return {};
  const Bussiness& b = *t.bussiness;
  EDXML_CHECK(
      check_range(b.bussiness_doc_type, 0, 3, "TraceHeaderList/Bussiness/BussinessDocType"));
  if (b.bussiness_document_info) {
    const auto& receivers = b.bussiness_document_info->receiver_list;
    for (size_t i = 0; i < receivers.size(); ++i) {
      const std::string path =
          indexed("TraceHeaderList/Bussiness/BussinessDocumentInfo/ReceiverList/Receiver", i);
      EDXML_CHECK(check_range(receivers[i].receiver_type, 0, 1, path + "/ReceiverType"));
      EDXML_CHECK(check_organ(receivers[i].organ_id, path + "/OrganId"));
    }
  }
  for (size_t i = 0; i < b.replacement_info_list.size(); ++i) {
    const std::string path =
        indexed("TraceHeaderList/Bussiness/ReplacementInfoList/ReplacementInfo", i);
    const auto& organs = b.replacement_info_list[i].organ_id_list;
    for (size_t j = 0; j < organs.size(); ++j)
      EDXML_CHECK(check_organ(organs[j], indexed(path + "/OrganIdList/OrganId", j)));
  }
  return {};
}

// Every manifest Reference has exactly one attachment with its ContentId, and every
// attachment is in the manifest: an unlisted attachment would travel unannounced.
Result<void> check_attachments(const EdxmlMessage& m) {
  std::set<std::string_view> listed;
  for (size_t i = 0; i < m.manifest.size(); ++i) {
    const std::string path = indexed("edXMLManifest/Reference", i);
    const auto& ref = m.manifest[i];
    if (ref.content_id.empty()) return fail(ErrorCode::kBadRequest, path + "/ContentId: missing");
    if (!listed.insert(ref.content_id).second)
      return fail(ErrorCode::kBadRequest,
                  path + "/ContentId: " + quoted(ref.content_id) + " appears twice");
    EDXML_CHECK(check_length(ref.attachment_name, kMaxAttachmentName, path + "/AttachmentName"));
  }
  std::set<std::string_view> attached;
  for (size_t i = 0; i < m.attachments.size(); ++i) {
    const std::string path = indexed("AttachmentEncoded/Attachment", i);
    const auto& a = m.attachments[i];
    if (a.content_id.empty()) return fail(ErrorCode::kBadRequest, path + "/ContentId: missing");
    if (!attached.insert(a.content_id).second)
      return fail(ErrorCode::kBadRequest,
                  path + "/ContentId: " + quoted(a.content_id) + " appears twice");
    if (!listed.contains(a.content_id))
      return fail(ErrorCode::kBadRequest,
                  path + "/ContentId: " + quoted(a.content_id) + " is not in the manifest");
    EDXML_CHECK(check_length(a.attachment_name, kMaxAttachmentName, path + "/AttachmentName"));
  }
  for (size_t i = 0; i < m.manifest.size(); ++i)
    if (!attached.contains(m.manifest[i].content_id))
      return fail(ErrorCode::kBadRequest, indexed("edXMLManifest/Reference", i) +
                                              ": no attachment with ContentId " +
                                              quoted(m.manifest[i].content_id));
  return {};
}

}  // namespace

std::optional<size_t> utf8_length(std::string_view text) {
  size_t count = 0;
  for (size_t i = 0; i < text.size(); ++count) {
    const auto b = static_cast<unsigned char>(text[i]);
    size_t extra = 0;
    char32_t cp = 0;
    if (b < 0x80) {
      cp = b;
    } else if (b >= 0xC2 && b <= 0xDF) {
      extra = 1, cp = b & 0x1F;
    } else if (b >= 0xE0 && b <= 0xEF) {
      extra = 2, cp = b & 0x0F;
    } else if (b >= 0xF0 && b <= 0xF4) {
      extra = 3, cp = b & 0x07;
    } else {
      return std::nullopt;
    }
    if (extra > 0 && i + extra >= text.size()) return std::nullopt;
    for (size_t k = 1; k <= extra; ++k) {
      const auto c = static_cast<unsigned char>(text[i + k]);
      if ((c & 0xC0) != 0x80) return std::nullopt;
      cp = (cp << 6) | (c & 0x3F);
    }
    // Overlong forms, surrogates and code points past U+10FFFF are not UTF-8.
    if ((extra == 2 && cp < 0x800) || (extra == 3 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF))
      return std::nullopt;
    i += extra + 1;
  }
  return count;
}

bool is_edxml_date(std::string_view t) {
  if (t.size() != 10 || t[4] != '/' || t[7] != '/' || !digits(t.substr(0, 4)) ||
      !digits(t.substr(5, 2)) || !digits(t.substr(8, 2)))
    return false;
  const std::chrono::year_month_day ymd{
      std::chrono::year(number(t.substr(0, 4))),
      std::chrono::month(static_cast<unsigned>(number(t.substr(5, 2)))),
      std::chrono::day(static_cast<unsigned>(number(t.substr(8, 2))))};
  return ymd.ok();
}

bool is_edxml_timestamp(std::string_view t) {
  if (t.size() != 19 || t[10] != ' ' || t[13] != ':' || t[16] != ':' ||
      !is_edxml_date(t.substr(0, 10)) || !digits(t.substr(11, 2)) || !digits(t.substr(14, 2)) ||
      !digits(t.substr(17, 2)))
    return false;
  return number(t.substr(11, 2)) < 24 && number(t.substr(14, 2)) < 60 &&
         number(t.substr(17, 2)) < 60;
}

Result<void> validate(const EdxmlMessage& m) {
  EDXML_CHECK(check_header(m.header));
  EDXML_CHECK(check_trace(m.trace));
  return check_attachments(m);
}

Result<void> validate(const EdxmlStatus& s) {
  if (!is_status_code(s.status_code))
    return fail(ErrorCode::kBadRequest, "Status/StatusCode: " + quoted(s.status_code) +
                                            " is not a status code (01-06, 13, 15, 16)");
  EDXML_CHECK(check_response_for(s.response_for, "Status/ResponseFor"));
  EDXML_CHECK(check_organ(s.from.organ_id, "Status/From/OrganId"));
  if (!is_edxml_timestamp(s.timestamp))
    return fail(ErrorCode::kBadRequest,
                "Status/Timestamp: " + quoted(s.timestamp) + " is not yyyy/MM/dd HH:mm:ss");
  return {};
}

#undef EDXML_CHECK

}  // namespace lienthong::edxml
