// The one pipeline every front end calls (DESIGN.md §1): authenticate → authorize → route →
// record cache → adapter → audit → sign response. Never throws; every outcome is a Result.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "gateway/core/error.h"
#include "gateway/core/lookup.h"

namespace lienthong::exchange {

using LookupCallback = std::function<void(Result<LookupResponse>)>;

// What /readyz reports.
struct Readiness {
  bool ready = true;      // false: this instance should not receive traffic
  bool degraded = false;  // answering, but without a part (e.g. the cache)
  std::vector<std::string> notes;  // one line per finding, for operators
};

class Pipeline {
 public:
  using Ptr = std::shared_ptr<Pipeline>;
  virtual ~Pipeline() = default;
  // `done` runs exactly once, on any thread (often the audit writer's), after the request is in
  // the audit. It must be short: hand the outcome to the caller's own thread.
  virtual void lookup(LookupRequest request, LookupCallback done) = 0;
  virtual Readiness readiness() const = 0;
};

}  // namespace lienthong::exchange
