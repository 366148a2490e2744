#include "gateway/crypto/trust_snapshot.h"

#include <openssl/x509v3.h>

#include "gateway/crypto/certificate_checks.h"

namespace lienthong::crypto {
namespace {

std::string verdict(const Result<ValidatedPath>& path) {
  if (path) return "good";
  switch (path.error().code) {
    case ErrorCode::kCertRevoked:
      return "revoked";
    case ErrorCode::kCertExpired:
      return path.error().detail.find("not valid before") != std::string::npos ? "not yet valid"
                                                                               : "expired";
    default:
      if (revocation_unknown(path.error()))
        return "revocation unknown: " + path.error().detail;
      return "untrusted: " + path.error().detail;
  }
}

}  // namespace

nlohmann::json to_json(const CertificateStatus& s) {
  return {{"kind", s.kind},
          {"subject", s.subject},
          {"organ_code", s.organ_code},
          {"subsystem", s.subsystem},
          {"pinned_at", s.pinned_at},
          {"pinned_by", s.pinned_by},
          {"key", s.key},
          {"not_after", format_utc_time(s.not_after)},
          {"seconds_to_expiry", s.seconds_to_expiry},
          {"status", s.status},
          {"fingerprint", s.fingerprint}};
}

Result<TrustSnapshot::Ptr> TrustSnapshot::load(const std::filesystem::path& dir,
                                               std::uint64_t generation) {
  auto contents = TrustDirectory(dir).read();
  if (!contents) return tl::unexpected(contents.error());
  return from_contents(std::move(*contents), dir.string(), generation);
}

Result<TrustSnapshot::Ptr> TrustSnapshot::from_contents(TrustDirectoryContents contents,
                                                        std::string source,
                                                        std::uint64_t generation) {
  // One certificate in two roles (pinned and an anchor, twice pinned) is a mistake to fix,
  // not to guess about.
  std::vector<std::string> seen;
  auto once = [&](const X509* cert, const std::filesystem::path& file) -> Result<void> {
    std::string fp = sha256_fingerprint(cert);
    if (std::find(seen.begin(), seen.end(), fp) != seen.end())
      return fail(ErrorCode::kBadRequest, file.string() + ": certificate " + fp.substr(0, 16) +
                                              "… appears twice in the trust directory");
    seen.push_back(std::move(fp));
    return {};
  };
  for (const auto& a : contents.anchors)
    if (auto ok = once(a.cert.get(), a.file); !ok) return tl::unexpected(ok.error());
  for (const auto& i : contents.intermediates)
    if (auto ok = once(i.cert.get(), i.file); !ok) return tl::unexpected(ok.error());
  for (const auto& p : contents.pins)
    if (auto ok = once(p.cert.get(), p.file); !ok) return tl::unexpected(ok.error());
  auto store = X509TrustStore::create(contents.material());
  if (!store) return tl::unexpected(store.error());
  auto snapshot = std::shared_ptr<TrustSnapshot>(new TrustSnapshot());
  snapshot->contents_ = std::move(contents);
  for (const auto& pin : snapshot->contents_.pins)
    snapshot->pins_by_fingerprint_.emplace(pin.fingerprint, &pin);
  snapshot->store_ = std::move(*store);
  snapshot->generation_ = generation;
  snapshot->source_ = std::move(source);
  return Ptr(std::move(snapshot));
}

Result<ValidatedPath> TrustSnapshot::check(const X509* cert, const std::vector<X509*>& untrusted,
                                           TimePoint now, int purpose) const {
  PathCheck check;
  check.leaf = cert;
  check.untrusted = untrusted;
  check.at = now;
  check.purpose = purpose;
  return store_->validate(check);
}

std::vector<CertificateStatus> TrustSnapshot::statuses(TimePoint now) const {
  std::vector<CertificateStatus> out;
  auto describe = [&](std::string kind, const X509* cert, const std::filesystem::path& file,
                      int purpose) {
    CertificateStatus s;
    s.kind = std::move(kind);
    s.subject = subject_dn(cert);
    s.key = key_description(cert);
    s.not_after = to_time_point(X509_get0_notAfter(cert));
    s.seconds_to_expiry = seconds_to_expiry(cert, now);
    s.fingerprint = sha256_fingerprint(cert);
    s.status = verdict(check(cert, {}, now, purpose));
    s.file = file;
    return s;
  };
  for (const auto& a : contents_.anchors)
    out.push_back(describe("anchor", a.cert.get(), a.file, 0));
  for (const auto& i : contents_.intermediates)
    out.push_back(describe("intermediate", i.cert.get(), i.file, 0));
  for (const auto& p : contents_.pins) {
    auto s = describe("member", p.cert.get(), p.file, X509_PURPOSE_SSL_CLIENT);
    s.organ_code = p.organ_code;
    s.subsystem = p.subsystem;
    s.pinned_at = p.pinned_at;
    s.pinned_by = p.pinned_by;
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace lienthong::crypto
