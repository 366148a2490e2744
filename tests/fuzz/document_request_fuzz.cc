// Fuzz target for the HTTPS front's document routes (issue 6): the request line's target (the
// percent-encoded DocumentId, the received list's query), the media type and the body (the
// status update's JSON) through DocumentRoutes::handle, with a fake DocumentService and the
// calls run inline. Input: byte 0 picks the method and the Content-Type, then the target up to
// the first '\n', then the body.
//
// Invariants: nothing escapes or crashes; exactly one answer (now, or through respond); a status
// between 200 and 599; a refusal is a problem document; a success means the service was asked.
#include <cstdint>
#include <cstdlib>
#include <exception>
#include <string>
#include <string_view>

#include "gateway/front/http/document_routes.h"
#include "tests/fuzz/fuzz_check.h"
#include "tests/unit/front/fake_document_service.h"

namespace {

using namespace lienthong;
namespace bhttp = boost::beast::http;

constexpr const char* kFuzzTarget = "document_request_fuzz";

void run(std::string_view input) {
  if (input.size() < 2) return;
  const unsigned char selector = static_cast<unsigned char>(input[0]);
  input.remove_prefix(1);
  const size_t newline = input.find('\n');
  const std::string_view target = input.substr(0, newline);
  const std::string_view body =
      newline == std::string_view::npos ? std::string_view() : input.substr(newline + 1);
  if (target.empty() || target.front() != '/') return;  // Beast never hands such a target on

  static constexpr bhttp::verb kMethods[] = {bhttp::verb::get, bhttp::verb::post, bhttp::verb::put,
                                             bhttp::verb::delete_};
  static constexpr const char* kTypes[] = {"application/xml", "application/json",
                                           "application/json; charset=latin1", "text/plain"};
  front::http::Request request{kMethods[selector % 4], std::string(target), 11};
  request.set(bhttp::field::content_type, kTypes[(selector >> 2) % 4]);
  if (selector & 0x10) request.set("X-Client-Request-Id", std::string(body.substr(0, 80)));
  request.body() = std::string(body);
  request.prepare_payload();

  auto service = std::make_shared<lienthong::testing::FakeDocumentService>();
  front::http::DocumentRoutes routes(service, std::make_shared<InlineExecutor>());
  Member member;
  member.organ_code = "000.00.00.G22";
  const std::string_view path = target.substr(0, target.find('?'));
  if (!front::http::is_documents_path(path)) return;

  int answers = 0;
  front::http::Response response;
  auto now = routes.handle(request, path, "fuzz-request", member,
                           [&](front::http::Handler::Deferred deferred) {
                             ++answers;
                             response = deferred();
                           });
  if (now) {
    ++answers;
    response = std::move(*now);
  }
  FUZZ_CHECK(answers == 1, "exactly one answer");
  const unsigned status = response.result_int();
  FUZZ_CHECK(status >= 200 && status < 600, "status range");
  if (status >= 400) {
    FUZZ_CHECK(response[bhttp::field::content_type] == "application/problem+json",
               "refusals are problem documents");
  } else {
    FUZZ_CHECK(!service->calls().empty(), "a success means the service was asked");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    run(std::string_view(reinterpret_cast<const char*>(data), size));
  } catch (const std::exception& e) {
    lienthong::fuzz::violated(kFuzzTarget, e.what(), "exception escaped");
  }
  return 0;
}
