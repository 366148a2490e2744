#include "adapters/rest/signed_json_call.h"

#include <fmt/format.h>
#include <openssl/x509.h>

#include <algorithm>
#include <cctype>

#include "gateway/core/encoding.h"
#include "gateway/crypto/jws_json.h"

namespace lienthong::adapters::rest {
namespace {

bool equal_ignoring_case(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

// The JWS with the body put back, so the evidence verifies on its own: compact
// "header.payload.signature" for a base64url payload; for an unencoded one (RFC 7797, b64=false,
// whose bytes may hold '.'), the flattened JSON serialization.
std::string reattached(std::string_view detached, std::string_view body, bool b64) {
  const size_t dots = detached.find("..");
  const std::string_view header = detached.substr(0, dots);
  const std::string_view signature = detached.substr(dots + 2);
  if (b64) {
    std::string out;
    out.reserve(detached.size() + body.size() * 4 / 3 + 4);
    out.append(header).append(".").append(base64url_encode(body)).append(".").append(signature);
    return out;
  }
  // The body parsed as strict JSON before this (no NUL, valid UTF-8 throughout), so dump()
  // cannot meet a byte it would throw on; `replace` keeps that a guarantee, not a hope.
  return nlohmann::json{{"protected", header}, {"payload", body}, {"signature", signature}}.dump(
      -1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

struct SignedJsonCall::Call {
  upstream::HttpRequest request;  // without Authorization
  Callback done;
  std::string token;  // the one sent last
  bool retried = false;
};

Result<void> SignedRestConfig::validate() const {
  if (url.rfind("https://", 0) != 0)
    return fail(ErrorCode::kBadRequest, fmt::format("{}: url must be https://", name));
  if (url.find_first_of("?#") != std::string::npos)
    return fail(ErrorCode::kBadRequest,
                fmt::format("{}: url must not carry a query (the adapter adds it)", name));
  if (trusted_signers.empty() || std::any_of(trusted_signers.begin(), trusted_signers.end(),
                                             [](const std::string& s) { return s.empty(); }))
    return fail(
        ErrorCode::kBadRequest,
        fmt::format("{}: trusted_signers must name the certificate(s) that sign answers", name));
  if (max_answer_bytes < 1024 || max_json_depth < 4)
    return fail(
        ErrorCode::kBadRequest,
        fmt::format("{}: max_answer_bytes (>= 1024) or max_json_depth (>= 4) too small", name));
  return {};
}

const std::string* find_header(const Headers& headers, std::string_view name) {
  for (const auto& [n, v] : headers)
    if (equal_ignoring_case(n, name)) return &v;
  return nullptr;
}

Result<std::shared_ptr<SignedJsonCall>> SignedJsonCall::create(SignedJsonParts parts) {
  if (!parts.config || !parts.http || !parts.tokens || !parts.verifier || !parts.executor)
    return fail(ErrorCode::kInternal, "signed REST call: a part is missing");
  if (auto ok = parts.config->validate(); !ok) return tl::unexpected(ok.error());
  return std::shared_ptr<SignedJsonCall>(new SignedJsonCall(std::move(parts)));
}

void SignedJsonCall::get(std::string query, Headers headers, Callback done) {
  auto call = std::make_shared<Call>();
  call->request.method = "GET";
  call->request.url = parts_.config->url + "?" + query;
  call->request.headers = std::move(headers);
  call->request.headers.emplace_back("Accept", "application/json");
  call->request.idempotent = true;
  call->done = std::move(done);
  attempt(std::move(call));
}

void SignedJsonCall::attempt(std::shared_ptr<Call> call) {
  auto self = shared_from_this();
  parts_.tokens->get([self, call](Result<std::string> token) {
    if (!token) return self->finish(call, tl::unexpected(token.error()));
    call->token = *token;
    upstream::HttpRequest request = call->request;
    request.headers.emplace_back("Authorization", "Bearer " + *token);
    self->parts_.http->send(std::move(request), [self, call](Result<upstream::HttpResponse> r) {
      if (r && r->status == 401) {
        // The token was refused (expired early, revoked): drop that one and try once more with
        // a fresh one. A second 401 is the answer.
        self->parts_.tokens->invalidate(call->token);
        if (!call->retried) {
          call->retried = true;
          return self->attempt(call);
        }
      }
      self->finish(call, std::move(r));
    });
  });
}

void SignedJsonCall::finish(std::shared_ptr<Call> call, Result<upstream::HttpResponse> response) {
  // On the HTTP client's thread (or the token source's caller): the signature check and the
  // parse go to the worker pool.
  auto self = shared_from_this();
  parts_.executor->post([self, call, response = std::move(response)]() mutable {
    Callback done = std::move(call->done);
    if (!response) return done(tl::unexpected(response.error()));
    done(self->read_answer(*response));
  });
}

Result<SignedAnswer> SignedJsonCall::read_answer(const upstream::HttpResponse& response) const {
  const SignedRestConfig& c = *parts_.config;
  if (response.status == 401 || response.status == 403) {
    return fail(ErrorCode::kUpstreamUnavailable,
                fmt::format("{}: the upstream refused the gateway's token (HTTP {})", c.name,
                            response.status));
  }
  if (response.status != 200) {
    return fail(ErrorCode::kUpstreamUnavailable,
                fmt::format("{}: the upstream answered HTTP {}", c.name, response.status));
  }
  if (response.body.size() > c.max_answer_bytes) {
    return fail(ErrorCode::kUpstreamUnavailable,
                fmt::format("{}: answer over {} bytes, refused", c.name, c.max_answer_bytes));
  }
  const std::string* jws = find_header(response.headers, kSignatureHeader);
  if (!jws || jws->empty()) {
    return fail(ErrorCode::kUpstreamBadSignature,
                fmt::format("{}: answer carries no {}", c.name, kSignatureHeader));
  }
  auto verified = parts_.verifier->verify(*jws, response.body);
  if (!verified) {
    return fail(ErrorCode::kUpstreamBadSignature,
                fmt::format("{}: answer signature: {}: {}", c.name,
                            error_code_name(verified.error().code), verified.error().detail));
  }
  // The payload must be this body, given from outside: a JWS carrying a payload of its own would
  // prove something about other bytes.
  if (verified->serialization != crypto::JwsSerialization::kCompact || !verified->detached ||
      verified->signatures.size() != 1 || verified->payload != response.body) {
    return fail(ErrorCode::kUpstreamBadSignature,
                fmt::format("{}: {} must be one detached compact JWS of the body", c.name,
                            kSignatureHeader));
  }
  const crypto::JwsSignatureInfo& signature = verified->first();
  const std::string signer_cn =
      signature.chain.empty() ? std::string() : crypto::common_name(signature.chain.front().get());
  if (std::find(c.trusted_signers.begin(), c.trusted_signers.end(), signer_cn) ==
      c.trusted_signers.end()) {
    return fail(ErrorCode::kUpstreamBadSignature,
                fmt::format("{}: answer signed by '{}', which is not a configured signer", c.name,
                            signer_cn));
  }
  auto json = crypto::parse_strict_json(response.body, c.max_json_depth, c.name + " answer",
                                        ErrorCode::kUpstreamUnavailable);
  if (!json) return tl::unexpected(json.error());
  return SignedAnswer{std::move(*json),
                      Evidence{"jws", reattached(*jws, response.body, verified->b64),
                               signature.signer, signature.signer_fingerprint}};
}

}  // namespace lienthong::adapters::rest
