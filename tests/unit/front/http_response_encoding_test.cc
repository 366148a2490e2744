#include "gateway/front/http/response_encoding.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace lienthong::front::http {
namespace {

TEST(ResponseEncoding, JsonStringEscapingMatchesNlohmann) {
  const std::string cases[] = {
      "",
      "plain ASCII",
      "<LookupResponse xmlns=\"urn:lienthong:exchange:1\" RequestId=\"a\\b\">Nguyễn</LookupResponse>",
      std::string("ctl \x01\x1f\t\r\n end"),
      "\"\"\\\\",
      "Trịnh Thu Huyền — phường Ba Đình",
      std::string(5000, 'x') + "\"" + std::string(5000, 'y'),
  };
  for (const auto& s : cases) {
    std::string out;
    append_json_string(s, out);
    EXPECT_EQ(out, nlohmann::json(s).dump()) << s.substr(0, 60);
    EXPECT_EQ(nlohmann::json::parse(out).get<std::string>(), s);
  }
}

TEST(ResponseEncoding, LookupJsonCarriesEveryMemberAndTheEnvelopeLast) {
  LookupResponse r;
  r.request_id = "req";
  r.record.code = "026092008262.CD01";
  r.record.subject = "026092008262";
  r.record.doc_type = "CD01";
  r.record.fields = {{"ho_va_ten", "Nguyễn \"An\""}};
  r.record.source = "population";
  r.from_cache = true;
  r.envelope = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<LookupResponse/>";
  const std::string text = lookup_json(r, "req-1");
  const auto j = nlohmann::json::parse(text);
  EXPECT_EQ(j["requestId"], "req-1");
  EXPECT_EQ(j["fromCache"], true);
  EXPECT_EQ(j["record"]["fields"]["ho_va_ten"], "Nguyễn \"An\"");
  EXPECT_EQ(j["signedEnvelope"], r.envelope);
  EXPECT_EQ(j.size(), 4u);
  EXPECT_EQ(text.back(), '}');
}

}  // namespace
}  // namespace lienthong::front::http
