#include "adapters/population/config.h"

#include <fmt/format.h>

#include "adapters/population/adapter.h"
#include "gateway/app/config_reader.h"
#include "gateway/crypto/key_material.h"
#include "gateway/crypto/trust_store.h"
#include "gateway/crypto/xml_verifier.h"
#include "gateway/upstream/curl_http_client.h"

namespace lienthong::adapters::population {
namespace {

Result<std::string> secret_from(config::TableReader& r, std::string_view inline_key,
                                std::string_view file_key) {
  auto inline_value = r.string(inline_key);
  auto file = r.path(file_key);
  if (inline_value && file) {
    return fail(ErrorCode::kBadRequest,
                fmt::format("[adapters.population]: give {} or {}, not both", inline_key, file_key));
  }
  if (file) {
    auto text = crypto::read_file(*file, 4096);
    if (!text) return tl::unexpected(text.error());
    std::string s = *text;
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
    return s;
  }
  return inline_value.value_or("");
}

}  // namespace

Result<exchange::Adapter::Ptr> build_from_config(const toml::table& table,
                                                 const AdapterContext& context) {
  config::TableReader r(table, "[adapters.population]", context.config_dir);
  auto cfg = std::make_shared<PopulationConfig>();
  upstream::UpstreamConfig up;
  up.name = "population";
  cfg->url = r.string("url", true).value_or("");
  up.base_url = cfg->url;
  auto mapping_path = r.path("mapping", true);
  up.ca_file = r.path("upstream_ca", true).value_or("").string();
  up.client_certificate_file = r.path("client_certificate", true).value_or("").string();
  up.client_key_file = r.path("client_key", true).value_or("").string();
  auto signer_trust = r.path("signer_trust", true);
  cfg->trusted_signers = r.strings("trusted_signers", true);
  cfg->username = r.string("username", true).value_or("");
  auto secret = secret_from(r, "secret", "secret_file");
  cfg->api_key = r.string("api_key", true).value_or("");
  cfg->auth_url = r.string("auth_url").value_or(cfg->auth_url);
  cfg->x_road_client = r.string("x_road_client", true).value_or("");
  cfg->ma_dvc = r.string("ma_dvc", true).value_or("");
  if (auto v = r.integer("connect_timeout_ms", 10, 60'000)) up.connect_timeout = std::chrono::milliseconds(*v);
  if (auto v = r.integer("timeout_ms", 10, 300'000)) up.request_timeout = std::chrono::milliseconds(*v);
  if (auto v = r.integer("max_attempts", 1, 5)) up.max_attempts = static_cast<int>(*v);
  if (auto v = r.integer("max_connections", 1, 10'000)) up.max_connections = *v;
  if (auto v = r.integer("breaker_failures", 1, 1000)) up.breaker_failure_threshold = static_cast<int>(*v);
  if (auto v = r.integer("breaker_open_ms", 100, 600'000)) up.breaker_open_for = std::chrono::milliseconds(*v);
  if (auto ok = r.finish(); !ok) return tl::unexpected(ok.error());
  if (!secret) return tl::unexpected(secret.error());
  cfg->secret = *secret;
  if (auto ok = cfg->validate(); !ok) return tl::unexpected(ok.error());

  auto mapping = exchange::XmlMapping::load(mapping_path->string());
  if (!mapping) return tl::unexpected(mapping.error());

  // Who may sign answers: the upstream trust directory (CRLs required there would be stricter;
  // the national CA publishes them, so they are checked whenever present).
  auto material = crypto::TrustMaterial::from_directory(*signer_trust);
  if (!material) return tl::unexpected(material.error());
  auto trust = crypto::X509TrustStore::create(std::move(*material));
  if (!trust) return tl::unexpected(trust.error());
  crypto::XmlVerifierConfig vc;
  vc.policy = &crypto::SignaturePolicy::strict();
  vc.trust = *trust;
  vc.clock = context.clock;
  auto verifier = crypto::XmlDsigVerifier::create(std::move(vc));
  if (!verifier) return tl::unexpected(verifier.error());

  auto http = upstream::CurlHttpClient::create(std::move(up), context.clock);
  if (!http) return tl::unexpected(http.error());

  PopulationParts parts{cfg, *http, *verifier, *mapping, context.executor, context.clock};
  auto adapter = PopulationAdapter::create(std::move(parts));
  if (!adapter) return tl::unexpected(adapter.error());
  return exchange::Adapter::Ptr(*adapter);
}

}  // namespace lienthong::adapters::population
