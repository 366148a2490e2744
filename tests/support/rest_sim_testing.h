// For tests of the JWS-signed REST adapters against their SIMULATORs in process:
//  - SimHttpClient, an upstream::HttpClient that hands each request to a simulator's SimHandler
//    (no sockets, no TLS) and answers at once on the caller's thread, so an adapter meets the
//    simulator's real wire (tokens, headers, signed answers). `tamper` may change a reply before
//    the adapter sees it; `requests` keeps every request sent;
//  - detached_jws_signer(), the signer lienthong-sim gives its REST simulators (sim.cc);
//  - test_parts(), the parts read_signed_rest_config() would build, over a given client.
// Header-only: only test targets include it (they link the simulators' libraries).
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "adapters/rest/signed_rest_config.h"
#include "adapters/sim/rest_controls.h"
#include "adapters/sim/sim_server.h"
#include "gateway/crypto/jws_signer.h"
#include "gateway/upstream/http_client.h"

namespace lienthong::adapters::rest {

class SimHttpClient final : public upstream::HttpClient {
 public:
  explicit SimHttpClient(std::shared_ptr<sim::SimHandler> handler) : handler_(std::move(handler)) {}

  void send(upstream::HttpRequest request, upstream::ResponseCallback done) override {
    namespace http = boost::beast::http;
    requests.push_back(request);
    if (fail_with) return done(tl::unexpected(*fail_with));
    // "https://host:port/path?query" → "/path?query".
    std::string target = request.url;
    if (const size_t scheme = target.find("://"); scheme != std::string::npos) {
      const size_t path = target.find('/', scheme + 3);
      target = path == std::string::npos ? "/" : target.substr(path);
    }
    sim::HttpRequest r{http::string_to_verb(request.method), target, 11};
    for (const auto& [name, value] : request.headers) r.set(name, value);
    r.body() = request.body;
    r.prepare_payload();
    sim::SimReply reply = handler_->handle(r, /*from_loopback=*/false);
    if (tamper) tamper(target, reply);
    upstream::HttpResponse response;
    response.status = reply.status;
    response.content_type = reply.content_type;
    response.body = std::move(reply.body);
    response.headers = std::move(reply.headers);
    done(std::move(response));
  }
  std::string breaker_state() const override { return "closed"; }

  // Requests whose target starts with `path`.
  size_t count(std::string_view path) const {
    size_t n = 0;
    for (const auto& r : requests)
      if (r.url.find(path) != std::string::npos) ++n;
    return n;
  }

  std::vector<upstream::HttpRequest> requests;
  std::function<void(const std::string& target, sim::SimReply&)> tamper;
  std::optional<Error> fail_with;  // answer every request with this failure instead

 private:
  std::shared_ptr<sim::SimHandler> handler_;
};

inline sim::DetachedSigner detached_jws_signer(const crypto::SigningIdentity& identity) {
  auto signer = crypto::JwsSigner::from_identity(identity, "lienthong-sim", /*include_x5c=*/true);
  if (!signer) throw std::runtime_error(signer.error().detail);
  std::shared_ptr<const crypto::JwsSigner> shared(std::move(*signer));
  return [shared](std::string_view body) -> Result<std::string> {
    crypto::JwsSignOptions options;
    options.detached = true;
    return shared->sign(body, options);
  };
}

struct TestUpstream {
  std::string name;     // "business"
  std::string url;      // https://127.0.0.1:1/<lookup path>
  std::string mapping;  // path of mappings/<name>.toml
  std::vector<std::string> trusted_signers;
  crypto::TrustStore::Ptr trust;
  Executor::Ptr executor = std::make_shared<InlineExecutor>();
  Clock::Ptr clock = SystemClock::instance();
};

// The simulators' development client credentials (adapters/sim/sim_tokens.h).
inline SignedRestAdapterParts test_parts(
    const TestUpstream& u, upstream::HttpClient::Ptr http,
    std::shared_ptr<upstream::BearerTokenSource>* tokens_out = nullptr) {
  auto config = std::make_shared<SignedRestConfig>();
  config->name = u.name;
  config->url = u.url;
  config->trusted_signers = u.trusted_signers;
  upstream::TokenConfig tc;
  tc.token_url = "https://127.0.0.1:1/token";
  tc.client_id = "lienthong-dev";
  tc.client_secret = "dev-secret-not-for-production";
  auto tokens = upstream::BearerTokenSource::create(http, tc, u.clock);
  if (tokens_out) *tokens_out = tokens;
  crypto::JwsVerifierConfig vc;
  vc.trust = u.trust;
  vc.clock = u.clock;
  auto verifier = crypto::OpenSslJwsVerifier::create(std::move(vc));
  if (!verifier) throw std::runtime_error(verifier.error().detail);
  auto call = SignedJsonCall::create({config, http, tokens, *verifier, u.executor});
  if (!call) throw std::runtime_error(call.error().detail);
  auto mapping = exchange::JsonMapping::load(u.mapping);
  if (!mapping) throw std::runtime_error(mapping.error().detail);
  return {*call, *mapping, u.clock};
}

}  // namespace lienthong::adapters::rest
