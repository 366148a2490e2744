#include "gateway/front/http/answer_json.h"

#include <nlohmann/json.hpp>

namespace lienthong::front::http {

// A JSON string body, escaped: runs of plain bytes are copied in one append. The envelope is
// kilobytes of XML and nlohmann's serializer escapes byte by byte; the answer's JSON is
// otherwise small. The input is valid UTF-8 (the envelope was written and checked by the
// gateway), so bytes >= 0x80 pass through unchanged.
void append_json_string(std::string_view in, std::string& out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.reserve(out.size() + in.size() + 2);
  out += '"';
  size_t run = 0;
  for (size_t i = 0; i < in.size(); ++i) {
    const auto c = static_cast<unsigned char>(in[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(in.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        out += "\\u00";
        out += kHex[c >> 4];
        out += kHex[c & 15];
    }
  }
  out.append(in.data() + run, in.size() - run);
  out += '"';
}

std::string lookup_json(const LookupResponse& response, std::string_view request_id) {
  const VerifiedRecord& record = response.record;
  nlohmann::json fields = nlohmann::json::object();
  for (const auto& [name, value] : record.fields) fields[name] = value;
  const nlohmann::json doc = {
      {"requestId", std::string(request_id)},
      {"record",
       {
           {"code", record.code},
           {"subjectId", record.subject},
           {"documentType", record.doc_type},
           {"fields", std::move(fields)},
           {"source", record.source},
           {"verifiedAt", format_utc_time(record.verified_at)},
           {"expiresAt", format_utc_time(record.expires_at)},
       }},
      {"fromCache", response.from_cache},
  };
  // `replace`: a record is UTF-8 by the time it is verified; should a byte slip through, the
  // answer still goes out instead of an exception on the request path.
  std::string out = doc.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  // Keys are in name order; "signedEnvelope" comes last.
  out.pop_back();  // the closing brace
  out += ",\"signedEnvelope\":";
  append_json_string(response.envelope, out);
  out += '}';
  return out;
}

}  // namespace lienthong::front::http
