#include "adapters/rest/signed_rest_config.h"

#include <fmt/format.h>

#include <cctype>

#include "gateway/crypto/key_material.h"
#include "gateway/crypto/trust_store.h"
#include "gateway/upstream/curl_http_client.h"

namespace lienthong::adapters::rest {
namespace {

using std::chrono::milliseconds;

// token_url: absolute on the lookup's own origin (one client, one mTLS identity), or a path
// there ("/token").
Result<std::string> resolve_token_url(const std::string& url, const std::string& token_url,
                                      std::string_view where) {
  auto origin = upstream::https_origin(url);
  if (!origin) return tl::unexpected(origin.error());
  if (!token_url.empty() && token_url.front() == '/') return *origin + token_url;
  auto token_origin = upstream::https_origin(token_url);
  if (!token_origin || *token_origin != *origin) {
    return fail(
        ErrorCode::kBadRequest,
        fmt::format("{}: token_url must be a path or an https URL on url's host and port", where));
  }
  return token_url;
}

}  // namespace

Result<std::string> read_secret(config::TableReader& r, std::string_view where,
                                std::string_view inline_key, std::string_view file_key) {
  auto inline_value = r.string(inline_key);
  auto file = r.path(file_key);
  if (inline_value && file) {
    return fail(ErrorCode::kBadRequest,
                fmt::format("{}: give {} or {}, not both", where, inline_key, file_key));
  }
  if (!file) return inline_value.value_or("");
  auto text = crypto::read_file(*file, 4096);
  if (!text) return tl::unexpected(text.error());
  std::string s = *text;
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  return s;
}

void read_upstream_limits(config::TableReader& r, upstream::UpstreamConfig& up) {
  if (auto v = r.integer("connect_timeout_ms", 10, 60'000)) up.connect_timeout = milliseconds(*v);
  if (auto v = r.integer("timeout_ms", 10, 300'000)) up.request_timeout = milliseconds(*v);
  if (auto v = r.integer("max_attempts", 1, 5)) up.max_attempts = static_cast<int>(*v);
  if (auto v = r.integer("max_connections", 1, 10'000)) up.max_connections = *v;
  if (auto v = r.integer("breaker_failures", 1, 1000))
    up.breaker_failure_threshold = static_cast<int>(*v);
  if (auto v = r.integer("breaker_open_ms", 100, 600'000)) up.breaker_open_for = milliseconds(*v);
}

void read_upstream_tls(config::TableReader& r, upstream::UpstreamConfig& up) {
  up.ca_file = r.path("upstream_ca", true).value_or("").string();
  up.client_certificate_file = r.path("client_certificate", true).value_or("").string();
  up.client_key_file = r.path("client_key", true).value_or("").string();
}

Result<std::shared_ptr<const crypto::XmlDsigVerifier>> xml_signer_verifier(
    const std::filesystem::path& signer_trust, Clock::Ptr clock, crypto::XmlLimits limits) {
  auto trust = crypto::X509TrustStore::from_directory(signer_trust);
  if (!trust) return tl::unexpected(trust.error());
  crypto::XmlVerifierConfig vc;
  vc.policy = &crypto::SignaturePolicy::strict();
  vc.trust = *trust;
  vc.clock = std::move(clock);
  vc.limits = limits;
  return crypto::XmlDsigVerifier::create(std::move(vc));
}

Result<SignedRestAdapterParts> read_signed_rest_config(const toml::table& table,
                                                       std::string_view name,
                                                       const AdapterContext& context) {
  const std::string where = fmt::format("[adapters.{}]", name);
  config::TableReader r(table, where, context.config_dir);
  auto cfg = std::make_shared<SignedRestConfig>();
  cfg->name = std::string(name);
  upstream::UpstreamConfig up;
  up.name = cfg->name;
  cfg->url = r.string("url", true).value_or("");
  up.base_url = cfg->url;
  upstream::TokenConfig tokens;
  const std::string token_url = r.string("token_url", true).value_or("");
  tokens.client_id = r.string("client_id", true).value_or("");
  auto secret = read_secret(r, where, "client_secret", "client_secret_file");
  if (auto v = r.integer("token_refresh_margin_s", 0, 3600))
    tokens.refresh_margin = std::chrono::seconds(*v);
  auto mapping_path = r.path("mapping", true);
  read_upstream_tls(r, up);
  auto signer_trust = r.path("signer_trust", true);
  cfg->trusted_signers = r.strings("trusted_signers", true);
  if (auto v = r.integer("max_answer_bytes", 1024, 16 << 20))
    cfg->max_answer_bytes = static_cast<std::size_t>(*v);
  if (auto v = r.integer("max_json_depth", 4, 64))
    cfg->max_json_depth = static_cast<std::size_t>(*v);
  read_upstream_limits(r, up);
  if (auto ok = r.finish(); !ok) return tl::unexpected(ok.error());
  if (!secret) return tl::unexpected(secret.error());
  if (secret->empty()) {
    return fail(ErrorCode::kBadRequest,
                fmt::format("{}: client_secret or client_secret_file is required", where));
  }
  tokens.client_secret = std::move(*secret);
  if (tokens.client_id.empty())
    return fail(ErrorCode::kBadRequest, fmt::format("{}: client_id must not be empty", where));
  if (auto ok = cfg->validate(); !ok) return tl::unexpected(ok.error());
  auto resolved = resolve_token_url(cfg->url, token_url, where);
  if (!resolved) return tl::unexpected(resolved.error());
  tokens.token_url = std::move(*resolved);
  // The whole answer is read into memory; the client refuses a larger one before it is.
  up.max_response_bytes = cfg->max_answer_bytes;

  auto mapping = exchange::JsonMapping::load(mapping_path->string());
  if (!mapping) return tl::unexpected(mapping.error());

  // Who may sign answers: x5c chains must validate to the upstream trust directory (CRLs are
  // checked whenever present); trusted_signers then narrows it to the upstream itself.
  auto trust = crypto::X509TrustStore::from_directory(*signer_trust);
  if (!trust) return tl::unexpected(trust.error());
  crypto::JwsVerifierConfig vc;
  vc.trust = *trust;
  vc.clock = context.clock;
  auto verifier = crypto::OpenSslJwsVerifier::create(std::move(vc));
  if (!verifier) return tl::unexpected(verifier.error());

  auto http = upstream::CurlHttpClient::create(std::move(up), context.clock);
  if (!http) return tl::unexpected(http.error());
  auto token_source = upstream::BearerTokenSource::create(*http, std::move(tokens), context.clock);

  auto call = SignedJsonCall::create(
      SignedJsonParts{cfg, *http, std::move(token_source), *verifier, context.executor});
  if (!call) return tl::unexpected(call.error());
  return SignedRestAdapterParts{std::move(*call), std::move(*mapping), context.clock};
}

}  // namespace lienthong::adapters::rest
