// adapters/rest: what the JWS-signed REST upstreams share (the enterprise registry and social
// insurance, DESIGN.md §4, FORMATS.md §4): one GET behind an API manager's bearer token, whose
// JSON answer carries a detached ES256/PS256/... JWS of its exact bytes in X-JWS-Signature.
//
// SignedJsonCall::get():
//  - asks BearerTokenSource for a token and sends `GET <url>?<query>` with it; on HTTP 401 it
//    drops that token (invalidate), fetches a fresh one and sends once more; a second 401 is
//    UPSTREAM_UNAVAILABLE;
//  - any status but 200 is UPSTREAM_UNAVAILABLE; the client's own UPSTREAM_TIMEOUT and
//    UPSTREAM_UNAVAILABLE (5xx, TLS, breaker) pass through;
//  - X-JWS-Signature must be there and verify, as a detached compact JWS, over the body exactly
//    as received (x5c to the signer trust store): UPSTREAM_BAD_SIGNATURE naming the verifier's
//    code otherwise. The signer's certificate CN must be one of trusted_signers: every member of
//    the national PKI chains to the same CA, so a valid chain alone proves nothing about who
//    answered;
//  - the body is then parsed as JSON with a size and depth limit, refusing repeated member names
//    (UPSTREAM_UNAVAILABLE when malformed).
// The callback gets the parsed answer and its evidence (kind "jws": the JWS with the body
// re-attached, which `lienthong verify-jws FILE` checks as is). Every outcome is delivered on
// the executor, never on the HTTP client's thread, so the signature check, the parse and the
// caller's mapping run on the gateway's worker pool.
#pragma once

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "gateway/core/error.h"
#include "gateway/core/executor.h"
#include "gateway/core/record.h"
#include "gateway/crypto/jws_verifier.h"
#include "gateway/upstream/bearer_token.h"
#include "gateway/upstream/http_client.h"

namespace lienthong::adapters::rest {

inline constexpr std::string_view kSignatureHeader = crypto::kJwsSignatureHeader;

struct SignedRestConfig {
  std::string name;  // the adapter's name: prefixes every error detail
  std::string url;   // https://host[:port]/path of the lookup, without a query
  // Subject CNs of the certificates allowed to sign answers.
  std::vector<std::string> trusted_signers;
  std::size_t max_answer_bytes = std::size_t{1} << 20;
  std::size_t max_json_depth = 32;

  Result<void> validate() const;  // BAD_REQUEST naming the first problem
};

struct SignedJsonParts {
  std::shared_ptr<const SignedRestConfig> config;
  upstream::HttpClient::Ptr http;
  std::shared_ptr<upstream::BearerTokenSource> tokens;  // over the same HttpClient
  crypto::JwsVerifier::Ptr verifier;                    // x5c against signer_trust
  Executor::Ptr executor;
};

struct SignedAnswer {
  nlohmann::json json;
  Evidence evidence;  // kind "jws"
};

using Headers = std::vector<std::pair<std::string, std::string>>;

class SignedJsonCall : public std::enable_shared_from_this<SignedJsonCall> {
 public:
  using Callback = std::function<void(Result<SignedAnswer>)>;

  static Result<std::shared_ptr<SignedJsonCall>> create(SignedJsonParts parts);

  // GET <url>?<query> with `headers` (besides Authorization and Accept). `done` runs exactly
  // once, on the executor.
  void get(std::string query, Headers headers, Callback done);

  // Reading one answer: status, signature, signer, JSON. Public for tests.
  Result<SignedAnswer> read_answer(const upstream::HttpResponse& response) const;

  const SignedRestConfig& config() const { return *parts_.config; }
  std::string upstream_state() const { return parts_.http->breaker_state(); }

 private:
  struct Call;
  explicit SignedJsonCall(SignedJsonParts parts) : parts_(std::move(parts)) {}
  void attempt(std::shared_ptr<Call> call);
  void finish(std::shared_ptr<Call> call, Result<upstream::HttpResponse> response);

  SignedJsonParts parts_;
};

// The value of a response header (names compared without case), or nullptr.
const std::string* find_header(const Headers& headers, std::string_view name);

}  // namespace lienthong::adapters::rest
