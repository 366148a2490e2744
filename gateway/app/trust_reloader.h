// Live reload of the trust directory and the access policy (DESIGN.md §6): on SIGHUP, on a
// change seen by inotify, or when the admin API asks. The new trust snapshot and the new policy
// are both read and checked completely before either is swapped in; anything invalid is
// refused, logged and shown by /readyz and /metrics, and the snapshots in force stay.
#pragma once

#include <atomic>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "gateway/audit/audit_sink.h"
#include "gateway/core/clock.h"
#include "gateway/core/error.h"
#include "gateway/core/metrics.h"
#include "gateway/core/snapshot_cell.h"
#include "gateway/crypto/trust_snapshot.h"
#include "gateway/exchange/lookup_pipeline.h"

namespace lienthong::app {

struct ReloadState {
  std::uint64_t trust_generation = 0;
  std::uint64_t reloads_ok = 0;
  std::uint64_t reloads_refused = 0;
  std::string last_error;  // "" when the last attempt succeeded
  TimePoint last_attempt{};
};

class TrustReloader {
 public:
  TrustReloader(std::filesystem::path trust_dir, std::filesystem::path policy_file,
                std::shared_ptr<SnapshotCell<crypto::TrustSnapshot>> trust,
                std::shared_ptr<exchange::LookupPipeline> pipeline, Clock::Ptr clock);
  ~TrustReloader();

  // Reads both, swaps both or neither. `why` is logged ("SIGHUP", "inotify", "admin ...").
  Result<void> reload(std::string_view why);
  // Called after each successful reload (e.g. to ask OCSP about new pins). Set before watch().
  void on_reloaded(std::function<void()> hook) { on_reloaded_ = std::move(hook); }
  // Every change a reload brings in (and every refused reload) is audited here
  // (trust_change_audit.h). Set before watch().
  void audit_to(audit::AuditSink::Ptr audit) { audit_ = std::move(audit); }
  ReloadState state() const;

  // Watches the trust directory's folders and the policy file (inotify) and reloads after
  // changes settle (debounce). Stops with stop() or destruction.
  Result<void> watch(std::chrono::milliseconds settle = std::chrono::milliseconds(100));
  void stop();

  // Prometheus lines: reload counters, snapshot generation, seconds to expiry of every pinned
  // member and CA in the current snapshot.
  void render_metrics(std::string& out) const;

 private:
  void watch_loop(int inotify_fd, std::chrono::milliseconds settle);
  void record(std::vector<audit::AuditEntry> entries);
  void add_watches(int inotify_fd);

  std::filesystem::path trust_dir_;
  std::filesystem::path policy_file_;
  std::shared_ptr<SnapshotCell<crypto::TrustSnapshot>> trust_;
  std::shared_ptr<exchange::LookupPipeline> pipeline_;
  Clock::Ptr clock_;
  mutable std::mutex mutex_;  // one reload at a time; guards state_
  ReloadState state_;
  std::function<void()> on_reloaded_;
  audit::AuditSink::Ptr audit_;
  std::string policy_digest_;  // SHA-256 of the policy file in force
  std::thread watcher_;
  int stop_fd_ = -1;
  std::set<int> trust_watches_;  // inotify descriptors of the trust directory's folders
  int policy_watch_ = -1;        // ... of the policy file's folder (the watcher thread only)
};

}  // namespace lienthong::app
