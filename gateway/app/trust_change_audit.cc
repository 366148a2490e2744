#include "gateway/app/trust_change_audit.h"

#include <map>

#include "gateway/core/error.h"

namespace lienthong::app {
namespace {

audit::AuditEntry entry(std::string_view action, std::string_view why, TimePoint at) {
  audit::AuditEntry e;
  e.at = at;
  e.request_id = "reload";
  e.front = "trust";
  e.document_type = std::string(action);
  e.officer_account = std::string(why);
  e.outcome = "OK";
  return e;
}

// fingerprint → description, per kind.
std::map<std::string, std::string> by_fingerprint(const std::vector<crypto::CertificateFile>& v) {
  std::map<std::string, std::string> out;
  for (const auto& c : v)
    out[crypto::sha256_fingerprint(c.cert.get())] = crypto::subject_dn(c.cert.get());
  return out;
}

void diff(const std::map<std::string, std::string>& before,
          const std::map<std::string, std::string>& after, std::string_view kind,
          std::string_view why, TimePoint at, std::vector<audit::AuditEntry>& out) {
  for (const auto& [fp, what] : after)
    if (!before.contains(fp)) {
      auto e = entry(std::string("trust.") + std::string(kind) + "-added", why, at);
      e.member_certificate = fp;
      e.dossier_code = what.substr(0, 200);
      out.push_back(std::move(e));
    }
  for (const auto& [fp, what] : before)
    if (!after.contains(fp)) {
      auto e = entry(std::string("trust.") + std::string(kind) + "-removed", why, at);
      e.member_certificate = fp;
      e.dossier_code = what.substr(0, 200);
      out.push_back(std::move(e));
    }
}

// A CRL by its issuer and lastUpdate: a new one of the same issuer is an installed CRL.
std::map<std::string, std::string> crls(const crypto::TrustDirectoryContents& c) {
  std::map<std::string, std::string> out;
  for (const auto& f : c.crls) {
    char* issuer = X509_NAME_oneline(X509_CRL_get_issuer(f.crl.get()), nullptr, 0);
    const std::string key =
        std::string(issuer != nullptr ? issuer : "?") + " " +
        format_utc_time(crypto::to_time_point(X509_CRL_get0_lastUpdate(f.crl.get())));
    OPENSSL_free(issuer);
    out[key] = f.file.filename().string();
  }
  return out;
}

}  // namespace

std::vector<audit::AuditEntry> trust_changes(const crypto::TrustSnapshot* before,
                                             const crypto::TrustSnapshot& after,
                                             std::string_view why, TimePoint at) {
  std::vector<audit::AuditEntry> out;
  static const crypto::TrustDirectoryContents kEmpty;
  const auto& b = before != nullptr ? before->contents() : kEmpty;
  const auto& a = after.contents();
  diff(by_fingerprint(b.anchors), by_fingerprint(a.anchors), "anchor", why, at, out);
  diff(by_fingerprint(b.intermediates), by_fingerprint(a.intermediates), "intermediate", why, at,
       out);
  for (const auto& pin : a.pins)
    if (b.pin(pin.fingerprint) == nullptr) {
      auto e = entry("trust.pin-added", pin.pinned_by.empty() ? why : pin.pinned_by, at);
      e.member = pin.organ_code;
      e.member_certificate = pin.fingerprint;
      e.dossier_code = pin.subsystem.empty() ? "" : "subsystem " + pin.subsystem;
      out.push_back(std::move(e));
    }
  for (const auto& pin : b.pins)
    if (a.pin(pin.fingerprint) == nullptr) {
      auto e = entry("trust.pin-removed", why, at);
      e.member = pin.organ_code;
      e.member_certificate = pin.fingerprint;
      out.push_back(std::move(e));
    }
  const auto crls_before = crls(b);
  for (const auto& [key, file] : crls(a))
    if (!crls_before.contains(key)) {
      auto e = entry("trust.crl-installed", why, at);
      e.dossier_code = key.substr(0, 200);
      out.push_back(std::move(e));
    }
  return out;
}

audit::AuditEntry policy_changed(std::string_view old_digest, std::string_view new_digest,
                                 std::string_view why, TimePoint at) {
  auto e = entry("policy.changed", why, at);
  e.dossier_code = "sha256 " + std::string(old_digest.substr(0, 16)) + " -> " +
                   std::string(new_digest.substr(0, 16));
  return e;
}

audit::AuditEntry reload_refused(const Error& error, std::string_view why, TimePoint at) {
  auto e = entry("trust.reload-refused", why, at);
  e.outcome = std::string(error_code_name(error.code));
  e.dossier_code = error.detail.substr(0, 200);
  return e;
}

}  // namespace lienthong::app
