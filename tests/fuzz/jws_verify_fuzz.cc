// Fuzz target for the JWS verifier (STYLE.md §10): every input goes to three
// OpenSslJwsVerifiers built once, with and without a detached payload. Any input may be
// refused; a refusal must be a typed JWS error with a detail, and an acceptance must meet the
// invariants below. A broken invariant calls __builtin_trap().
//
//   keys      default algorithms, the conformance vectors' public keys (RSA, EC P-256/521,
//             Ed25519) and the interop peers' JWK Sets
//   hmac      every algorithm including HS256/384/512, the same keys plus the vectors' oct keys
//   x5c       default algorithms, no keys; x5c validated to xmlsec's test CA (security level 0,
//             since that CA is RSA-1024 with SHA-1)
//
// Keys come from LIENTHONG_CONFORMANCE_DIR (set at build time; the environment variable of
// the same name overrides it), read once before the first input. The clock is fixed.
// LIENTHONG_FUZZ_VERBOSE=1 prints each verdict.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/core/encoding.h"
#include "gateway/crypto/jwk.h"
#include "gateway/crypto/jws_verifier.h"
#include "gateway/crypto/key_material.h"
#include "gateway/crypto/trust_store.h"
#include "tests/fuzz/fuzz_check.h"

#ifndef LIENTHONG_CONFORMANCE_DIR
#error "LIENTHONG_CONFORMANCE_DIR must name the conformance vectors (tests/fuzz/CMakeLists.txt)"
#endif

namespace {

using lienthong::ErrorCode;
namespace crypto = lienthong::crypto;

constexpr std::string_view kDetached = "$.02";  // RFC 7797 sec. 4.2's payload

constexpr const char* kFuzzTarget = "jws_verify_fuzz";

[[noreturn]] void setup_failed(const std::string& what) {
  lienthong::fuzz::setup_failed(kFuzzTarget, what);
}

std::string vector_path(const std::string& relative) {
  const char* env = std::getenv("LIENTHONG_CONFORMANCE_DIR");
  return std::string(env != nullptr && *env != '\0' ? env : LIENTHONG_CONFORMANCE_DIR) + "/" +
         relative;
}

std::string read(const std::string& relative) {
  auto text = crypto::read_file(vector_path(relative));
  if (!text) setup_failed(text.error().detail);
  return *text;
}

// Every key of every JWS vector and the interop JWK Sets; oct keys only when asked.
std::vector<crypto::Jwk> conformance_keys(bool with_oct) {
  std::vector<crypto::Jwk> keys;
  for (const char* set : {"interop/certs/rsa.jwks.json", "interop/certs/ec.jwks.json"}) {
    auto parsed = crypto::parse_jwks(read(set));
    if (!parsed) setup_failed(std::string(set) + ": " + parsed.error().detail);
    for (auto& k : *parsed) keys.push_back(std::move(k));
  }
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(vector_path("jws/vectors")))
    files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  for (const auto& file : files) {
    const auto vector = nlohmann::json::parse(read("jws/vectors/" + file.filename().string()));
    auto parsed = crypto::parse_jwks(nlohmann::json{{"keys", vector["keys"]}}.dump());
    if (!parsed) setup_failed(file.string() + ": " + parsed.error().detail);
    for (auto& k : *parsed) {
      if (k.family == crypto::JwsKeyFamily::kOct && !with_oct) continue;
      k.has_private = false;  // verification uses public parts only
      keys.push_back(std::move(k));
    }
  }
  return keys;
}

struct Target {
  const char* name = "";
  std::set<crypto::JwsAlg> algorithms;
  std::shared_ptr<const crypto::OpenSslJwsVerifier> verifier;
  std::vector<std::string> key_fingerprints;  // "" for oct keys
  crypto::X509Ptr anchor;                     // x5c target
};

Target make_target(const char* name, std::set<crypto::JwsAlg> algorithms,
                   std::vector<crypto::Jwk> keys, bool x5c) {
  Target t;
  t.name = name;
  t.algorithms = algorithms;
  crypto::JwsVerifierConfig config;
  config.algorithms = std::move(algorithms);
  config.clock =
      std::make_shared<lienthong::FixedClock>(*lienthong::parse_utc_time("2027-01-01 00:00:00"));
  config.limits.max_bytes = 64 << 10;
  for (const auto& k : keys) t.key_fingerprints.push_back(k.fingerprint());
  config.keys = std::move(keys);
  if (x5c) {
    auto anchors = crypto::load_certificates(vector_path("xmldsig/keys/cacert.pem"));
    if (!anchors) setup_failed(anchors.error().detail);
    t.anchor = crypto::share(anchors->front().get());
    crypto::TrustMaterial material;
    material.anchors.push_back(std::move(anchors->front()));
    auto store = crypto::X509TrustStore::create(std::move(material));
    if (!store) setup_failed(store.error().detail);
    config.trust = *store;
    config.x509_security_level = 0;
  }
  auto verifier = crypto::OpenSslJwsVerifier::create(std::move(config));
  if (!verifier) setup_failed(std::string(name) + ": " + verifier.error().detail);
  t.verifier = *verifier;
  return t;
}

const std::vector<Target>& targets() {
  static const std::vector<Target> all = [] {
    std::set<crypto::JwsAlg> every;
    for (int a = 0; a <= static_cast<int>(crypto::JwsAlg::kEdDSA); ++a)
      every.insert(static_cast<crypto::JwsAlg>(a));
    std::vector<Target> t;
    t.push_back(
        make_target("keys", crypto::default_jws_algorithms(), conformance_keys(false), false));
    t.push_back(make_target("hmac", every, conformance_keys(true), false));
    t.push_back(make_target("x5c", crypto::default_jws_algorithms(), {}, true));
    return t;
  }();
  return all;
}

using lienthong::fuzz::verbose;

bool is_jws_error(ErrorCode code) {
  switch (code) {
    case ErrorCode::kBadRequest:
    case ErrorCode::kSignatureInvalid:
    case ErrorCode::kSignaturePolicy:
    case ErrorCode::kCertUntrusted:
    case ErrorCode::kCertExpired:
    case ErrorCode::kCertRevoked:
      return true;
    default:
      return false;  // kInternal and the rest: no input should lead there
  }
}

void check(const Target& t, std::string_view bytes, std::optional<std::string_view> detached,
           const lienthong::Result<crypto::VerifiedJws>& verdict) {
  if (verbose()) {
    if (verdict)
      std::fprintf(stderr, "  %-5s%s valid: %s, %zu signature(s), signer %s\n", t.name,
                   detached ? "+d" : "  ", verdict->first().alg.c_str(), verdict->signatures.size(),
                   verdict->first().signer.c_str());
    else
      std::fprintf(stderr, "  %-5s%s %s: %.160s\n", t.name, detached ? "+d" : "  ",
                   std::string(lienthong::error_code_name(verdict.error().code)).c_str(),
                   verdict.error().detail.c_str());
  }
  if (!verdict) {
    FUZZ_CHECK(is_jws_error(verdict.error().code), t.name);
    FUZZ_CHECK(!verdict.error().detail.empty(), t.name);
    return;
  }
  const crypto::VerifiedJws& v = *verdict;
  FUZZ_CHECK(!v.signatures.empty(), t.name);
  FUZZ_CHECK(v.detached == detached.has_value(), t.name);
  if (detached) FUZZ_CHECK(v.payload == *detached, t.name);
  for (const auto& sig : v.signatures) {
    const auto alg = crypto::jws_alg_from_name(sig.alg);
    FUZZ_CHECK(alg.has_value() && t.algorithms.contains(*alg), t.name);
    if (t.anchor) {  // only an x5c path to the anchor can vouch
      FUZZ_CHECK(sig.chain.size() >= 2, t.name);
      FUZZ_CHECK(X509_cmp(sig.chain.back().get(), t.anchor.get()) == 0, t.name);
      FUZZ_CHECK(sig.signer_fingerprint == crypto::sha256_fingerprint(sig.chain.front().get()),
                 t.name);
    } else {
      bool configured = false;
      for (const auto& fp : t.key_fingerprints) configured |= fp == sig.signer_fingerprint;
      FUZZ_CHECK(configured, t.name);
    }
  }
  // Same bytes, same verdict.
  auto again = t.verifier->verify(bytes, detached);
  FUZZ_CHECK(again.has_value() && again->payload == v.payload, t.name);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  for (const Target& t : targets()) {
    check(t, bytes, std::nullopt, t.verifier->verify(bytes));
    check(t, bytes, kDetached, t.verifier->verify(bytes, kDetached));
  }
  return 0;
}
