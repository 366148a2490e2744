// Hand-written fakes for the pipeline's collaborators where a stateful double reads better
// than a mock: an in-memory record cache, an audit sink that records, a controllable adapter.
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <vector>

#include "gateway/audit/audit_sink.h"
#include "gateway/cache/record_cache.h"
#include "gateway/exchange/adapter.h"

namespace lienthong::testing {

class MemoryCache : public cache::RecordCache {
 public:
  Result<std::optional<VerifiedRecord>> get(const std::string& code) override {
    std::lock_guard lock(mutex);
    ++gets;
    if (down) return fail(ErrorCode::kUpstreamUnavailable, "record cache unavailable: test");
    auto it = records.find(code);
    if (it == records.end()) return std::optional<VerifiedRecord>();
    return std::optional<VerifiedRecord>(it->second);
  }
  Result<void> put(const VerifiedRecord& record, std::chrono::seconds ttl) override {
    std::lock_guard lock(mutex);
    if (down) return fail(ErrorCode::kUpstreamUnavailable, "record cache unavailable: test");
    records[record.code] = record;
    last_ttl = ttl;
    return {};
  }
  Result<void> invalidate(const std::string& code) override {
    std::lock_guard lock(mutex);
    records.erase(code);
    return {};
  }
  bool healthy() const override { return !down; }

  std::mutex mutex;
  std::map<std::string, VerifiedRecord> records;
  std::chrono::seconds last_ttl{0};
  int gets = 0;
  bool down = false;
};

class RecordingAudit : public audit::AuditSink {
 public:
  void append(audit::AuditEntry entry, audit::DurableCallback durable) override {
    {
      std::lock_guard lock(mutex);
      entries.push_back(entry);
    }
    durable(broken ? Result<void>(fail(ErrorCode::kInternal, "disk full")) : Result<void>());
  }
  std::vector<audit::AuditEntry> snapshot() {
    std::lock_guard lock(mutex);
    return entries;
  }
  std::mutex mutex;
  std::vector<audit::AuditEntry> entries;
  bool broken = false;
};

// An adapter whose fetches wait until the test releases them.
class HeldAdapter : public exchange::Adapter {
 public:
  explicit HeldAdapter(std::vector<exchange::DocumentTypeSpec> types) : types_(std::move(types)) {}
  std::string_view name() const override { return "population"; }
  const std::vector<exchange::DocumentTypeSpec>& document_types() const override { return types_; }
  Result<void> check_subject(std::string_view subject) const override {
    if (subject.size() != 12) return fail(ErrorCode::kBadRequest, "personal ID must be 12 digits");
    return {};
  }
  std::string record_subject(std::string_view subject) const override {
    return spelling ? spelling(subject) : std::string(subject);
  }
  void fetch(exchange::AdapterQuery query, exchange::RecordCallback done) override {
    std::lock_guard lock(mutex);
    queries.push_back(query);
    pending.push_back(std::move(done));
  }
  std::string upstream_state() const override { return state; }

  // Completes every held fetch with what `answer` returns for its query.
  void release(const std::function<Result<VerifiedRecord>(const exchange::AdapterQuery&)>& answer) {
    std::vector<exchange::RecordCallback> callbacks;
    std::vector<exchange::AdapterQuery> asked;
    {
      std::lock_guard lock(mutex);
      callbacks.swap(pending);
      asked = queries;
    }
    for (size_t i = 0; i < callbacks.size(); ++i) {
      callbacks[i](answer(asked[asked.size() - callbacks.size() + i]));
    }
  }
  size_t calls() {
    std::lock_guard lock(mutex);
    return queries.size();
  }

  std::mutex mutex;
  std::vector<exchange::AdapterQuery> queries;
  std::vector<exchange::RecordCallback> pending;
  std::string state = "closed";
  // When set: how this adapter spells the subjects its records are keyed by.
  std::function<std::string(std::string_view)> spelling;

 private:
  std::vector<exchange::DocumentTypeSpec> types_;
};

}  // namespace lienthong::testing
