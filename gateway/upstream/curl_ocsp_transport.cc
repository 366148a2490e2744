#include "gateway/upstream/curl_ocsp_transport.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <memory>
#include <string_view>

namespace lienthong::upstream {

namespace {

// libcurl's process-wide state, initialised once (never cleaned up: see curl_http_client.cc).
bool curl_ready() {
  static const bool ready = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
  return ready;
}

struct EasyDeleter {
  void operator()(CURL* easy) const { curl_easy_cleanup(easy); }
};
struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

struct Body {
  std::string data;
  std::size_t max = 0;
  bool too_large = false;
};

// One byte over the limit aborts the transfer (CURLE_WRITE_ERROR; too_large says why).
size_t on_body(char* data, size_t size, size_t count, void* user) {
  auto* body = static_cast<Body*>(user);
  const size_t bytes = size * count;
  if (bytes > body->max - body->data.size()) {
    body->too_large = true;
    return 0;
  }
  body->data.append(data, bytes);
  return bytes;
}

// "application/ocsp-response" exactly, ignoring case and parameters.
bool is_ocsp_response_type(const char* content_type) {
  if (content_type == nullptr) return false;
  std::string_view type(content_type);
  type = type.substr(0, type.find(';'));
  while (!type.empty() && std::isspace(static_cast<unsigned char>(type.back())))
    type.remove_suffix(1);
  constexpr std::string_view expected = "application/ocsp-response";
  return type.size() == expected.size() &&
         std::equal(type.begin(), type.end(), expected.begin(), [](char a, char b) {
           return std::tolower(static_cast<unsigned char>(a)) == b;
         });
}

}  // namespace

Result<std::string> CurlOcspTransport::post(const std::string& url, std::string_view der_request,
                                            std::chrono::milliseconds timeout) {
  if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0)
    return fail(ErrorCode::kBadRequest, "OCSP responder URL '" + url + "' is not http(s)");
  if (!curl_ready()) return fail(ErrorCode::kInternal, "libcurl initialisation failed");
  std::unique_ptr<CURL, EasyDeleter> easy(curl_easy_init());
  if (!easy) return fail(ErrorCode::kInternal, "curl_easy_init failed");

  std::unique_ptr<curl_slist, SlistDeleter> headers;
  for (const char* header :
       {"Content-Type: application/ocsp-request", "Accept: application/ocsp-response"}) {
    curl_slist* next = curl_slist_append(headers.get(), header);
    if (next == nullptr) return fail(ErrorCode::kInternal, "curl_slist_append failed");
    headers.release();
    headers.reset(next);
  }

  Body body;
  body.max = max_response_bytes_;
  char error[CURL_ERROR_SIZE] = {};
  CURL* h = easy.get();
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_POST, 1L);
  curl_easy_setopt(h, CURLOPT_POSTFIELDS, der_request.data());
  curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(der_request.size()));
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);  // timeouts without SIGALRM (threads)
  curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(h, CURLOPT_PROXY, "");         // never an environment proxy
  curl_easy_setopt(h, CURLOPT_FORBID_REUSE, 1L);  // one exchange per connection
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &body);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error);

  const CURLcode code = curl_easy_perform(h);
  if (code == CURLE_OPERATION_TIMEDOUT)
    return fail(ErrorCode::kUpstreamTimeout,
                "no answer from " + url + " within " + std::to_string(timeout.count()) + " ms");
  if (body.too_large)
    return fail(ErrorCode::kUpstreamUnavailable,
                url + " answered more than " + std::to_string(max_response_bytes_) + " bytes");
  if (code != CURLE_OK)
    return fail(
        ErrorCode::kUpstreamUnavailable,
        "cannot reach " + url + ": " + (error[0] != '\0' ? error : curl_easy_strerror(code)));

  long status = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  if (status != 200)
    return fail(ErrorCode::kUpstreamUnavailable,
                url + " answered HTTP " + std::to_string(status) + " instead of 200");
  const char* content_type = nullptr;
  curl_easy_getinfo(h, CURLINFO_CONTENT_TYPE, &content_type);
  if (!is_ocsp_response_type(content_type))
    return fail(ErrorCode::kUpstreamUnavailable,
                url + " answered Content-Type '" +
                    std::string(content_type != nullptr ? content_type : "") +
                    "' instead of application/ocsp-response");
  return std::move(body.data);
}

}  // namespace lienthong::upstream
