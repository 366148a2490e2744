#include "gateway/crypto/jws_algorithms.h"

#include <array>
#include <cctype>

namespace lienthong::crypto {

namespace {

using F = JwsKeyFamily;

constexpr std::array<JwsAlgSpec, 13> kSpecs = {{
    {JwsAlg::kHS256, "HS256", F::kOct, "SHA256", nullptr, 32},
    {JwsAlg::kHS384, "HS384", F::kOct, "SHA384", nullptr, 48},
    {JwsAlg::kHS512, "HS512", F::kOct, "SHA512", nullptr, 64},
    {JwsAlg::kRS256, "RS256", F::kRsa, "SHA256", nullptr},
    {JwsAlg::kRS384, "RS384", F::kRsa, "SHA384", nullptr},
    {JwsAlg::kRS512, "RS512", F::kRsa, "SHA512", nullptr},
    {JwsAlg::kPS256, "PS256", F::kRsa, "SHA256", nullptr, 0, true},
    {JwsAlg::kPS384, "PS384", F::kRsa, "SHA384", nullptr, 0, true},
    {JwsAlg::kPS512, "PS512", F::kRsa, "SHA512", nullptr, 0, true},
    {JwsAlg::kES256, "ES256", F::kEc, "SHA256", "P-256", 64},
    {JwsAlg::kES384, "ES384", F::kEc, "SHA384", "P-384", 96},
    {JwsAlg::kES512, "ES512", F::kEc, "SHA512", "P-521", 132},
    {JwsAlg::kEdDSA, "EdDSA", F::kOkp, nullptr, "Ed25519"},
}};

}  // namespace

const JwsAlgSpec& jws_alg_spec(JwsAlg alg) { return kSpecs[static_cast<size_t>(alg)]; }

std::optional<JwsAlg> jws_alg_from_name(std::string_view name) {
  for (const auto& spec : kSpecs)
    if (name == spec.name) return spec.alg;
  return std::nullopt;
}

const std::set<JwsAlg>& default_jws_algorithms() {
  static const std::set<JwsAlg> algs = {JwsAlg::kES256, JwsAlg::kES384, JwsAlg::kES512,
                                        JwsAlg::kPS256, JwsAlg::kRS256, JwsAlg::kEdDSA};
  return algs;
}

bool is_unsecured_alg_name(std::string_view name) {
  if (name.size() != 4) return false;
  for (size_t i = 0; i < 4; ++i)
    if (std::tolower(static_cast<unsigned char>(name[i])) != "none"[i]) return false;
  return true;
}

}  // namespace lienthong::crypto
