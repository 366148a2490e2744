// The Adapter interface (DESIGN.md §4): one per national system. An adapter is given its
// clients and parsed config by adapters/registry.cc and never reads the config file itself.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/core/error.h"
#include "gateway/core/lookup.h"
#include "gateway/core/record.h"

namespace lienthong::exchange {

struct DocumentTypeSpec {
  std::string code;                 // e.g. "CD01"
  std::string description;          // e.g. "Thông tin công dân"
  std::chrono::seconds ttl{86400};  // how long a verified record may be reused
  std::vector<std::string> fields;  // every canonical field the adapter can return
};

struct AdapterQuery {
  std::string request_id;
  std::string subject;
  std::string document_type;
  Purpose purpose;
  Officer officer;
  std::string member_organ_code;
};

using RecordCallback = std::function<void(Result<VerifiedRecord>)>;

class Adapter {
 public:
  using Ptr = std::shared_ptr<Adapter>;
  virtual ~Adapter() = default;

  virtual std::string_view name() const = 0;
  virtual const std::vector<DocumentTypeSpec>& document_types() const = 0;

  // Refuses a malformed subject identifier before any upstream call (BAD_REQUEST).
  virtual Result<void> check_subject(std::string_view subject) const = 0;

  // The subject as this adapter's records are keyed, for a subject check_subject accepted: one
  // record asked for in two spellings (a land parcel by its pre-2025 commune code, or with
  // zero padding) is one cache entry and one upstream call in flight. The record the adapter
  // returns carries the same subject.
  virtual std::string record_subject(std::string_view subject) const {
    return std::string(subject);
  }

  // Asks the upstream, verifies its signature and maps the answer. `done` is called exactly
  // once, on any thread; the adapter hands its CPU work to the executor it was given.
  virtual void fetch(AdapterQuery query, RecordCallback done) = 0;

  // "closed", "open", "half-open": the upstream's circuit breaker, for /readyz and /metrics.
  virtual std::string upstream_state() const = 0;
};

}  // namespace lienthong::exchange
