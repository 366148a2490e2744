// Fuzz target: an OCSP responder's answer (RFC 6960), the bytes crypto::OcspExchange checks
// before the gateway believes a certificate's revocation status. Whatever the bytes, the check
// must return a typed refusal, never crash or hang; and since the issuing CA here is a key made
// at startup that no input can have signed with, no input may ever be accepted.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "gateway/crypto/ocsp_exchange.h"
#include "tests/fuzz/fuzz_check.h"
#include "tests/fuzz/throwaway_identity.h"

namespace {

constexpr const char* kFuzzTarget = "ocsp_response_fuzz";

struct Target {
  std::shared_ptr<const lienthong::crypto::SigningIdentity> ca;
  std::optional<lienthong::crypto::OcspExchange> exchange;
};

const Target& target() {
  static const Target t = [] {
    Target out;
    out.ca = lienthong::fuzzing::throwaway_identity("lienthong fuzz OCSP CA");
    // The CA's own certificate stands for the leaf: the CertID is all a response is matched
    // against, and it needs an issuer name and key.
    auto exchange = lienthong::crypto::OcspExchange::create(out.ca->certificate.get(),
                                                            out.ca->certificate.get(), false);
    if (!exchange) lienthong::fuzz::setup_failed(kFuzzTarget, exchange.error().detail);
    out.exchange.emplace(std::move(*exchange));
    return out;
  }();
  return t;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const Target& t = target();
  lienthong::crypto::OcspResponseChecks checks;
  checks.now = std::chrono::system_clock::now();
  checks.clock_skew = std::chrono::minutes(5);
  checks.freshness = std::chrono::hours(1);
  checks.accept_missing_nonce = true;
  const std::string_view der(reinterpret_cast<const char*>(data), size);
  auto status = t.exchange->verify_response(der, checks);
  // An answer nobody signed with the issuing CA's key is never accepted.
  FUZZ_CHECK(!status, "verify_response");
  FUZZ_CHECK(!status.error().detail.empty(), "verify_response: a refusal needs a reason");
  return 0;
}
