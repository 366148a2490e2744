// How an OCSP request reaches its responder (RFC 6960 appendix A.1: HTTP POST of the DER
// request). An interface so crypto/ does not depend on libcurl; upstream/curl_ocsp_transport.h
// implements it, tests wrap it to count or replay exchanges.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "gateway/core/error.h"

namespace lienthong::crypto {

class OcspTransport {
 public:
  using Ptr = std::shared_ptr<OcspTransport>;
  virtual ~OcspTransport() = default;

  // POSTs `der_request` (Content-Type application/ocsp-request) to `url` and returns the DER
  // body of an HTTP 200 answer whose Content-Type is application/ocsp-response.
  // Errors: UPSTREAM_TIMEOUT when `timeout` passed; UPSTREAM_UNAVAILABLE when the responder
  // could not be reached or answered anything else (status, content type, oversized body);
  // BAD_REQUEST for a URL the transport refuses (not http/https).
  virtual Result<std::string> post(const std::string& url, std::string_view der_request,
                                   std::chrono::milliseconds timeout) = 0;
};

}  // namespace lienthong::crypto
