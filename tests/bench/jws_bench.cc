// JWS sign and verify (compact, ~1 KB JSON payload) for each default algorithm, next to the bare
// OpenSSL operation that produces or checks the same signature bytes with the same EVP_PKEY (the
// ceiling). The target is JWS >= 0.8x the ceiling both ways (docs/perf/jws.md). After the usual
// Google Benchmark output the binary prints a table of ops/s and ratios, from the median of the
// repetitions when there are several; both sides of a ratio come from the same run.
//
// The ceiling, per algorithm, is the fastest way OpenSSL produces (or checks) the JWS signature
// of the signing input "BASE64URL(header).BASE64URL(payload)":
//  - ES*, RS256, PS256: the digest of the signing input with an explicitly fetched EVP_MD, then
//    EVP_PKEY_sign / EVP_PKEY_verify on an EVP_PKEY_CTX initialised once (padding, salt length
//    and digest set once); re-initialising per call is overhead the JWS code should not have
//    either.
//  - ES*: the DER <-> raw R||S conversion is counted in the ceiling: OpenSSL only speaks DER,
//    and JWS bytes are R||S (RFC 7518 sec. 3.4), so nothing can produce or check a JWS ECDSA
//    signature without it.
//  - EdDSA: EVP_DigestSign / EVP_DigestVerify (Ed25519 is one-shot: it hashes the message
//    itself) on an EVP_MD_CTX initialised once.
// The JWS side is the whole public call: JwsSigner::sign(payload) builds the protected header,
// base64url-encodes, signs and writes the compact serialization; OpenSslJwsVerifier::verify
// parses the compact JWS, checks the header, selects the key by kid among the configured keys
// (one per algorithm, as a JWK Set would give them), verifies and returns the decoded payload.
// Keys are generated in-process; no files are needed.
#include <benchmark/benchmark.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "gateway/core/encoding.h"
#include "gateway/crypto/jws_signer.h"
#include "gateway/crypto/jws_verifier.h"

namespace lienthong::crypto {
namespace {

struct Case {
  JwsAlg alg;
  const char* kid;
  const char* type;   // EVP_PKEY_Q_keygen type
  const char* curve;  // curve name, or nullptr
};

const std::vector<Case>& cases() {
  static const std::vector<Case> all = {
      {JwsAlg::kES256, "bench-es256", "EC", "P-256"},
      {JwsAlg::kES384, "bench-es384", "EC", "P-384"},
      {JwsAlg::kES512, "bench-es512", "EC", "P-521"},
      {JwsAlg::kPS256, "bench-ps256", "RSA", nullptr},
      {JwsAlg::kRS256, "bench-rs256", "RSA", nullptr},
      {JwsAlg::kEdDSA, "bench-eddsa", "ED25519", nullptr},
  };
  return all;
}

// A ~1 KB JSON document, the size of a typical signed exchange answer.
std::string payload() {
  std::string out =
      R"({"requestId":"6f1c2a9e-51b4-4c1e-9d3a-0b7f2e8c4d11","service":"citizen-lookup",)"
      R"("issuedAt":"2026-11-22T08:15:30Z","records":[)";
  for (int i = 0; out.size() < 960; ++i) {
    out += (i == 0 ? "" : ",");
    out += R"({"id":"VN-)" + std::to_string(100000 + i) +
           R"(","name":"Nguyen Van A","province":"Ha Noi","status":"active"})";
  }
  out += "]}";
  return out;
}

EvpPkeyPtr generate(const Case& c) {
  EVP_PKEY* raw = c.curve != nullptr ? EVP_PKEY_Q_keygen(nullptr, nullptr, c.type, c.curve)
                  : std::string_view(c.type) == "RSA"
                      ? EVP_PKEY_Q_keygen(nullptr, nullptr, c.type, size_t{2048})
                      : EVP_PKEY_Q_keygen(nullptr, nullptr, c.type);
  if (raw == nullptr) throw std::runtime_error(std::string("keygen ") + c.type);
  return EvpPkeyPtr(raw);
}

template <typename T>
T must(Result<T> r, const char* what) {
  if (!r) throw std::runtime_error(std::string(what) + ": " + r.error().detail);
  return std::move(*r);
}

struct Fixture {
  std::string payload;
  std::vector<std::unique_ptr<const JwsSigner>> signers;  // index: position in cases()
  std::vector<std::string> compact;                       // one JWS per case
  std::shared_ptr<const OpenSslJwsVerifier> verifier;     // every public key, by kid
  std::vector<Jwk> public_keys;  // the verifier's configured keys (same EVP_PKEYs), per case
};

// The gateway's verifiers are configured with public JWKs (a JWK Set): publish each key's
// public JWK and read it back, as configuration would.
Jwk public_jwk(const Jwk& key, const char* kid) {
  std::string text = must(public_jwk_json(key), "public_jwk_json");
  auto keys = must(parse_jwks(text), "parse_jwks");
  keys.front().kid = kid;
  return std::move(keys.front());
}

const Fixture& fixture() {
  static const Fixture f = [] {
    Fixture f;
    f.payload = payload();
    JwsVerifierConfig config;
    for (const Case& c : cases()) {
      Jwk key = must(Jwk::from_key(generate(c), c.kid), "from_key");
      config.keys.push_back(public_jwk(key, c.kid));
      f.public_keys.push_back(config.keys.back().clone());
      JwsSignerConfig sc;
      sc.alg = c.alg;
      sc.kid = c.kid;
      f.signers.push_back(must(JwsSigner::create(std::move(key), std::move(sc)), "signer"));
      f.compact.push_back(must(f.signers.back()->sign(f.payload), "sign"));
    }
    f.verifier = must(OpenSslJwsVerifier::create(std::move(config)), "verifier");
    for (size_t i = 0; i < cases().size(); ++i) {
      auto out = must(f.verifier->verify(f.compact[i]), "verify");
      if (out.payload != f.payload) throw std::runtime_error("payload round trip");
    }
    return f;
  }();
  return f;
}

size_t index_of(JwsAlg alg) {
  for (size_t i = 0; i < cases().size(); ++i)
    if (cases()[i].alg == alg) return i;
  throw std::logic_error("no case");
}

const unsigned char* bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

// The signing input and the raw signature of the case's JWS.
struct Parts {
  std::string input;
  std::string signature;
};

Parts parts(size_t i) {
  const std::string& jws = fixture().compact[i];
  const size_t dot = jws.rfind('.');
  auto sig = base64url_decode(std::string_view(jws).substr(dot + 1));
  if (!sig) throw std::runtime_error("signature is not base64url");
  return {jws.substr(0, dot), std::move(*sig)};
}

using EvpMdPtr = std::unique_ptr<EVP_MD, OpenSslDeleter<EVP_MD, EVP_MD_free>>;
using EcdsaSigPtr = std::unique_ptr<ECDSA_SIG, OpenSslDeleter<ECDSA_SIG, ECDSA_SIG_free>>;

// The EVP_PKEY_CTX of the ceiling, initialised once for sign or verify.
EvpPkeyCtxPtr pkey_context(const JwsAlgSpec& spec, EVP_PKEY* key, const EVP_MD* md, bool verify) {
  EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, key, nullptr));
  bool ok = ctx && (verify ? EVP_PKEY_verify_init(ctx.get()) : EVP_PKEY_sign_init(ctx.get())) == 1;
  if (ok && spec.family == JwsKeyFamily::kRsa) {
    ok = EVP_PKEY_CTX_set_rsa_padding(ctx.get(),
                                      spec.pss ? RSA_PKCS1_PSS_PADDING : RSA_PKCS1_PADDING) == 1;
    if (ok && spec.pss)
      ok = EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx.get(), RSA_PSS_SALTLEN_DIGEST) == 1 &&
           EVP_PKEY_CTX_set_rsa_mgf1_md(ctx.get(), md) == 1;
  }
  ok = ok && EVP_PKEY_CTX_set_signature_md(ctx.get(), md) == 1;
  if (!ok) throw std::runtime_error("ceiling context");
  return ctx;
}

// DER -> R||S as the JWS needs it; the half size is the curve's field size.
bool der_to_raw(const unsigned char* der, size_t len, unsigned char* raw, int half) {
  const unsigned char* p = der;
  EcdsaSigPtr sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(len)));
  return sig && BN_bn2binpad(ECDSA_SIG_get0_r(sig.get()), raw, half) == half &&
         BN_bn2binpad(ECDSA_SIG_get0_s(sig.get()), raw + half, half) == half;
}

// R||S -> DER for OpenSSL; `der` holds at least 2 * half + 16 bytes.
int raw_to_der(std::string_view raw, unsigned char* der) {
  const int half = static_cast<int>(raw.size() / 2);
  EcdsaSigPtr sig(ECDSA_SIG_new());
  BIGNUM* r = BN_bin2bn(bytes(raw), half, nullptr);
  BIGNUM* s = BN_bin2bn(bytes(raw) + half, half, nullptr);
  if (!sig || r == nullptr || s == nullptr || ECDSA_SIG_set0(sig.get(), r, s) != 1) {
    BN_free(r);
    BN_free(s);
    return -1;
  }
  unsigned char* out = der;
  return i2d_ECDSA_SIG(sig.get(), &out);
}

// --- The ceiling. ---

void BM_BareSign(benchmark::State& state, JwsAlg alg) {
  const size_t i = index_of(alg);
  const JwsAlgSpec& spec = jws_alg_spec(alg);
  EVP_PKEY* key = fixture().signers[i]->key().key.get();
  const Parts p = parts(i);
  unsigned char sig[1024];
  unsigned char raw[256];
  if (spec.family == JwsKeyFamily::kOkp) {
    EvpMdCtxPtr ctx(EVP_MD_CTX_new());
    if (EVP_DigestSignInit_ex(ctx.get(), nullptr, nullptr, nullptr, nullptr, key, nullptr) != 1)
      throw std::runtime_error("Ed25519 context");
    for (auto _ : state) {
      size_t len = sizeof sig;
      if (EVP_DigestSign(ctx.get(), sig, &len, bytes(p.input), p.input.size()) != 1)
        state.SkipWithError("sign");
      benchmark::DoNotOptimize(sig);
    }
  } else {
    EvpMdPtr md(EVP_MD_fetch(nullptr, spec.digest, nullptr));
    EvpPkeyCtxPtr ctx = pkey_context(spec, key, md.get(), /*verify=*/false);
    const int half = static_cast<int>(spec.size / 2);
    for (auto _ : state) {
      unsigned char digest[EVP_MAX_MD_SIZE];
      unsigned int dlen = 0;
      size_t len = sizeof sig;
      if (EVP_Digest(p.input.data(), p.input.size(), digest, &dlen, md.get(), nullptr) != 1 ||
          EVP_PKEY_sign(ctx.get(), sig, &len, digest, dlen) != 1 ||
          (spec.family == JwsKeyFamily::kEc && !der_to_raw(sig, len, raw, half)))
        state.SkipWithError("sign");
      benchmark::DoNotOptimize(sig);
      benchmark::DoNotOptimize(raw);
    }
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["input_bytes"] = static_cast<double>(p.input.size());
}

void BM_BareVerify(benchmark::State& state, JwsAlg alg) {
  const size_t i = index_of(alg);
  const JwsAlgSpec& spec = jws_alg_spec(alg);
  EVP_PKEY* key = fixture().public_keys[i].key.get();  // the verifier holds this one
  const Parts p = parts(i);
  if (spec.family == JwsKeyFamily::kOkp) {
    EvpMdCtxPtr ctx(EVP_MD_CTX_new());
    if (EVP_DigestVerifyInit_ex(ctx.get(), nullptr, nullptr, nullptr, nullptr, key, nullptr) != 1)
      throw std::runtime_error("Ed25519 context");
    for (auto _ : state) {
      if (EVP_DigestVerify(ctx.get(), bytes(p.signature), p.signature.size(), bytes(p.input),
                           p.input.size()) != 1)
        state.SkipWithError("verify");
    }
  } else {
    EvpMdPtr md(EVP_MD_fetch(nullptr, spec.digest, nullptr));
    EvpPkeyCtxPtr ctx = pkey_context(spec, key, md.get(), /*verify=*/true);
    const bool ec = spec.family == JwsKeyFamily::kEc;
    unsigned char der[300];
    for (auto _ : state) {
      unsigned char digest[EVP_MAX_MD_SIZE];
      unsigned int dlen = 0;
      const unsigned char* sig = bytes(p.signature);
      int len = static_cast<int>(p.signature.size());
      if (ec) {
        len = raw_to_der(p.signature, der);
        sig = der;
      }
      if (len <= 0 ||
          EVP_Digest(p.input.data(), p.input.size(), digest, &dlen, md.get(), nullptr) != 1 ||
          EVP_PKEY_verify(ctx.get(), sig, static_cast<size_t>(len), digest, dlen) != 1)
        state.SkipWithError("verify");
    }
  }
  state.SetItemsProcessed(state.iterations());
}

// --- The JWS path. ---

void BM_JwsSign(benchmark::State& state, JwsAlg alg) {
  const auto& f = fixture();
  const JwsSigner& signer = *f.signers[index_of(alg)];
  for (auto _ : state) {
    auto out = signer.sign(f.payload);
    if (!out) state.SkipWithError(out.error().detail.c_str());
    benchmark::DoNotOptimize(out);
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["payload_bytes"] = static_cast<double>(f.payload.size());
}

void BM_JwsVerify(benchmark::State& state, JwsAlg alg) {
  const auto& f = fixture();
  const std::string& jws = f.compact[index_of(alg)];
  for (auto _ : state) {
    auto out = f.verifier->verify(jws);
    if (!out) state.SkipWithError(out.error().detail.c_str());
    benchmark::DoNotOptimize(out);
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["jws_bytes"] = static_cast<double>(jws.size());
}

// --- The ratio table, printed after the console output. ---

class RatioReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const Run& run : runs) {
      if (run.error_occurred) continue;
      auto it = run.counters.find("items_per_second");
      if (it == run.counters.end()) continue;
      const std::string name = run.run_name.function_name;
      if (run.run_type == Run::RT_Aggregate) {
        if (run.aggregate_name == "median") medians_[name] = it->second.value;
      } else {
        samples_[name].push_back(it->second.value);
      }
    }
  }

  void Finalize() override {
    ConsoleReporter::Finalize();
    std::printf(
        "\nJWS compact, %zu-byte payload; ops/s (median of repetitions); ratio = JWS / bare "
        "OpenSSL; target >= 0.80x\n",
        fixture().payload.size());
    std::printf("%-6s %12s %12s %7s   %12s %12s %7s\n", "alg", "bare sign", "JWS sign", "ratio",
                "bare verify", "JWS verify", "ratio");
    for (const Case& c : cases()) {
      const std::string alg = jws_alg_name(c.alg);
      const double bs = rate("BM_BareSign/" + alg), js = rate("BM_JwsSign/" + alg);
      const double bv = rate("BM_BareVerify/" + alg), jv = rate("BM_JwsVerify/" + alg);
      if (bs <= 0 && bv <= 0) continue;
      std::printf("%-6s %s   %s\n", alg.c_str(), columns(bs, js).c_str(), columns(bv, jv).c_str());
    }
    std::fflush(stdout);
  }

 private:
  double rate(const std::string& name) const {
    if (auto it = medians_.find(name); it != medians_.end()) return it->second;
    auto it = samples_.find(name);
    if (it == samples_.end() || it->second.empty()) return 0;
    std::vector<double> v = it->second;
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
  }
  // "bare JWS ratio", the ratio marked '!' below the target; dashes for what did not run.
  static std::string columns(double bare, double jws) {
    char out[64];
    if (bare <= 0 || jws <= 0)
      std::snprintf(out, sizeof out, "%12s %12s %7s", "-", "-", "-");
    else
      std::snprintf(out, sizeof out, "%12.0f %12.0f %6.2fx%s", bare, jws, jws / bare,
                    jws / bare < 0.8 ? "!" : " ");
    return out;
  }

  std::map<std::string, double> medians_;
  std::map<std::string, std::vector<double>> samples_;
};

}  // namespace
}  // namespace lienthong::crypto

int main(int argc, char** argv) {
  using namespace lienthong::crypto;
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  // Bare and JWS of one algorithm run next to each other, so drift in the machine's load
  // touches both sides of a ratio alike.
  for (const Case& c : cases()) {
    const std::string alg = jws_alg_name(c.alg);
    benchmark::RegisterBenchmark(("BM_BareSign/" + alg).c_str(), BM_BareSign, c.alg)->MinTime(0.5);
    benchmark::RegisterBenchmark(("BM_JwsSign/" + alg).c_str(), BM_JwsSign, c.alg)->MinTime(0.5);
    benchmark::RegisterBenchmark(("BM_BareVerify/" + alg).c_str(), BM_BareVerify, c.alg)
        ->MinTime(0.5);
    benchmark::RegisterBenchmark(("BM_JwsVerify/" + alg).c_str(), BM_JwsVerify, c.alg)
        ->MinTime(0.5);
  }
  RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  return 0;
}
