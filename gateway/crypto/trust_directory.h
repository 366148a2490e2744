// The trust directory on disk (certs/README.md "Trust directory"): what the gateway trusts,
// changed only by `lienthong trust` (or the admin API) and read whole into a TrustSnapshot.
//
//   anchors/         self-signed CA certificates (PEM or DER, any name)
//   intermediates/   subordinate CAs, used to build paths, never trusted by themselves
//   crls/            CRLs of anchors and intermediates, one per issuer
//   members/         pinned member certificates: <fingerprint>.json, one per certificate,
//                    binding it to an organ code (and optionally a subsystem)
//   .lock            flock(LOCK_EX) while a change is made: concurrent changes are serialised
//
// Every change writes a temporary file, fsyncs it, renames it into place and fsyncs the
// directory: a reader (the gateway reloading) sees the old file or the new one, never half.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "gateway/core/clock.h"
#include "gateway/core/error.h"
#include "gateway/crypto/openssl_types.h"
#include "gateway/crypto/trust_store.h"

namespace lienthong::crypto {

struct CertificateFile {
  std::filesystem::path file;
  X509Ptr cert;
};

struct CrlFile {
  std::filesystem::path file;
  X509CrlPtr crl;
};

// A member certificate bound to the organ (and subsystem) it may act as.
struct MemberPin {
  std::filesystem::path file;
  std::string organ_code;
  std::string subsystem;  // "" = whatever subsystem the certificate names
  std::string fingerprint;
  std::string pinned_at;  // UTC, as written
  std::string pinned_by;  // who pinned it: the admin API's admin, or the CLI's OS user
  X509Ptr cert;
};

struct TrustDirectoryContents {
  std::vector<CertificateFile> anchors;
  std::vector<CertificateFile> intermediates;
  std::vector<CrlFile> crls;
  std::vector<MemberPin> pins;

  // Anchors, intermediates and CRLs for path validation (shared references, no copies).
  TrustMaterial material() const;
  const MemberPin* pin(std::string_view fingerprint) const;
};

// Parses a pin file's bytes (BAD_REQUEST "<what>: why" when malformed or inconsistent).
Result<MemberPin> parse_member_pin(std::string_view json, const std::filesystem::path& file);

// One change made to the directory, for the caller to report (and audit).
struct TrustChange {
  std::string action;  // "add-anchor", "pin-member", ...
  std::vector<std::filesystem::path> written;
  std::vector<std::filesystem::path> removed;
  std::string detail;  // what it was, for operators: subject, organ, fingerprint
};

class TrustDirectory {
 public:
  explicit TrustDirectory(std::filesystem::path dir);

  const std::filesystem::path& path() const { return dir_; }

  // Every file, parsed and checked (certificate_checks.h, pins consistent with their
  // certificates, no certificate in two roles, one CRL per issuer). BAD_REQUEST naming the file.
  // Not to be called while this process holds the directory's lock (the changes below read
  // with read_unlocked() under their own exclusive lock).
  Result<TrustDirectoryContents> read() const;

  // Each change refuses what the gateway would refuse, with the reason, and changes nothing then.
  Result<TrustChange> add_anchor(const X509* cert, TimePoint now) const;
  Result<TrustChange> add_intermediate(const X509* cert, TimePoint now) const;
  // The certificate must name `organ_code` (SAN URI or CN), be a TLS client certificate, and
  // chain to an anchor at `now` (not expired, not revoked).
  Result<TrustChange> pin_member(const X509* cert, const std::string& organ_code,
                                 const std::string& subsystem, TimePoint now,
                                 const std::string& pinned_by = "") const;
  // By fingerprint (or a unique prefix of at least 8 hex digits), or every pin of an organ code.
  Result<TrustChange> unpin(const std::string& fingerprint_or_organ) const;
  // The issuer must be an anchor or intermediate here and have signed it; it replaces that
  // issuer's CRL only when newer; a CRL already past its nextUpdate is refused.
  Result<TrustChange> import_crl(const X509_CRL* crl, TimePoint now) const;
  // An anchor, intermediate or pin by fingerprint (or unique prefix); never the last anchor.
  Result<TrustChange> remove(const std::string& fingerprint) const;

 private:
  Result<TrustDirectoryContents> read_unlocked() const;

  std::filesystem::path dir_;
};

}  // namespace lienthong::crypto
