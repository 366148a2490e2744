// lienthong verify-jws FILE [--jwk FILE]... [--pin-cert CERT]... [--trusted CERT]...
//   [--trust-dir DIR] [--crl CRL]... [--alg ALG]... [--payload FILE] [--at "YYYY-MM-DD HH:MM:SS"]
// FILE holds a JWS in any serialization. Prints one JSON object:
//   {"valid":true,"alg":...,"kid":...,"payload":"<base64url>",...}  exit 0
//   {"valid":false,"error":"<CODE>","detail":...}                  exit 1
// Usage or I/O errors exit 2.
#include <iostream>
#include <nlohmann/json.hpp>

#include "gateway/core/encoding.h"
#include "gateway/crypto/jwk.h"
#include "gateway/crypto/jws_verifier.h"
#include "gateway/crypto/key_material.h"
#include "tools/lienthong/commands.h"
#include "tools/lienthong/trust_flags.h"

namespace lienthong::cli {

namespace {

struct VerifyJwsArgs {
  std::string file, payload, at, trust_dir;
  std::vector<std::string> jwks, pinned, trusted, crls, algs;
};

int usage(const std::string& message) {
  std::cerr << "lienthong verify-jws: " << message << "\n";
  return kExitUsage;
}

std::string dumped(const nlohmann::json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

nlohmann::json kid_json(const std::optional<std::string>& kid) {
  return kid ? nlohmann::json(*kid) : nlohmann::json(nullptr);
}

int print_verdict(const Result<crypto::VerifiedJws>& verdict) {
  nlohmann::json out;
  if (!verdict) {
    out["valid"] = false;
    out["error"] = std::string(error_code_name(verdict.error().code));
    out["detail"] = verdict.error().detail;
    std::cout << dumped(out) << "\n";
    return kExitRefused;
  }
  const auto& first = verdict->first();
  out["valid"] = true;
  out["alg"] = first.alg;
  out["kid"] = kid_json(first.kid);
  out["payload"] = base64url_encode(verdict->payload);
  out["serialization"] = crypto::jws_serialization_name(verdict->serialization);
  out["b64"] = verdict->b64;
  out["detached"] = verdict->detached;
  out["signer"] = first.signer;
  out["signer_sha256"] = first.signer_fingerprint;
  out["chain"] = nlohmann::json::array();
  for (const auto& cert : first.chain) out["chain"].push_back(crypto::subject_dn(cert.get()));
  out["signatures"] = nlohmann::json::array();
  for (const auto& sig : verdict->signatures)
    out["signatures"].push_back({{"alg", sig.alg},
                                 {"kid", kid_json(sig.kid)},
                                 {"signer", sig.signer},
                                 {"signer_sha256", sig.signer_fingerprint}});
  std::cout << dumped(out) << "\n";
  return kExitOk;
}

int run(const VerifyJwsArgs& args) {
  crypto::JwsVerifierConfig config;
  if (!args.algs.empty()) {
    config.algorithms.clear();
    for (const auto& name : args.algs) {
      auto alg = crypto::jws_alg_from_name(name);
      if (!alg)
        return usage("--alg '" + name +
                     "' is not a JWS algorithm here (HS256/384/512, RS256/384/512, "
                     "PS256/384/512, ES256/384/512, EdDSA; 'none' never)");
      config.algorithms.insert(*alg);
    }
  }
  if (!args.at.empty()) {
    auto at = parse_utc_time(args.at);
    if (!at) return usage("--at wants \"YYYY-MM-DD HH:MM:SS\" (UTC), got '" + args.at + "'");
    config.clock = std::make_shared<FixedClock>(*at);
  }
  for (const auto& file : args.jwks) {
    auto text = crypto::read_file(file, 1 << 20);
    if (!text) return usage(text.error().detail);
    auto keys = crypto::parse_jwks(*text);
    if (!keys) return usage(file + ": " + keys.error().detail);
    for (auto& key : *keys) config.keys.push_back(std::move(key));
  }
  for (const auto& file : args.pinned) {
    auto certs = crypto::load_certificates(file);
    if (!certs) return usage(certs.error().detail);
    auto key = crypto::Jwk::from_certificate(std::move(certs->front()));
    if (!key) return usage(file + ": " + key.error().detail);
    config.keys.push_back(std::move(*key));
  }

  auto loaded = load_trust_flags(args.trust_dir, args.trusted, args.crls);
  if (!loaded) return usage(loaded.error().detail);
  crypto::TrustMaterial material = std::move(*loaded);
  if (!material.anchors.empty()) {
    auto store = crypto::X509TrustStore::create(std::move(material));
    if (!store) return usage(store.error().detail);
    config.trust = *store;
  } else if (!material.crls.empty()) {
    return usage("--crl needs --trusted or --trust-dir");
  }
  if (!config.trust && config.keys.empty())
    std::cerr << "lienthong verify-jws: warning: nothing is trusted (no --jwk, --pin-cert, "
                 "--trusted or --trust-dir): no signer can be accepted\n";

  std::optional<std::string> detached;
  if (!args.payload.empty()) {
    auto bytes = crypto::read_file(args.payload);
    if (!bytes) return usage(bytes.error().detail);
    detached = std::move(*bytes);
  }
  const size_t limit = config.limits.max_bytes;
  auto bytes = crypto::read_file(args.file == "-" ? "/dev/stdin" : args.file, limit);
  if (!bytes) {
    if (bytes.error().code == ErrorCode::kXmlLimitExceeded)  // read_file's "too large"
      return print_verdict(fail(ErrorCode::kBadRequest, "JWS larger than the limit of " +
                                                            std::to_string(limit) + " bytes"));
    return usage(bytes.error().detail);
  }
  auto verifier = crypto::OpenSslJwsVerifier::create(std::move(config));
  if (!verifier) return usage(verifier.error().detail);
  if (detached) return print_verdict((*verifier)->verify(*bytes, std::string_view(*detached)));
  return print_verdict((*verifier)->verify(*bytes));
}

}  // namespace

std::function<int()> add_verify_jws(CLI::App& app) {
  auto args = std::make_shared<VerifyJwsArgs>();
  CLI::App* cmd = app.add_subcommand(
      "verify-jws", "Verify a JWS (compact or JSON); print one JSON verdict (exit 0 valid, 1 not)");
  cmd->add_option("FILE", args->file, "The JWS ('-' for standard input)")->required();
  cmd->add_option("--jwk", args->jwks, "Verification key: a JWK or a JWK Set file; repeatable");
  cmd->add_option("--pin-cert", args->pinned,
                  "Accept this certificate's key (no chain; validity dates checked); repeatable");
  cmd->add_option("--trusted", args->trusted,
                  "Trust anchor for an x5c header (PEM or DER); repeatable");
  cmd->add_option("--trust-dir", args->trust_dir,
                  "Trust directory for x5c with anchors/, intermediates/, crls/");
  cmd->add_option("--crl", args->crls, "CRL for x5c paths (PEM or DER); repeatable");
  cmd->add_option("--alg", args->algs,
                  "Allowed algorithm; repeatable (default ES256 ES384 ES512 PS256 RS256 EdDSA; "
                  "HMAC only when listed, and only with an oct key)");
  cmd->add_option("--payload", args->payload, "Detached payload (raw bytes)");
  cmd->add_option("--at", args->at, "Verify as of this UTC time, \"YYYY-MM-DD HH:MM:SS\"");
  return [args] { return run(*args); };
}

}  // namespace lienthong::cli
