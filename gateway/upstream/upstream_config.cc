#include "gateway/upstream/upstream_config.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <memory>
#include <optional>
#include <system_error>
#include <utility>

namespace lienthong::upstream {
namespace {

struct UrlDeleter {
  void operator()(CURLU* url) const { curl_url_cleanup(url); }
};
using UrlPtr = std::unique_ptr<CURLU, UrlDeleter>;

// One component of a parsed URL, or nullopt when the URL has none.
std::optional<std::string> url_part(CURLU* url, CURLUPart part, unsigned flags = 0) {
  char* value = nullptr;
  if (curl_url_get(url, part, &value, flags) != CURLUE_OK || value == nullptr) return std::nullopt;
  std::string out(value);
  curl_free(value);
  return out;
}

Result<void> check_pem_file(const char* field, const std::string& path) {
  if (path.empty()) return fail(ErrorCode::kBadRequest, std::string(field) + " is required");
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec)
    return fail(ErrorCode::kBadRequest, std::string(field) + " " + path + ": " + ec.message());
  if (size == 0) return fail(ErrorCode::kBadRequest, std::string(field) + " " + path + " is empty");
  return {};
}

}  // namespace

Result<std::string> https_origin(const std::string& url) {
  UrlPtr parsed(curl_url());
  if (!parsed) return fail(ErrorCode::kInternal, "out of memory parsing a URL");
  if (curl_url_set(parsed.get(), CURLUPART_URL, url.c_str(), 0) != CURLUE_OK)
    return fail(ErrorCode::kBadRequest, "malformed URL");
  const auto scheme = url_part(parsed.get(), CURLUPART_SCHEME);
  if (!scheme || *scheme != "https") return fail(ErrorCode::kBadRequest, "URL is not https");
  // Credentials in a URL end up in logs and process listings; mTLS is the authentication.
  if (url_part(parsed.get(), CURLUPART_USER) || url_part(parsed.get(), CURLUPART_PASSWORD))
    return fail(ErrorCode::kBadRequest, "URL carries user credentials");
  auto host = url_part(parsed.get(), CURLUPART_HOST);
  if (!host || host->empty()) return fail(ErrorCode::kBadRequest, "URL has no host");
  std::transform(host->begin(), host->end(), host->begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  const auto port = url_part(parsed.get(), CURLUPART_PORT, CURLU_DEFAULT_PORT);
  return "https://" + *host + ":" + port.value_or("443");
}

Result<void> UpstreamConfig::validate() const {
  const auto bad = [this](const std::string& what) {
    return fail(ErrorCode::kBadRequest, "upstream '" + name + "': " + what);
  };
  if (name.empty()) return fail(ErrorCode::kBadRequest, "upstream name is required");
  if (auto origin = https_origin(base_url); !origin)
    return bad("base_url: " + origin.error().detail);
  if (base_url.find_first_of("?#") != std::string::npos)
    return bad("base_url must not carry a query or fragment");
  for (const auto& [field, path] : {std::pair{"ca_file", &ca_file},
                                    std::pair{"client_certificate_file", &client_certificate_file},
                                    std::pair{"client_key_file", &client_key_file}}) {
    if (auto ok = check_pem_file(field, *path); !ok) return bad(ok.error().detail);
  }
  if (connect_timeout.count() <= 0) return bad("connect_timeout must be positive");
  if (request_timeout.count() <= 0) return bad("request_timeout must be positive");
  if (max_attempts < 1 || max_attempts > 10) return bad("max_attempts must be 1..10");
  if (retry_backoff_min.count() < 0 || retry_backoff_max < retry_backoff_min)
    return bad("retry backoff needs 0 <= retry_backoff_min <= retry_backoff_max");
  if (!(retry_budget_ratio >= 0.0 && retry_budget_ratio <= 1.0))  // also refuses NaN
    return bad("retry_budget_ratio must be in [0, 1]");
  if (retry_budget_min_per_second < 0) return bad("retry_budget_min_per_second must be >= 0");
  if (breaker_failure_threshold < 1) return bad("breaker_failure_threshold must be >= 1");
  if (breaker_open_for.count() <= 0) return bad("breaker_open_for must be positive");
  if (max_connections < 1) return bad("max_connections must be >= 1");
  if (max_response_bytes == 0) return bad("max_response_bytes must be >= 1");
  if (max_queued == 0) return bad("max_queued must be >= 1");
  return {};
}

}  // namespace lienthong::upstream
