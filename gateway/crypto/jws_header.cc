#include "gateway/crypto/jws_header.h"

#include <string_view>

#include "gateway/crypto/jws_json.h"

namespace lienthong::crypto {

namespace {

using json = nlohmann::json;

Error policy(std::string detail) { return Error{ErrorCode::kSignaturePolicy, std::move(detail)}; }
Error invalid(std::string detail) { return Error{ErrorCode::kSignatureInvalid, std::move(detail)}; }

// Strict RFC 4648 base64 with padding, as x5c uses it (RFC 7515 sec. 4.1.6).
std::optional<std::string> base64_decode_strict(std::string_view text) {
  if (text.empty() || text.size() % 4 != 0) return std::nullopt;
  size_t pad = 0;
  while (pad < 2 && !text.empty() && text[text.size() - 1 - pad] == '=') ++pad;
  std::string out;
  unsigned acc = 0;
  int bits = 0;
  for (size_t i = 0; i + pad < text.size(); ++i) {
    const char c = text[i];
    int v = -1;
    if (c >= 'A' && c <= 'Z') v = c - 'A';
    if (c >= 'a' && c <= 'z') v = c - 'a' + 26;
    if (c >= '0' && c <= '9') v = c - '0' + 52;
    if (c == '+') v = 62;
    if (c == '/') v = 63;
    if (v < 0) return std::nullopt;
    acc = (acc << 6) | static_cast<unsigned>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xff);
    }
  }
  if ((acc & ((1u << bits) - 1)) != 0) return std::nullopt;
  return out;
}

struct Lookup {
  const json* value = nullptr;
  bool is_protected = false;
};

Lookup find(const ParsedSignature& sig, const char* name) {
  if (auto it = sig.protected_header.find(name); it != sig.protected_header.end())
    return {&*it, true};
  if (auto it = sig.unprotected.find(name); it != sig.unprotected.end()) return {&*it, false};
  return {};
}

std::string allowed_list(const std::set<JwsAlg>& allowed) {
  std::string out;
  for (JwsAlg a : allowed) out += (out.empty() ? "" : ", ") + std::string(jws_alg_name(a));
  return out;
}

Result<JwsAlg> check_alg(const ParsedSignature& sig, const std::set<JwsAlg>& allowed) {
  const Lookup alg = find(sig, "alg");
  if (alg.value == nullptr) return tl::unexpected(invalid("header has no 'alg'"));
  if (!alg.value->is_string()) return tl::unexpected(invalid("header 'alg' is not a string"));
  const std::string& name = alg.value->get_ref<const std::string&>();
  if (is_unsecured_alg_name(name))
    return tl::unexpected(policy("alg '" + shown(name) + "' (an unsecured JWS) is refused"));
  const auto id = jws_alg_from_name(name);
  if (!id) return tl::unexpected(policy("alg '" + shown(name) + "' is not supported"));
  if (!allowed.contains(*id))
    return tl::unexpected(
        policy("alg " + name + " is not allowed here (allowed: " + allowed_list(allowed) + ")"));
  return *id;
}

// RFC 7515 sec. 4.1.11 and RFC 7797 sec. 6: the only extension understood is "b64".
Result<bool> check_crit_and_b64(const ParsedSignature& sig) {
  const Lookup crit = find(sig, "crit");
  bool crit_b64 = false;
  if (crit.value != nullptr) {
    if (!crit.is_protected) return tl::unexpected(policy("'crit' must be in the protected header"));
    if (!crit.value->is_array() || crit.value->empty())
      return tl::unexpected(invalid("'crit' is not a non-empty array"));
    for (const auto& entry : *crit.value) {
      if (!entry.is_string()) return tl::unexpected(invalid("'crit' holds a non-string"));
      const std::string& name = entry.get_ref<const std::string&>();
      if (name != "b64")
        return tl::unexpected(policy("critical header parameter '" + shown(name) +
                                     "' is not understood (only b64 is)"));
      if (crit_b64) return tl::unexpected(invalid("'crit' names b64 twice"));
      if (!sig.protected_header.contains(name))
        return tl::unexpected(
            policy("'crit' names '" + name + "', absent from the protected header"));
      crit_b64 = true;
    }
  }
  const Lookup b64 = find(sig, "b64");
  if (b64.value == nullptr) return true;
  if (!b64.is_protected)
    return tl::unexpected(policy("'b64' must be integrity protected (RFC 7797 sec. 3)"));
  if (!b64.value->is_boolean()) return tl::unexpected(invalid("'b64' is not a boolean"));
  if (!crit_b64)
    return tl::unexpected(policy("'b64' used without crit [\"b64\"] (RFC 7797 sec. 6)"));
  return b64.value->get<bool>();
}

Result<std::vector<X509Ptr>> check_x5c(const ParsedSignature& sig, const JwsLimits& limits) {
  const Lookup x5c = find(sig, "x5c");
  std::vector<X509Ptr> certs;
  if (x5c.value == nullptr) return certs;
  if (!x5c.is_protected) return tl::unexpected(policy("'x5c' must be in the protected header"));
  if (!x5c.value->is_array() || x5c.value->empty())
    return tl::unexpected(invalid("'x5c' is not a non-empty array"));
  if (x5c.value->size() > limits.max_x5c)
    return tl::unexpected(
        policy("'x5c' holds more than " + std::to_string(limits.max_x5c) + " certificates"));
  for (size_t i = 0; i < x5c.value->size(); ++i) {
    const json& entry = (*x5c.value)[i];
    const std::string where = "x5c[" + std::to_string(i) + "] ";
    if (!entry.is_string()) return tl::unexpected(invalid(where + "is not a string"));
    auto der = base64_decode_strict(entry.get_ref<const std::string&>());
    if (!der) return tl::unexpected(invalid(where + "is not base64"));
    const auto* p = reinterpret_cast<const unsigned char*>(der->data());
    X509Ptr cert(d2i_X509(nullptr, &p, static_cast<long>(der->size())));
    if (!cert || p != reinterpret_cast<const unsigned char*>(der->data()) + der->size()) {
      ERR_clear_error();
      return tl::unexpected(invalid(where + "is not one DER certificate"));
    }
    certs.push_back(std::move(cert));
  }
  return certs;
}

}  // namespace

Result<CheckedHeader> check_header(const ParsedSignature& sig, const std::set<JwsAlg>& allowed,
                                   const JwsLimits& limits) {
  for (const auto& [name, value] : sig.unprotected.items())
    if (sig.protected_header.contains(name))
      return fail(ErrorCode::kSignaturePolicy,
                  "header parameter '" + shown(name) + "' is both protected and unprotected");
  CheckedHeader out;
  auto alg = check_alg(sig, allowed);
  if (!alg) return tl::unexpected(alg.error());
  out.alg = *alg;
  for (const char* embedded : {"jwk", "jku", "x5u"})
    if (find(sig, embedded).value != nullptr)
      return fail(ErrorCode::kSignaturePolicy,
                  std::string("header '") + embedded +
                      "' refused: keys come only from configuration or a trusted x5c");
  auto b64 = check_crit_and_b64(sig);
  if (!b64) return tl::unexpected(b64.error());
  out.b64 = *b64;
  if (const Lookup kid = find(sig, "kid"); kid.value != nullptr) {
    if (!kid.value->is_string()) return fail(ErrorCode::kSignatureInvalid, "'kid' is not a string");
    out.kid = kid.value->get<std::string>();
  }
  auto x5c = check_x5c(sig, limits);
  if (!x5c) return tl::unexpected(x5c.error());
  out.x5c = std::move(*x5c);
  return out;
}

}  // namespace lienthong::crypto
