#include "gateway/upstream/upstream_config.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <string>

#include "tests/support/test_pki.h"

namespace lienthong::upstream {
namespace {

using namespace std::chrono_literals;
using lienthong::testing::pki_file;

UpstreamConfig good() {
  UpstreamConfig c;
  c.name = "population";
  c.base_url = "https://127.0.0.1:8443/api";
  c.ca_file = pki_file("ec", "root-ca.crt").string();
  c.client_certificate_file = pki_file("ec", "gateway-client.crt").string();
  c.client_key_file = pki_file("ec", "gateway-client.key").string();
  return c;
}

TEST(UpstreamConfig, DefaultsWithFilesAreValid) {
  auto ok = good().validate();
  EXPECT_TRUE(ok) << ok.error().detail;
}

TEST(UpstreamConfig, RefusesEachBadField) {
  const std::filesystem::path empty =
      std::filesystem::temp_directory_path() / ("lienthong-empty-" + std::to_string(getpid()));
  std::ofstream(empty).close();
  const struct {
    const char* what;
    std::function<void(UpstreamConfig&)> spoil;
  } cases[] = {
      {"name", [](UpstreamConfig& c) { c.name.clear(); }},
      {"base_url", [](UpstreamConfig& c) { c.base_url = "http://127.0.0.1:8080"; }},
      {"base_url", [](UpstreamConfig& c) { c.base_url = ""; }},
      {"base_url", [](UpstreamConfig& c) { c.base_url = "127.0.0.1:8443"; }},
      {"base_url", [](UpstreamConfig& c) { c.base_url = "https://user:pw@127.0.0.1"; }},
      {"base_url", [](UpstreamConfig& c) { c.base_url = "https://127.0.0.1/?a=1"; }},
      {"ca_file", [](UpstreamConfig& c) { c.ca_file.clear(); }},
      {"ca_file", [](UpstreamConfig& c) { c.ca_file = "/nonexistent/ca.pem"; }},
      {"ca_file", [&](UpstreamConfig& c) { c.ca_file = empty.string(); }},
      {"client_certificate_file", [](UpstreamConfig& c) { c.client_certificate_file.clear(); }},
      {"client_key_file", [](UpstreamConfig& c) { c.client_key_file.clear(); }},
      {"connect_timeout", [](UpstreamConfig& c) { c.connect_timeout = 0ms; }},
      {"request_timeout", [](UpstreamConfig& c) { c.request_timeout = -1ms; }},
      {"max_attempts", [](UpstreamConfig& c) { c.max_attempts = 0; }},
      {"max_attempts", [](UpstreamConfig& c) { c.max_attempts = 11; }},
      {"backoff", [](UpstreamConfig& c) { c.retry_backoff_max = c.retry_backoff_min - 1ms; }},
      {"retry_budget_ratio", [](UpstreamConfig& c) { c.retry_budget_ratio = 1.5; }},
      {"retry_budget_ratio", [](UpstreamConfig& c) { c.retry_budget_ratio = -0.1; }},
      {"retry_budget_ratio",
       [](UpstreamConfig& c) { c.retry_budget_ratio = std::numeric_limits<double>::quiet_NaN(); }},
      {"retry_budget_min_per_second",
       [](UpstreamConfig& c) { c.retry_budget_min_per_second = -1; }},
      {"breaker_failure_threshold", [](UpstreamConfig& c) { c.breaker_failure_threshold = 0; }},
      {"breaker_open_for", [](UpstreamConfig& c) { c.breaker_open_for = 0ms; }},
      {"max_connections", [](UpstreamConfig& c) { c.max_connections = 0; }},
      {"max_response_bytes", [](UpstreamConfig& c) { c.max_response_bytes = 0; }},
      {"max_queued", [](UpstreamConfig& c) { c.max_queued = 0; }},
  };
  for (const auto& bad : cases) {
    UpstreamConfig c = good();
    bad.spoil(c);
    auto result = c.validate();
    ASSERT_FALSE(result) << bad.what;
    EXPECT_EQ(result.error().code, ErrorCode::kBadRequest);
  }
  std::filesystem::remove(empty);
}

TEST(HttpsOrigin, MakesThePortExplicitAndLowercasesTheHost) {
  EXPECT_EQ(https_origin("https://Example.ORG/a?b=1").value(), "https://example.org:443");
  EXPECT_EQ(https_origin("https://127.0.0.1:8443").value(), "https://127.0.0.1:8443");
  EXPECT_FALSE(https_origin("http://example.org"));
  EXPECT_FALSE(https_origin("https://u:p@example.org"));
  EXPECT_FALSE(https_origin("/relative"));
  EXPECT_FALSE(https_origin("https://exa mple.org/"));
}

}  // namespace
}  // namespace lienthong::upstream
