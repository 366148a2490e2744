// Fuzz target for the JSON answers of the JWS-signed REST upstreams (STYLE.md §10): the
// enterprise registry and social insurance, read as the gateway's adapters read them once the
// detached signature has verified. The signature check itself is not fuzzed here (jws_verify
// does that): a stand-in JwsVerifier accepts every answer as signed by a configured signer, so
// the input reaches what comes after it:
//   SignedJsonCall::read_answer   size limit, crypto::parse_strict_json (depth, repeated names,
//                                 non-finite numbers), the evidence with the body re-attached
//   JsonMapping::apply            mappings/business.toml and mappings/insurance.toml, each
//                                 applied to every parsed answer
//   SignedRestAdapter::record_from   BusinessAdapter / InsuranceAdapter: not-found shapes,
//                                 maKetQua, the mapping, "about another subject", the record
// Input: byte 0 is the mode (bit 0 set: the JWS claims an unencoded payload, RFC 7797 b64=false,
// so the evidence is the flattened JSON serialization), then the subject asked for up to the
// first '\n', then the answer body. An adapter reads the answer only when its check_subject()
// accepts the subject, as fetch() does.
//
// Any input may be refused; a refusal must be NOT_FOUND or UPSTREAM_UNAVAILABLE with a detail,
// and no exception may escape. A broken invariant calls __builtin_trap(). The mappings are read
// once from LIENTHONG_SOURCE_DIR (set at build time; the environment variable of the same name
// overrides it). LIENTHONG_FUZZ_VERBOSE=1 prints each verdict.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/business/adapter.h"
#include "adapters/insurance/adapter.h"
#include "adapters/rest/signed_json_call.h"
#include "adapters/rest/signed_rest_config.h"
#include "gateway/core/encoding.h"
#include "gateway/core/executor.h"
#include "gateway/exchange/json_mapping.h"
#include "tests/fuzz/fuzz_check.h"
#include "tests/fuzz/throwaway_identity.h"

#ifndef LIENTHONG_SOURCE_DIR
#error "LIENTHONG_SOURCE_DIR must name the source tree (tests/fuzz/CMakeLists.txt)"
#endif

namespace {

using namespace lienthong;
namespace rest = adapters::rest;

constexpr const char* kSignerCn = "lienthong-fuzz upstream signer";
constexpr std::string_view kSignature = "c2lnbmF0dXJl";  // "signature": never checked here

constexpr const char* kFuzzTarget = "rest_answer_fuzz";

[[noreturn]] void setup_failed(const std::string& what) {
  lienthong::fuzz::setup_failed(kFuzzTarget, what);
}

using lienthong::fuzz::verbose;

std::string source_path(const std::string& relative) {
  const char* env = std::getenv("LIENTHONG_SOURCE_DIR");
  return std::string(env != nullptr && *env != '\0' ? env : LIENTHONG_SOURCE_DIR) + "/" + relative;
}

// The protected header of the stand-in detached JWS: the header segment of "header..signature".
std::string protected_header(bool b64) {
  return base64url_encode(b64 ? R"({"alg":"ES256"})"
                              : R"({"alg":"ES256","b64":false,"crit":["b64"]})");
}

// Accepts any detached compact JWS over any body, as signed by the throwaway certificate whose
// CN is a configured signer: what OpenSslJwsVerifier returns for a good upstream signature.
class AcceptingVerifier final : public crypto::JwsVerifier {
 public:
  AcceptingVerifier(std::shared_ptr<const crypto::SigningIdentity> identity, bool b64)
      : identity_(std::move(identity)), b64_(b64) {}

  Result<crypto::VerifiedJws> verify(
      std::string_view jws, std::optional<std::string_view> detached_payload) const override {
    if (!detached_payload) return fail(ErrorCode::kBadRequest, "stand-in: not detached");
    crypto::VerifiedJws v;
    v.serialization = crypto::JwsSerialization::kCompact;
    v.payload = std::string(*detached_payload);
    v.detached = true;
    v.b64 = b64_;
    crypto::JwsSignatureInfo info;
    info.alg = "ES256";
    info.protected_header =
        b64_ ? R"({"alg":"ES256"})" : R"({"alg":"ES256","b64":false,"crit":["b64"]})";
    info.signer = crypto::subject_dn(identity_->certificate.get());
    info.signer_fingerprint = crypto::sha256_fingerprint(identity_->certificate.get());
    info.chain.push_back(crypto::share(identity_->certificate.get()));
    v.signatures.push_back(std::move(info));
    return v;
  }

 private:
  std::shared_ptr<const crypto::SigningIdentity> identity_;
  bool b64_;
};

// Never reached: read_answer() and record_from() do not send anything.
class NoNetwork final : public upstream::HttpClient {
 public:
  void send(upstream::HttpRequest, upstream::ResponseCallback done) override {
    done(fail(ErrorCode::kUpstreamUnavailable, "fuzzing: no network"));
  }
  std::string breaker_state() const override { return "closed"; }
};

struct Fixture {
  std::shared_ptr<const crypto::SigningIdentity> identity;
  std::shared_ptr<rest::SignedJsonCall> calls[2];  // [0]: b64, [1]: b64=false
  std::shared_ptr<const exchange::JsonMapping> business_mapping;
  std::shared_ptr<const exchange::JsonMapping> insurance_mapping;
  std::shared_ptr<adapters::business::BusinessAdapter> business;
  std::shared_ptr<adapters::insurance::InsuranceAdapter> insurance;
};

std::shared_ptr<rest::SignedJsonCall> make_call(
    const std::shared_ptr<const crypto::SigningIdentity>& identity, const std::string& name,
    bool b64) {
  auto config = std::make_shared<rest::SignedRestConfig>();
  config->name = name;  // max_answer_bytes and max_json_depth: the shipped defaults
  config->url = "https://upstream.invalid/lookup";
  config->trusted_signers = {kSignerCn};
  auto http = std::make_shared<NoNetwork>();
  upstream::TokenConfig tc;
  tc.token_url = "https://upstream.invalid/token";
  tc.client_id = "fuzz";
  tc.client_secret = "fuzz";
  auto tokens = upstream::BearerTokenSource::create(http, tc, SystemClock::instance());
  auto call = rest::SignedJsonCall::create({config, http, tokens,
                                            std::make_shared<AcceptingVerifier>(identity, b64),
                                            std::make_shared<InlineExecutor>()});
  if (!call) setup_failed(call.error().detail);
  return *call;
}

std::shared_ptr<const exchange::JsonMapping> load_mapping(const char* name) {
  auto mapping = exchange::JsonMapping::load(source_path(std::string("mappings/") + name));
  if (!mapping) setup_failed(mapping.error().detail);
  return *mapping;
}

const Fixture& fixture() {
  static const Fixture f = [] {
    Fixture out;
    out.identity = fuzzing::throwaway_identity(kSignerCn);
    out.calls[0] = make_call(out.identity, "fuzz", true);
    out.calls[1] = make_call(out.identity, "fuzz", false);
    out.business_mapping = load_mapping("business.toml");
    out.insurance_mapping = load_mapping("insurance.toml");
    auto business = adapters::business::BusinessAdapter::create(
        {make_call(out.identity, "business", true), out.business_mapping, SystemClock::instance()});
    if (!business) setup_failed(business.error().detail);
    out.business = *business;
    auto insurance = adapters::insurance::InsuranceAdapter::create(
        {make_call(out.identity, "insurance", true), out.insurance_mapping,
         SystemClock::instance()});
    if (!insurance) setup_failed(insurance.error().detail);
    out.insurance = *insurance;
    return out;
  }();
  return f;
}

// What reading an answer may refuse with: the upstream broke its contract, or knows no such
// subject. Never BAD_REQUEST (the caller did nothing wrong) nor INTERNAL.
bool is_answer_error(ErrorCode code) {
  return code == ErrorCode::kUpstreamUnavailable || code == ErrorCode::kNotFound;
}

template <class T>
void report(const char* what, const Result<T>& r) {
  if (!verbose()) return;
  if (r)
    std::fprintf(stderr, "  %-10s ok\n", what);
  else
    std::fprintf(stderr, "  %-10s %s: %.160s\n", what,
                 std::string(error_code_name(r.error().code)).c_str(), r.error().detail.c_str());
}

// `name` is a canonical name of `mapping`, or one of its "[]" names numbered from 1.
bool granted(const exchange::JsonMapping& mapping, std::string_view name) {
  for (const auto& f : mapping.fields) {
    const size_t at = f.name.find("[]");
    if (at == std::string::npos) {
      if (name == f.name) return true;
      continue;
    }
    const std::string_view pre = std::string_view(f.name).substr(0, at);
    const std::string_view post = std::string_view(f.name).substr(at + 2);
    if (name.size() < pre.size() + post.size() + 2 || name.substr(0, pre.size()) != pre ||
        name[pre.size()] != '.' || name.substr(name.size() - post.size()) != post)
      continue;
    const std::string_view n =
        name.substr(pre.size() + 1, name.size() - pre.size() - 1 - post.size());
    if (!n.empty() && n[0] != '0' &&
        std::all_of(n.begin(), n.end(), [](char c) { return c >= '0' && c <= '9'; }))
      return true;
  }
  return false;
}

// Mapped fields: sorted, each name once, each granted by the mapping, no empty value.
void check_fields(const exchange::JsonMapping& mapping, const RecordFields& fields,
                  const char* target) {
  FUZZ_CHECK(std::is_sorted(fields.begin(), fields.end()), target);
  FUZZ_CHECK(std::adjacent_find(fields.begin(), fields.end(),
                                [](const auto& a, const auto& b) { return a.first == b.first; }) ==
                 fields.end(),
             target);
  for (const auto& [name, value] : fields) {
    FUZZ_CHECK(granted(mapping, name), target);
    FUZZ_CHECK(!value.empty(), target);
  }
  for (const auto& f : mapping.fields)
    if (f.required) FUZZ_CHECK(find_field(fields, f.name) != nullptr, target);
}

exchange::AdapterQuery query_for(std::string subject, std::string doc_type) {
  return {
      "0123456789abcdef0123456789abcdef",        std::move(subject),          std::move(doc_type),
      {"000.00.00.G22-261122-0001", "1.001234"}, {"001092000001", "canbo.a"}, "000.00.00.G22"};
}

void check_record(const char* target, const rest::SignedRestAdapter& adapter,
                  const exchange::JsonMapping& mapping, const std::string& subject,
                  const char* key_field, const rest::SignedAnswer& answer) {
  auto record = adapter.record_from(query_for(subject, mapping.document_type), answer);
  report(target, record);
  if (!record) {
    FUZZ_CHECK(is_answer_error(record.error().code), target);
    FUZZ_CHECK(!record.error().detail.empty(), target);
    return;
  }
  const auto& type = adapter.document_types().front();
  FUZZ_CHECK(record->subject == subject, target);
  FUZZ_CHECK(record->doc_type == mapping.document_type && type.code == mapping.document_type,
             target);
  FUZZ_CHECK(record->code == record_code(subject, record->doc_type), target);
  FUZZ_CHECK(record->source == adapter.name(), target);
  FUZZ_CHECK(record->expires_at - record->verified_at == type.ttl, target);
  // The record is about the subject asked for, and holds exactly what the mapping reads.
  const std::string* key = find_field(record->fields, key_field);
  FUZZ_CHECK(key != nullptr && *key == subject, target);
  check_fields(mapping, record->fields, target);
  auto direct = mapping.apply(answer.json);
  FUZZ_CHECK(direct && *direct == record->fields, target);
  FUZZ_CHECK(record->evidence.signed_bytes == answer.evidence.signed_bytes &&
                 record->evidence.kind == "jws",
             target);
}

bool is_insurance_code(std::string_view s) {
  return s.size() == 10 &&
         std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

void run(std::string_view input) {
  const Fixture& f = fixture();
  const bool b64 = (static_cast<unsigned char>(input[0]) & 1) == 0;
  input.remove_prefix(1);
  const size_t eol = input.find('\n');
  const std::string subject(eol == std::string_view::npos ? std::string_view()
                                                          : input.substr(0, eol));
  const std::string_view body = eol == std::string_view::npos ? input : input.substr(eol + 1);

  upstream::HttpResponse response;
  response.status = 200;
  response.content_type = "application/json";
  response.body = std::string(body);
  const std::string header = protected_header(b64);
  response.headers.emplace_back(std::string(rest::kSignatureHeader),
                                header + ".." + std::string(kSignature));
  auto answer = f.calls[b64 ? 0 : 1]->read_answer(response);
  report("answer", answer);
  if (!answer) {
    // Malformed or too large: the upstream broke its contract.
    FUZZ_CHECK(answer.error().code == ErrorCode::kUpstreamUnavailable, "answer");
    FUZZ_CHECK(!answer.error().detail.empty(), "answer");
    return;
  }
  // The evidence is the JWS with exactly this body put back, by the signer that verified.
  const Evidence& evidence = answer->evidence;
  FUZZ_CHECK(evidence.kind == "jws", "evidence");
  FUZZ_CHECK(evidence.signer == crypto::subject_dn(f.identity->certificate.get()), "evidence");
  FUZZ_CHECK(
      evidence.signer_fingerprint == crypto::sha256_fingerprint(f.identity->certificate.get()),
      "evidence");
  if (b64) {
    FUZZ_CHECK(evidence.signed_bytes ==
                   header + "." + base64url_encode(body) + "." + std::string(kSignature),
               "evidence");
  } else {
    const auto flattened = nlohmann::json::parse(evidence.signed_bytes);
    FUZZ_CHECK(flattened.at("payload").get<std::string>() == body, "evidence");
    FUZZ_CHECK(flattened.at("protected").get<std::string>() == header, "evidence");
    FUZZ_CHECK(flattened.at("signature").get<std::string>() == kSignature, "evidence");
  }

  // Each mapping on its own, whatever the answer's shape.
  for (const auto* mapping : {f.business_mapping.get(), f.insurance_mapping.get()}) {
    auto fields = mapping->apply(answer->json);
    report(mapping->document_type.c_str(), fields);
    if (!fields) {
      FUZZ_CHECK(is_answer_error(fields.error().code), "mapping");
      FUZZ_CHECK(!fields.error().detail.empty(), "mapping");
    } else {
      check_fields(*mapping, *fields, "mapping");
    }
  }

  // The adapters, for a subject each of them would have sent.
  if (f.business->check_subject(subject))
    check_record("business", *f.business, *f.business_mapping, subject, "ma_so_doanh_nghiep",
                 *answer);
  if (f.insurance->check_subject(subject))
    check_record("insurance", *f.insurance, *f.insurance_mapping, subject,
                 is_insurance_code(subject) ? "ma_so_bhxh" : "so_dinh_danh", *answer);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  // Outcomes, not exceptions (STYLE.md §5): one escaping from the code under test is a finding.
  try {
    run(std::string_view(reinterpret_cast<const char*>(data), size));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "rest_answer_fuzz: exception escaped: %s\n", e.what());
    __builtin_trap();
  }
  return 0;
}
