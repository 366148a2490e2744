// One complete, validated reading of the trust directory (DESIGN.md §6): the path validator over
// its anchors, intermediates and CRLs, and its member pins. Immutable: a reload builds a new
// snapshot and swaps it in whole, so a request finishes on the snapshot it started with.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "gateway/core/clock.h"
#include "gateway/core/error.h"
#include "gateway/crypto/trust_directory.h"
#include "gateway/crypto/trust_store.h"

namespace lienthong::crypto {

// What `lienthong trust list` and /metrics say of one certificate.
struct CertificateStatus {
  std::string kind;  // anchor | intermediate | member
  std::string subject;
  std::string organ_code;  // members: the pinned organ; CAs: ""
  std::string subsystem;
  std::string pinned_at;  // members: when and by whom
  std::string pinned_by;
  std::string key;  // "EC P-256"
  TimePoint not_after;
  long long seconds_to_expiry = 0;
  std::string fingerprint;
  // good | revoked | expired | not yet valid | untrusted: <why> | revocation unknown: <why>
  std::string status;
  std::filesystem::path file;
};

// The JSON both `lienthong trust list --json` and GET /admin/v1/trust give for one certificate.
nlohmann::json to_json(const CertificateStatus& status);

class TrustSnapshot {
 public:
  using Ptr = std::shared_ptr<const TrustSnapshot>;

  // Reads and checks the whole directory; any bad file refuses the whole snapshot.
  static Result<Ptr> load(const std::filesystem::path& dir, std::uint64_t generation = 1);
  static Result<Ptr> from_contents(TrustDirectoryContents contents, std::string source,
                                   std::uint64_t generation = 1);

  TrustSnapshot(const TrustSnapshot&) = delete;  // the pin index points into contents_
  TrustSnapshot& operator=(const TrustSnapshot&) = delete;

  const TrustStore::Ptr& store() const { return store_; }
  const TrustDirectoryContents& contents() const { return contents_; }
  // The pin of this certificate fingerprint, or nullptr. On every request: a hash lookup.
  const MemberPin* pin(const std::string& fingerprint) const {
    auto it = pins_by_fingerprint_.find(fingerprint);
    return it == pins_by_fingerprint_.end() ? nullptr : it->second;
  }
  std::uint64_t generation() const { return generation_; }
  const std::string& source() const { return source_; }

  // Every anchor, intermediate and pinned member, validated at `now`.
  std::vector<CertificateStatus> statuses(TimePoint now) const;
  // The verdict for one certificate (with `untrusted` candidates for its path) at `now`:
  // what `lienthong trust check` prints.
  Result<ValidatedPath> check(const X509* cert, const std::vector<X509*>& untrusted, TimePoint now,
                              int purpose) const;

 private:
  TrustSnapshot() = default;
  TrustDirectoryContents contents_;
  TrustStore::Ptr store_;
  std::unordered_map<std::string, const MemberPin*> pins_by_fingerprint_;  // into contents_
  std::uint64_t generation_ = 0;
  std::string source_;
};

}  // namespace lienthong::crypto
