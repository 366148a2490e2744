#include "gateway/crypto/certificate_names.h"

#include <openssl/x509v3.h>

#include <algorithm>
#include <cctype>
#include <memory>
#include <string_view>

#include "gateway/core/identifiers.h"

namespace lienthong::crypto {
namespace {

constexpr std::string_view kOrganUriPrefix = "urn:lienthong:organ:";

using GeneralNamesPtr =
    std::unique_ptr<GENERAL_NAMES, decltype([](GENERAL_NAMES* n) { GENERAL_NAMES_free(n); })>;

std::string asn1_to_utf8(const ASN1_STRING* s) {
  unsigned char* utf8 = nullptr;
  const int len = ASN1_STRING_to_UTF8(&utf8, s);
  if (len < 0) return {};
  std::string out(reinterpret_cast<char*>(utf8), static_cast<size_t>(len));
  OPENSSL_free(utf8);
  return out;
}

bool has_prefix_ignoring_case(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(s[i])) != prefix[i]) return false;
  return true;
}

// The organ codes named by urn:lienthong:organ:<code> URIs in the subjectAltName.
std::vector<std::string> organ_uris(const X509* cert) {
  std::vector<std::string> out;
  GeneralNamesPtr names(
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr)));
  if (!names) return out;
  for (int i = 0; i < sk_GENERAL_NAME_num(names.get()); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names.get(), i);
    if (name->type != GEN_URI) continue;
    const ASN1_IA5STRING* uri = name->d.uniformResourceIdentifier;
    const std::string_view text(reinterpret_cast<const char*>(ASN1_STRING_get0_data(uri)),
                                static_cast<size_t>(ASN1_STRING_length(uri)));
    // URN scheme and namespace identifier are case-insensitive (RFC 8141).
    if (has_prefix_ignoring_case(text, kOrganUriPrefix))
      out.emplace_back(text.substr(kOrganUriPrefix.size()));
  }
  return out;
}

}  // namespace

std::vector<std::string> subject_values(const X509* cert, int nid) {
  std::vector<std::string> out;
  const X509_NAME* subject = X509_get_subject_name(cert);
  for (int i = X509_NAME_get_index_by_NID(subject, nid, -1); i >= 0;
       i = X509_NAME_get_index_by_NID(subject, nid, i))
    out.push_back(asn1_to_utf8(X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, i))));
  return out;
}

Result<std::string> organ_code_of(const X509* cert) {
  if (cert == nullptr) return fail(ErrorCode::kCertUntrusted, "no certificate");
  const std::vector<std::string> uris = organ_uris(cert);
  if (!uris.empty()) {
    if (std::any_of(uris.begin(), uris.end(), [&](const auto& u) { return u != uris.front(); }))
      return fail(ErrorCode::kCertUntrusted, "certificate names more than one organ code");
    auto code = parse_organ_code(uris.front());
    if (!code)
      return fail(ErrorCode::kCertUntrusted,
                  "certificate's organ URI does not hold an organ code (NNN.NN.NN.ANN)");
    return code;
  }
  const std::vector<std::string> cns = subject_values(cert, NID_commonName);
  if (cns.size() == 1)
    if (auto code = parse_organ_code(cns.front())) return code;
  return fail(ErrorCode::kCertUntrusted, "certificate names no organ code");
}

std::string subsystem_of(const X509* cert) {
  const std::vector<std::string> units = subject_values(cert, NID_organizationalUnitName);
  return units.empty() ? std::string() : units.front();
}

}  // namespace lienthong::crypto
