// The verified-record cache (DESIGN.md §5). Values are sealed (AES-256-GCM) before they leave
// the process; Redis sees a keyed hash of the record code, never the personal ID itself.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "gateway/core/error.h"
#include "gateway/core/record.h"

namespace lienthong::cache {

class RecordCache {
 public:
  using Ptr = std::shared_ptr<RecordCache>;
  virtual ~RecordCache() = default;

  // nullopt on a miss. UPSTREAM_UNAVAILABLE (with a detail naming Redis) when the cache cannot
  // be reached; the pipeline then asks the upstream and reports /readyz degraded.
  virtual Result<std::optional<VerifiedRecord>> get(const std::string& code) = 0;
  virtual Result<void> put(const VerifiedRecord& record, std::chrono::seconds ttl) = 0;
  virtual Result<void> invalidate(const std::string& code) = 0;
  // invalidate() that also says whether a record was there (the admin API answers it). The
  // default asks get() first, so it may race a concurrent fill; RedisRecordCache answers from
  // the DEL itself.
  virtual Result<bool> remove(const std::string& code) {
    auto had = get(code);
    if (auto gone = invalidate(code); !gone) return tl::unexpected(gone.error());
    return had && had->has_value();
  }
  // False after the last call failed to reach Redis, until a call succeeds again.
  virtual bool healthy() const = 0;
};

}  // namespace lienthong::cache
