// Signed JSON requests (--sign-key): every body of a run signed before it starts, so that the
// client's signing stays out of the measurement. A body is the lookup of workload.h plus "iat"
// (the pre-signing time) and "jti" (a random id of this run and the body's number), as a compact
// JWS with the header {"alg":...} signed by the key of the member's TLS certificate (DESIGN.md
// §3 "Signed JSON"). Each body is handed out once: the gateway refuses a reused jti (REPLAYED).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/core/error.h"
#include "gateway/crypto/jws_verifier.h"
#include "tools/lienthong-load/options.h"
#include "tools/lienthong-load/workload.h"

namespace lienthong::load {

using crypto::kJwsSignatureHeader;  // what answers must carry

// Bodies a run signs when --presign is not given: an open loop's sends before the window
// closes (plus one per connection for rounding); a closed loop bounded only by --requests
// without warm-up, that many; otherwise kDefaultPresign. Never more than kMaxPresign.
inline constexpr uint64_t kDefaultPresign = 100000;
inline constexpr uint64_t kMaxPresign = 10000000;
uint64_t default_presign_count(const Options& options);

// The signed payload: lookup_json_body() with "iat" and "jti" added.
std::string signed_lookup_payload(std::string_view subject_id, std::string_view document_type,
                                  std::optional<int64_t> max_age_s, int64_t iat,
                                  std::string_view jti);

// What the report says about signing.
struct SigningReport {
  std::string alg;
  uint64_t presigned = 0;
  uint64_t used = 0;       // bodies handed to requests (warm-up included)
  double presign_s = 0;    // wall time of the pre-signing, not part of the run
  bool exhausted = false;  // a request found none left: the run stopped early
};

class SignedBodies {
 public:
  // Signs options.presign bodies (or default_presign_count) for the next subjects of
  // `subjects`, on every core. Startup only: fails when the key cannot be read, cannot sign,
  // or is not the key of the --cert leaf (the gateway would refuse every request).
  static Result<std::unique_ptr<SignedBodies>> presign(const Options& options,
                                                       SubjectSource& subjects);

  // The next unused body, or nullptr once all are taken. Safe from several threads; never
  // the same body twice.
  const std::string* take();

  SigningReport report() const;

 private:
  SignedBodies() = default;

  std::vector<std::string> bodies_;
  std::atomic<uint64_t> next_{0};
  std::string alg_;
  double presign_s_ = 0;
};

}  // namespace lienthong::load
