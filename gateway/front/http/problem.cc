#include "gateway/front/http/problem.h"

#include <nlohmann/json.hpp>

namespace lienthong::front::http {

std::string problem_body(const Error& error, std::string_view request_id, int status) {
  const std::string code(error_code_name(error.code));
  const nlohmann::json doc = {
      {"type", "urn:lienthong:error:" + code},
      {"title", code},
      {"status", status != 0 ? status : http_status(error.code)},
      {"detail", error.detail},
      {"code", code},
      {"requestId", std::string(request_id)},
  };
  // `replace`: a detail is never allowed to turn an answer into an exception.
  return doc.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Response problem_response(const Error& error, std::string_view request_id, int status) {
  const int effective = status != 0 ? status : http_status(error.code);
  Response res{static_cast<bhttp::status>(effective), 11};
  res.set(bhttp::field::content_type, to_beast(kProblemContentType));
  res.body() = problem_body(error, request_id, effective);
  return res;
}

}  // namespace lienthong::front::http
