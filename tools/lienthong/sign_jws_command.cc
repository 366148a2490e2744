// lienthong sign-jws FILE (--key PEM | --jwk FILE) [--cert PEM [--chain PEM]...] [--alg ALG]
//   [--kid KID] [--serialization compact|flattened|general] [--detached] [--unencoded]
//   [--typ TYP] [--public-jwk FILE]
// Prints the JWS of FILE's bytes (what verify-jws accepts). With --cert the certificate (and
// --chain) go into the protected "x5c". Exit 0 signed, 1 refused, 2 usage or I/O error.
#include <fstream>
#include <iostream>

#include "gateway/crypto/jwk.h"
#include "gateway/crypto/jws_signer.h"
#include "gateway/crypto/key_material.h"
#include "tools/lienthong/commands.h"

namespace lienthong::cli {

namespace {

struct SignJwsArgs {
  std::string file, key, jwk, cert, alg, kid, typ, public_jwk;
  std::string serialization = "compact";
  std::vector<std::string> chain;
  bool detached = false, unencoded = false;
};

int usage(const std::string& message) {
  std::cerr << "lienthong sign-jws: " << message << "\n";
  return kExitUsage;
}

Result<crypto::Jwk> load_key(const SignJwsArgs& args) {
  if (!args.key.empty()) {
    auto key = crypto::load_private_key(args.key);
    if (!key) return tl::unexpected(key.error());
    return crypto::Jwk::from_key(std::move(*key));
  }
  auto text = crypto::read_file(args.jwk, 1 << 20);
  if (!text) return tl::unexpected(text.error());
  auto keys = crypto::parse_jwks(*text);
  if (!keys) return fail(keys.error().code, args.jwk + ": " + keys.error().detail);
  if (keys->size() != 1)
    return fail(ErrorCode::kBadRequest, args.jwk + ": holds " + std::to_string(keys->size()) +
                                            " keys; give a file with exactly one");
  return std::move(keys->front());
}

int run(const SignJwsArgs& args) {
  if (args.key.empty() == args.jwk.empty()) return usage("give exactly one of --key and --jwk");
  if (args.cert.empty() && !args.chain.empty()) return usage("--chain needs --cert");
  auto key = load_key(args);
  if (!key) return usage(key.error().detail);

  crypto::JwsSignerConfig config;
  config.kid = args.kid.empty() ? key->kid : args.kid;
  if (!args.alg.empty()) {
    auto alg = crypto::jws_alg_from_name(args.alg);
    if (!alg) return usage("--alg '" + args.alg + "' is not a JWS algorithm here");
    config.alg = *alg;
  }
  std::vector<std::string> x5c_files;
  if (!args.cert.empty()) x5c_files.push_back(args.cert);  // a full-chain file is fine too
  x5c_files.insert(x5c_files.end(), args.chain.begin(), args.chain.end());
  for (const auto& file : x5c_files) {
    auto certs = crypto::load_certificates(file);
    if (!certs) return usage(certs.error().detail);
    for (auto& c : *certs) config.x5c.push_back(std::move(c));
  }
  crypto::JwsSignOptions options;
  options.serialization = args.serialization == "flattened" ? crypto::JwsSerialization::kFlattened
                          : args.serialization == "general" ? crypto::JwsSerialization::kGeneral
                                                            : crypto::JwsSerialization::kCompact;
  options.detached = args.detached;
  options.b64 = !args.unencoded;
  options.typ = args.typ;

  std::string public_jwk;
  if (!args.public_jwk.empty()) {
    crypto::Jwk copy = key->clone();
    copy.kid = config.kid;
    auto text = crypto::public_jwk_json(copy);
    if (!text) return usage("--public-jwk: " + text.error().detail);
    public_jwk = "{\"keys\":[" + *text + "]}\n";
  }
  auto signer = crypto::JwsSigner::create(std::move(*key), std::move(config));
  if (!signer) {
    if (signer.error().code == ErrorCode::kSignaturePolicy) {
      std::cerr << "lienthong sign-jws: SIGNATURE_POLICY: " << signer.error().detail << "\n";
      return kExitRefused;
    }
    return usage(signer.error().detail);
  }
  auto bytes = crypto::read_file(args.file == "-" ? "/dev/stdin" : args.file);
  if (!bytes) return usage(bytes.error().detail);
  auto jws = (*signer)->sign(*bytes, options);
  if (!jws) {
    std::cerr << "lienthong sign-jws: " << error_code_name(jws.error().code) << ": "
              << jws.error().detail << "\n";
    return kExitRefused;
  }
  if (!public_jwk.empty()) {
    std::ofstream out(args.public_jwk, std::ios::binary | std::ios::trunc);
    if (!(out << public_jwk)) return usage(args.public_jwk + ": cannot write");
  }
  std::cout << *jws << "\n";
  return kExitOk;
}

}  // namespace

std::function<int()> add_sign_jws(CLI::App& app) {
  auto args = std::make_shared<SignJwsArgs>();
  CLI::App* cmd = app.add_subcommand("sign-jws", "Sign a file's bytes as a JWS; print the JWS");
  cmd->add_option("FILE", args->file, "Payload to sign ('-' for standard input)")->required();
  cmd->add_option("--key", args->key, "Private key (PEM or DER: RSA, EC P-256/384/521, Ed25519)");
  cmd->add_option("--jwk", args->jwk, "Private JWK (or a JWK Set of one key), e.g. an oct key");
  cmd->add_option("--cert", args->cert, "Certificate of the key, sent in the protected x5c");
  cmd->add_option("--chain", args->chain, "Intermediate certificate(s) for x5c; repeatable");
  cmd->add_option("--alg", args->alg,
                  "Algorithm (default by key: ES256/384/512 by curve, PS256, EdDSA, HS256)");
  cmd->add_option("--kid", args->kid, "kid in the protected header (default: the JWK's kid)");
  cmd->add_option("--serialization", args->serialization, "compact (default), flattened, general")
      ->check(CLI::IsMember({"compact", "flattened", "general"}));
  cmd->add_flag("--detached", args->detached, "Leave the payload out (verify with --payload)");
  cmd->add_flag("--unencoded", args->unencoded,
                "RFC 7797 unencoded payload: b64=false with crit [\"b64\"]");
  cmd->add_option("--typ", args->typ, "typ in the protected header");
  cmd->add_option("--public-jwk", args->public_jwk,
                  "Also write the public key as a JWK Set to this file (for verify-jws --jwk)");
  return [args] { return run(*args); };
}

}  // namespace lienthong::cli
