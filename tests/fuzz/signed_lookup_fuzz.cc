// Fuzz target for members' signed JSON lookups (STYLE.md §10): decode_signed_json_lookup()
// (gateway/front/http/lookup_signed.cc), which both fronts use. One exchange::SignedJson (the
// shipped request algorithms and size limit, no answer signer) and one Member stand for a member
// connected with its certificate. The fuzz build has no dev PKI, so that certificate (in the
// role of member-g22's) and its EC P-256 key are made at startup.
//
// Byte 0 picks the mode (its value modulo 6; '0'..'5' in the seeds); the rest is:
//   0  the JWS as received (any serialization)
//   1  a payload the target signs itself with the member's key: compact
//   2  ... flattened JSON serialization
//   3  ... general JSON serialization
//   4  ... compact, unencoded payload (RFC 7797 b64=false)
//   5  ... compact, detached (a signed request must carry its payload)
// Modes 1 to 4 get past the signature, so mutations reach the payload decoding behind it.
//
// Any input may be refused; a refusal must be BAD_REQUEST, SIGNATURE_* or CERT_* with a detail,
// and no exception may escape. A JWS the target signed must open, and then decode exactly as
// decode_json_lookup() decodes its payload, iat and jti required. An accepted request carries
// its claims. A broken invariant calls __builtin_trap(). LIENTHONG_FUZZ_VERBOSE=1 prints each
// verdict.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <memory>
#include <string>
#include <string_view>

#include "gateway/crypto/jws_signer.h"
#include "gateway/crypto/openssl_types.h"
#include "gateway/exchange/signed_json.h"
#include "gateway/front/http/lookup_decoding.h"
#include "tests/fuzz/fuzz_check.h"
#include "tests/fuzz/throwaway_identity.h"

namespace {

using namespace lienthong;
namespace http = front::http;

constexpr const char* kFuzzTarget = "signed_lookup_fuzz";

[[noreturn]] void setup_failed(const std::string& what) {
  lienthong::fuzz::setup_failed(kFuzzTarget, what);
}

using lienthong::fuzz::verbose;

struct Fixture {
  exchange::SignedJson::Ptr signed_json;
  Member member;
  std::unique_ptr<const crypto::JwsSigner> signer;  // the member's key, ES256
};

const Fixture& fixture() {
  static const Fixture f = [] {
    Fixture out;
    auto identity = fuzzing::throwaway_identity("member-g22 (fuzzing)");
    auto created = exchange::SignedJson::create({});
    if (!created) setup_failed(created.error().detail);
    out.signed_json = *created;
    out.member.organ_code = "000.00.00.G22";
    out.member.certificate_der = crypto::to_der(identity->certificate.get());
    out.member.certificate_fingerprint = crypto::sha256_fingerprint(identity->certificate.get());
    auto signer = crypto::JwsSigner::from_identity(*identity, "member-g22", /*include_x5c=*/false);
    if (!signer) setup_failed(signer.error().detail);
    out.signer = std::move(*signer);
    return out;
  }();
  return f;
}

constexpr const char* kModes[] = {"raw",     "compact",   "flattened",
                                  "general", "b64=false", "detached"};

bool is_refusal(ErrorCode code) {
  switch (code) {
    case ErrorCode::kBadRequest:
    case ErrorCode::kSignatureInvalid:
    case ErrorCode::kSignaturePolicy:
    case ErrorCode::kCertUntrusted:
    case ErrorCode::kCertExpired:
    case ErrorCode::kCertRevoked:
      return true;
    default:
      return false;  // INTERNAL and the rest: no request should lead there
  }
}

bool same_lookup(const http::DecodedLookup& a, const http::DecodedLookup& b) {
  const LookupRequest& x = a.request;
  const LookupRequest& y = b.request;
  return a.client_request_id == b.client_request_id && a.iat == b.iat && a.jti == b.jti &&
         x.subject == y.subject && x.document_type == y.document_type &&
         x.purpose.dossier_code == y.purpose.dossier_code &&
         x.purpose.procedure_code == y.purpose.procedure_code &&
         x.officer.personal_id == y.officer.personal_id && x.officer.account == y.officer.account &&
         x.max_age == y.max_age && x.fields == y.fields;
}

void run(std::string_view input) {
  const Fixture& f = fixture();
  const int mode = static_cast<unsigned char>(input[0]) % 6;
  const char* target = kModes[mode];
  const std::string_view rest = input.substr(1);

  std::string jws;
  if (mode == 0) {
    jws = std::string(rest);
  } else {
    crypto::JwsSignOptions options;
    if (mode == 2) options.serialization = crypto::JwsSerialization::kFlattened;
    if (mode == 3) options.serialization = crypto::JwsSerialization::kGeneral;
    if (mode == 4) options.b64 = false;
    if (mode == 5) options.detached = true;
    auto signed_jws = f.signer->sign(rest, options);
    if (!signed_jws) {
      // Only an unencoded payload the compact form cannot carry ('.') may be refused.
      FUZZ_CHECK(mode == 4 && rest.find('.') != std::string_view::npos, target);
      FUZZ_CHECK(is_refusal(signed_jws.error().code), target);
      return;
    }
    jws = std::move(*signed_jws);
  }

  auto decoded = http::decode_signed_json_lookup(*f.signed_json, f.member, jws);
  if (verbose()) {
    if (decoded)
      std::fprintf(stderr, "  %-9s valid: subject %.40s, jti %.40s\n", target,
                   decoded->request.subject.c_str(), decoded->jti->c_str());
    else
      std::fprintf(stderr, "  %-9s %s: %.160s\n", target,
                   std::string(error_code_name(decoded.error().code)).c_str(),
                   decoded.error().detail.c_str());
  }
  if (!decoded) {
    FUZZ_CHECK(is_refusal(decoded.error().code), target);
    FUZZ_CHECK(!decoded.error().detail.empty(), target);
  } else {
    // A verified request carries both claims, in the bounds the decoder promises.
    const auto& claims = decoded->request.signature;
    FUZZ_CHECK(claims.has_value() && decoded->iat && decoded->jti, target);
    FUZZ_CHECK(claims->alg == "ES256", target);
    FUZZ_CHECK(claims->jti == *decoded->jti && claims->iat == *decoded->iat, target);
    FUZZ_CHECK(exchange::check_jti(claims->jti).has_value(), target);
    FUZZ_CHECK(decoded->client_request_id.size() <= http::kClientRequestIdMax, target);
    FUZZ_CHECK(!decoded->request.max_age || decoded->request.max_age->count() >= 0, target);
  }

  if (mode == 5) {
    // A detached JWS opens only as the attached empty payload it equals when there is nothing
    // to detach, and "" is no lookup.
    FUZZ_CHECK(!decoded, target);
    return;
  }
  if (mode == 0 || jws.size() > 64 << 10) return;  // over max_request_bytes: refused, checked

  // What the member's own key signed opens, and decodes as the bare JSON decoder decodes it.
  auto reference = http::decode_json_lookup(rest);
  if (!reference) {
    FUZZ_CHECK(!decoded, target);
    FUZZ_CHECK(decoded.error().code == reference.error().code &&
                   decoded.error().detail == reference.error().detail,
               target);
  } else if (!reference->iat || !reference->jti) {
    FUZZ_CHECK(!decoded && decoded.error().code == ErrorCode::kBadRequest, target);
  } else {
    FUZZ_CHECK(decoded.has_value(), target);
    FUZZ_CHECK(same_lookup(*decoded, *reference), target);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  // Outcomes, not exceptions (STYLE.md §5): one escaping from the code under test is a finding.
  try {
    run(std::string_view(reinterpret_cast<const char*>(data), size));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "signed_lookup_fuzz: exception escaped: %s\n", e.what());
    __builtin_trap();
  }
  return 0;
}
