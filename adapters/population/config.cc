#include "adapters/population/config.h"

#include <fmt/format.h>

#include "adapters/population/adapter.h"
#include "adapters/rest/signed_rest_config.h"
#include "gateway/app/config_reader.h"
#include "gateway/crypto/key_material.h"
#include "gateway/crypto/trust_store.h"
#include "gateway/crypto/xml_verifier.h"
#include "gateway/upstream/curl_http_client.h"

namespace lienthong::adapters::population {

Result<exchange::Adapter::Ptr> build_from_config(const toml::table& table,
                                                 const AdapterContext& context) {
  config::TableReader r(table, "[adapters.population]", context.config_dir);
  auto cfg = std::make_shared<PopulationConfig>();
  upstream::UpstreamConfig up;
  up.name = "population";
  cfg->url = r.string("url", true).value_or("");
  up.base_url = cfg->url;
  auto mapping_path = r.path("mapping", true);
  rest::read_upstream_tls(r, up);
  auto signer_trust = r.path("signer_trust", true);
  cfg->trusted_signers = r.strings("trusted_signers", true);
  cfg->username = r.string("username", true).value_or("");
  auto secret = rest::read_secret(r, "[adapters.population]", "secret", "secret_file");
  cfg->api_key = r.string("api_key", true).value_or("");
  cfg->auth_url = r.string("auth_url").value_or(cfg->auth_url);
  cfg->x_road_client = r.string("x_road_client", true).value_or("");
  cfg->ma_dvc = r.string("ma_dvc", true).value_or("");
  rest::read_upstream_limits(r, up);
  if (auto ok = r.finish(); !ok) return tl::unexpected(ok.error());
  if (!secret) return tl::unexpected(secret.error());
  cfg->secret = *secret;
  if (auto ok = cfg->validate(); !ok) return tl::unexpected(ok.error());

  auto mapping = exchange::XmlMapping::load(mapping_path->string());
  if (!mapping) return tl::unexpected(mapping.error());

  // Who may sign answers: the upstream trust directory; trusted_signers narrows it further.
  auto verifier = rest::xml_signer_verifier(*signer_trust, context.clock);
  if (!verifier) return tl::unexpected(verifier.error());

  auto http = upstream::CurlHttpClient::create(std::move(up), context.clock);
  if (!http) return tl::unexpected(http.error());

  PopulationParts parts{cfg, *http, *verifier, *mapping, context.executor, context.clock};
  auto adapter = PopulationAdapter::create(std::move(parts));
  if (!adapter) return tl::unexpected(adapter.error());
  return exchange::Adapter::Ptr(*adapter);
}

}  // namespace lienthong::adapters::population
