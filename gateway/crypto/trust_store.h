// The certificates the gateway trusts: anchors, intermediates and CRLs, as one immutable
// snapshot (DESIGN.md §6). Path validation is OpenSSL's X509_verify_cert; this class only
// decides its inputs (anchors, time, strength, CRLs) and turns its verdict into our errors.
#pragma once

#include <filesystem>
#include <memory>
#include <vector>

#include "gateway/core/clock.h"
#include "gateway/core/error.h"
#include "gateway/crypto/openssl_types.h"

namespace lienthong::crypto {

struct TrustMaterial {
  std::vector<X509Ptr> anchors;        // trusted as they are (self-signed roots or pinned certs)
  std::vector<X509Ptr> intermediates;  // used to build paths, never trusted by themselves
  std::vector<X509CrlPtr> crls;

  // A trust directory: anchors/, intermediates/ and crls/ (PEM or DER files, any name).
  static Result<TrustMaterial> from_directory(const std::filesystem::path& dir);
};

enum class CrlMode {
  kIfAvailable,  // check every certificate whose issuer has a CRL here; others pass
  kRequired,     // every certificate on the path needs its issuer's CRL
};

struct PathCheck {
  const X509* leaf = nullptr;
  std::vector<X509*> untrusted;  // candidates from the document or a configured pool
  std::vector<X509_CRL*> crls;   // CRLs that arrived with the document (signed by issuers)
  TimePoint at;
  // OpenSSL security level for every key and signature on the path: 0 accepts anything
  // (interop vectors), 2 means at least 112-bit strength (RSA >= 2048, no SHA-1).
  int security_level = 2;
  int purpose = 0;  // X509_PURPOSE_* (e.g. SSL client) or 0 for none
};

struct ValidatedPath {
  std::vector<X509Ptr> chain;  // leaf first, anchor last
  TimePoint valid_from;        // the path holds between these instants (certs and CRLs)
  TimePoint valid_until;
};

class TrustStore {
 public:
  using Ptr = std::shared_ptr<const TrustStore>;
  virtual ~TrustStore() = default;
  virtual Result<ValidatedPath> validate(const PathCheck& check) const = 0;
  virtual size_t anchor_count() const = 0;
};

class X509TrustStore final : public TrustStore {
 public:
  static Result<Ptr> create(TrustMaterial material, CrlMode crl_mode = CrlMode::kIfAvailable);
  // A trust directory (anchors/, intermediates/, crls/; TrustMaterial::from_directory).
  static Result<Ptr> from_directory(const std::filesystem::path& dir,
                                    CrlMode crl_mode = CrlMode::kIfAvailable);

  Result<ValidatedPath> validate(const PathCheck& check) const override;
  size_t anchor_count() const override { return material_.anchors.size(); }

 private:
  X509TrustStore(TrustMaterial material, CrlMode crl_mode, X509StorePtr store);

  TrustMaterial material_;
  CrlMode crl_mode_;
  X509StorePtr store_;
  TimePoint crls_valid_until_;
};

// Whether a refusal from validate() means "the revocation status could not be established"
// (no CRL, a stale or unverifiable one) rather than "this path is not trusted". The TLS
// handshake lets the former through (the pipeline answers it), and `trust list` reports it.
bool revocation_unknown(const Error& error);

// ASN1_TIME as a time point (UTC).
TimePoint to_time_point(const ASN1_TIME* t);

}  // namespace lienthong::crypto
