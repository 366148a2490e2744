// Signing and verifying a ~2 KB record envelope, next to the bare OpenSSL EVP operations on the
// same keys (the ceiling). ops/bench.sh runs this and prints each record-path figure as a ratio
// to its ceiling. Keys come from a dev PKI named by LIENTHONG_BENCH_PKI.
#include <benchmark/benchmark.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include <cstdlib>
#include <stdexcept>

#include "gateway/crypto/canonical_signer.h"
#include "gateway/crypto/key_material.h"
#include "gateway/crypto/xml_document.h"
#include "gateway/crypto/xml_signer.h"
#include "gateway/crypto/xml_verifier.h"
#include "tests/support/sample_record.h"

namespace lienthong::crypto {
namespace {

std::filesystem::path pki() {
  const char* dir = std::getenv("LIENTHONG_BENCH_PKI");
  if (dir == nullptr)
    throw std::runtime_error("set LIENTHONG_BENCH_PKI to a dev PKI (ops/bench.sh does)");
  return dir;
}

struct KeySet {
  std::shared_ptr<const SigningIdentity> identity;
  std::shared_ptr<const CanonicalXmlSigner> canonical;
  std::shared_ptr<const XmlDsigSigner> xmlsec;
  std::shared_ptr<const XmlDsigVerifier> verifier;
  std::string signed_record;             // KeyInfo: the signing certificate only
  std::string signed_record_with_chain;  // KeyInfo: signing certificate and intermediate
};

const KeySet& keys(const std::string& kt) {
  static std::map<std::string, KeySet> cache;
  auto it = cache.find(kt);
  if (it != cache.end()) return it->second;
  KeySet k;
  const auto dir = pki() / kt;
  // The gateway's verifiers hold the intermediates in their trust directory, so a record needs
  // to carry only its signing certificate; the variant with the chain is measured too.
  k.identity = *SigningIdentity::load(dir / "gateway-sign.key", dir / "gateway-sign.crt");
  k.canonical = *CanonicalXmlSigner::create(k.identity);
  auto with_chain = *CanonicalXmlSigner::create(*SigningIdentity::load(
      dir / "gateway-sign.key", dir / "gateway-sign.crt", {dir / "intermediate-ca.crt"}));
  k.signed_record_with_chain = *with_chain->sign(testing::sample_record());
  k.xmlsec = *XmlDsigSigner::create(k.identity);
  XmlVerifierConfig config;
  config.trust = *X509TrustStore::create(*TrustMaterial::from_directory(dir / "trust"));
  k.verifier = *XmlDsigVerifier::create(std::move(config));
  k.signed_record = *k.canonical->sign(testing::sample_record());
  if (!k.verifier->verify(k.signed_record) || !k.verifier->verify(k.signed_record_with_chain))
    throw std::runtime_error("bench record does not verify");
  return cache.emplace(kt, std::move(k)).first->second;
}

// --- The ceiling: bare EVP on a SHA-256 digest, contexts reused, as fast as OpenSSL goes. ---

void BM_EvpSign(benchmark::State& state, const std::string& kt) {
  EVP_PKEY* key = keys(kt).identity->key.get();
  EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, key, nullptr));
  EVP_PKEY_sign_init(ctx.get());
  EVP_PKEY_CTX_set_signature_md(ctx.get(), EVP_sha256());
  if (kt == "rsa") EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PADDING);
  unsigned char digest[32] = {1, 2, 3};
  unsigned char sig[512];
  for (auto _ : state) {
    size_t len = sizeof sig;
    if (EVP_PKEY_sign(ctx.get(), sig, &len, digest, sizeof digest) != 1)
      state.SkipWithError("sign");
    benchmark::DoNotOptimize(sig);
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_EvpVerify(benchmark::State& state, const std::string& kt) {
  EVP_PKEY* key = keys(kt).identity->key.get();
  EvpPkeyCtxPtr sctx(EVP_PKEY_CTX_new_from_pkey(nullptr, key, nullptr));
  EVP_PKEY_sign_init(sctx.get());
  EVP_PKEY_CTX_set_signature_md(sctx.get(), EVP_sha256());
  unsigned char digest[32] = {1, 2, 3};
  unsigned char sig[512];
  size_t len = sizeof sig;
  EVP_PKEY_sign(sctx.get(), sig, &len, digest, sizeof digest);
  EvpPkeyPtr pub(X509_get_pubkey(keys(kt).identity->certificate.get()));
  EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, pub.get(), nullptr));
  EVP_PKEY_verify_init(ctx.get());
  EVP_PKEY_CTX_set_signature_md(ctx.get(), EVP_sha256());
  for (auto _ : state) {
    if (EVP_PKEY_verify(ctx.get(), sig, len, digest, sizeof digest) != 1)
      state.SkipWithError("verify");
  }
  state.SetItemsProcessed(state.iterations());
}

// --- The record path. ---

// Sign a record the gateway wrote: canonical bytes in, signed document out.
void BM_RecordSign(benchmark::State& state, const std::string& kt) {
  const auto& k = keys(kt);
  const std::string record = testing::sample_record();
  for (auto _ : state) {
    auto out = k.canonical->sign(record);
    if (!out) state.SkipWithError("sign");
    benchmark::DoNotOptimize(out);
  }
  state.SetItemsProcessed(state.iterations());
}

// The same, including writing the record from its fields.
void BM_RecordWriteAndSign(benchmark::State& state, const std::string& kt) {
  const auto& k = keys(kt);
  for (auto _ : state) {
    auto out = k.canonical->sign(testing::sample_record());
    if (!out) state.SkipWithError("sign");
    benchmark::DoNotOptimize(out);
  }
  state.SetItemsProcessed(state.iterations());
}

// General documents through xmlsec (parse, template, c14n, sign, serialise): the CLI's path.
void BM_XmlsecSignFromBytes(benchmark::State& state, const std::string& kt) {
  const auto& k = keys(kt);
  const std::string record = testing::sample_record();
  for (auto _ : state) {
    auto out = k.xmlsec->sign(record, {});
    if (!out) state.SkipWithError("sign");
    benchmark::DoNotOptimize(out);
  }
  state.SetItemsProcessed(state.iterations());
}

// Verify from bytes: safe parse, policy checks, KeyInfo, xmlsec verification, signed bytes out.
void BM_VerifyFromBytes(benchmark::State& state, const std::string& kt) {
  const auto& k = keys(kt);
  for (auto _ : state) {
    auto out = k.verifier->verify(k.signed_record);
    if (!out) state.SkipWithError(out.error().detail.c_str());
    benchmark::DoNotOptimize(out);
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["bytes"] = static_cast<double>(k.signed_record.size());
}

void BM_VerifyFromBytesWithChain(benchmark::State& state, const std::string& kt) {
  const auto& k = keys(kt);
  for (auto _ : state) {
    auto out = k.verifier->verify(k.signed_record_with_chain);
    if (!out) state.SkipWithError(out.error().detail.c_str());
    benchmark::DoNotOptimize(out);
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["bytes"] = static_cast<double>(k.signed_record_with_chain.size());
}

void BM_ParseOnly(benchmark::State& state, const std::string& kt) {
  const auto& k = keys(kt);
  for (auto _ : state) {
    auto doc = parse_untrusted_xml(k.signed_record, {}, IdAttribute::defaults());
    benchmark::DoNotOptimize(doc);
  }
  state.SetItemsProcessed(state.iterations());
}

}  // namespace
}  // namespace lienthong::crypto

using namespace lienthong::crypto;
#define LT_BENCH(fn)                                            \
  BENCHMARK_CAPTURE(fn, rsa, std::string("rsa"))->MinTime(1.0); \
  BENCHMARK_CAPTURE(fn, ec, std::string("ec"))->MinTime(1.0)

LT_BENCH(BM_EvpSign);
LT_BENCH(BM_EvpVerify);
LT_BENCH(BM_RecordSign);
LT_BENCH(BM_RecordWriteAndSign);
LT_BENCH(BM_XmlsecSignFromBytes);
LT_BENCH(BM_VerifyFromBytes);
LT_BENCH(BM_VerifyFromBytesWithChain);
BENCHMARK_CAPTURE(BM_ParseOnly, doc, std::string("ec"))->MinTime(1.0);

BENCHMARK_MAIN();
