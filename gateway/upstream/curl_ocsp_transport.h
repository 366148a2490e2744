// OcspTransport on libcurl (RFC 6960 appendix A.1: HTTP POST, application/ocsp-request).
//
// A blocking easy handle per call, on purpose: OCSP answers are cached and refreshed ahead of
// expiry off the request path (crypto/ocsp_checker.h), so a fetch rarely has a request
// waiting on it, and the multi-interface client (curl_http_client.h) is built for HTTPS
// upstreams with mTLS, not for plain-HTTP responders named by certificates. The answer is
// signed, so http:// is fine; https:// uses the system trust store. No redirects, no proxy
// from the environment, at most max_response_bytes, Content-Type application/ocsp-response.
#pragma once

#include <cstddef>

#include "gateway/crypto/ocsp_transport.h"

namespace lienthong::upstream {

class CurlOcspTransport final : public crypto::OcspTransport {
 public:
  static constexpr std::size_t kDefaultMaxResponseBytes = 64 * 1024;

  explicit CurlOcspTransport(std::size_t max_response_bytes = kDefaultMaxResponseBytes)
      : max_response_bytes_(max_response_bytes) {}

  Result<std::string> post(const std::string& url, std::string_view der_request,
                           std::chrono::milliseconds timeout) override;

 private:
  std::size_t max_response_bytes_;
};

}  // namespace lienthong::upstream
