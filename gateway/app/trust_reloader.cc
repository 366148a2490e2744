#include "gateway/app/trust_reloader.h"

#include <fmt/format.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "gateway/app/trust_change_audit.h"
#include "gateway/core/encoding.h"
#include "gateway/core/log.h"
#include "gateway/crypto/key_material.h"
#include "gateway/policy/access_policy.h"

namespace lienthong::app {
namespace fs = std::filesystem;

namespace {

constexpr uint32_t kWatchMask = IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE |
                                IN_CREATE | IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF;

// Temporaries and the lock file of `lienthong trust` (dot files) are not changes.
bool relevant(const inotify_event& e) {
  if (e.len == 0) return true;  // the folder itself
  const std::string name(e.name);
  return !name.empty() && name.front() != '.';
}

}  // namespace

TrustReloader::TrustReloader(fs::path trust_dir, fs::path policy_file,
                             std::shared_ptr<SnapshotCell<crypto::TrustSnapshot>> trust,
                             std::shared_ptr<exchange::LookupPipeline> pipeline, Clock::Ptr clock)
    : trust_dir_(std::move(trust_dir)),
      policy_file_(std::move(policy_file)),
      trust_(std::move(trust)),
      pipeline_(std::move(pipeline)),
      clock_(std::move(clock)) {
  if (auto current = trust_->get()) state_.trust_generation = current->generation();
  if (auto text = crypto::read_file(policy_file_, 16 << 20)) policy_digest_ = sha256_hex(*text);
}

void TrustReloader::record(std::vector<audit::AuditEntry> entries) {
  if (!audit_) return;
  for (auto& e : entries) {
    audit_->append(std::move(e), [](Result<void> durable) {
      if (!durable)
        LT_LOG(error, "a trust change could not be audited: {}", durable.error().detail);
    });
  }
}

TrustReloader::~TrustReloader() { stop(); }

Result<void> TrustReloader::reload(std::string_view why) {
  std::lock_guard lock(mutex_);
  state_.last_attempt = clock_->now();
  auto refuse = [&](const Error& e) -> Result<void> {
    ++state_.reloads_refused;
    state_.last_error = e.detail;
    LT_LOG(error, "reload ({}) refused, the trust and policy in force stay: {}", why, e.detail);
    record({reload_refused(e, why, state_.last_attempt)});
    return tl::unexpected(e);
  };
  auto snapshot = crypto::TrustSnapshot::load(trust_dir_, state_.trust_generation + 1);
  if (!snapshot) return refuse(Error{snapshot.error().code, "trust: " + snapshot.error().detail});
  auto policy_text = crypto::read_file(policy_file_, 16 << 20);
  if (!policy_text)
    return refuse(Error{policy_text.error().code, "policy: " + policy_text.error().detail});
  auto policy = policy::AccessPolicy::parse(*policy_text, policy_file_.string());
  if (!policy) return refuse(Error{policy.error().code, "policy: " + policy.error().detail});
  // The policy swap checks it against the adapters first; the trust swap cannot fail, so both
  // change or neither does.
  if (auto ok = pipeline_->replace_policy(*policy); !ok)
    return refuse(Error{ok.error().code, "policy: " + ok.error().detail});
  auto old = trust_->set(*snapshot);
  auto changes = trust_changes(old.get(), **snapshot, why, state_.last_attempt);
  if (const std::string digest = sha256_hex(*policy_text); digest != policy_digest_) {
    changes.push_back(policy_changed(policy_digest_, digest, why, state_.last_attempt));
    policy_digest_ = digest;
  }
  record(std::move(changes));
  state_.trust_generation = (*snapshot)->generation();
  ++state_.reloads_ok;
  state_.last_error.clear();
  LT_LOG(info,
         "reload ({}): trust generation {} ({} anchors, {} intermediates, {} CRLs, {} pins), "
         "policy {} members",
         why, state_.trust_generation, (*snapshot)->contents().anchors.size(),
         (*snapshot)->contents().intermediates.size(), (*snapshot)->contents().crls.size(),
         (*snapshot)->contents().pins.size(), (*policy)->members().size());
  if (on_reloaded_) on_reloaded_();
  return {};
}

ReloadState TrustReloader::state() const {
  std::lock_guard lock(mutex_);
  return state_;
}

void TrustReloader::add_watches(int fd) {
  for (const char* sub : {"", "anchors", "intermediates", "crls", "members"}) {
    const fs::path dir = trust_dir_ / sub;
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) continue;
    const int wd = inotify_add_watch(fd, dir.c_str(), kWatchMask);
    if (wd >= 0) trust_watches_.insert(wd);
  }
  // The policy file's folder (editors replace files by rename, so the file itself cannot be
  // watched): only events naming the policy file count there.
  policy_watch_ =
      inotify_add_watch(fd, fs::absolute(policy_file_).parent_path().c_str(), kWatchMask);
}

Result<void> TrustReloader::watch(std::chrono::milliseconds settle) {
  if (watcher_.joinable()) return {};
  const int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (fd < 0) return fail(ErrorCode::kInternal, "inotify_init1 failed");
  stop_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (stop_fd_ < 0) {
    ::close(fd);
    return fail(ErrorCode::kInternal, "eventfd failed");
  }
  add_watches(fd);
  watcher_ = std::thread([this, fd, settle] { watch_loop(fd, settle); });
  return {};
}

void TrustReloader::watch_loop(int fd, std::chrono::milliseconds settle) {
  const std::string policy_name = policy_file_.filename().string();
  alignas(inotify_event) char buffer[16 * 1024];
  bool pending = false;
  for (;;) {
    pollfd fds[2] = {{fd, POLLIN, 0}, {stop_fd_, POLLIN, 0}};
    // Waiting for changes to settle: an administrator's command writes several files.
    const int timeout = pending ? static_cast<int>(settle.count()) : -1;
    const int ready = ::poll(fds, 2, timeout);
    if (ready < 0 && errno != EINTR) break;
    if (fds[1].revents != 0) break;
    if (ready == 0 && pending) {
      pending = false;
      (void)reload("inotify");
      // Folders created since (members/ on the first pin) get watched; existing ones are
      // returned with the same descriptor.
      add_watches(fd);
      continue;
    }
    if ((fds[0].revents & POLLIN) == 0) continue;
    for (;;) {
      const ssize_t n = ::read(fd, buffer, sizeof buffer);
      if (n <= 0) break;
      for (ssize_t at = 0; at < n;) {
        const auto* e = reinterpret_cast<const inotify_event*>(buffer + at);
        at += static_cast<ssize_t>(sizeof(inotify_event) + e->len);
        if (e->mask & IN_IGNORED) continue;
        if (trust_watches_.contains(e->wd)) {
          if (relevant(*e)) pending = true;
        } else if (e->wd == policy_watch_ && e->len > 0 && std::string(e->name) == policy_name) {
          pending = true;  // not the port file or anything else that lives beside the policy
        }
      }
    }
  }
  ::close(fd);
}

void TrustReloader::stop() {
  if (stop_fd_ >= 0) {
    const uint64_t one = 1;
    (void)!::write(stop_fd_, &one, sizeof one);
  }
  if (watcher_.joinable()) watcher_.join();
  if (stop_fd_ >= 0) {
    ::close(stop_fd_);
    stop_fd_ = -1;
  }
}

void TrustReloader::render_metrics(std::string& out) const {
  const ReloadState s = state();
  out +=
      "# HELP lienthong_trust_reloads_total Reloads of trust and policy, by result.\n"
      "# TYPE lienthong_trust_reloads_total counter\n";
  out += fmt::format("lienthong_trust_reloads_total{{result=\"ok\"}} {}\n", s.reloads_ok);
  out += fmt::format("lienthong_trust_reloads_total{{result=\"refused\"}} {}\n", s.reloads_refused);
  out +=
      "# HELP lienthong_trust_reload_failing 1 while the last reload was refused (the "
      "previous trust and policy are in force).\n# TYPE lienthong_trust_reload_failing gauge\n";
  out += fmt::format("lienthong_trust_reload_failing {}\n", s.last_error.empty() ? 0 : 1);
  out +=
      "# HELP lienthong_trust_generation The trust snapshot in force.\n"
      "# TYPE lienthong_trust_generation gauge\n";
  out += fmt::format("lienthong_trust_generation {}\n", s.trust_generation);
  const auto snapshot = trust_->get();
  if (!snapshot) return;
  out +=
      "# HELP lienthong_certificate_expiry_seconds Seconds until notAfter (negative: expired).\n"
      "# TYPE lienthong_certificate_expiry_seconds gauge\n";
  for (const auto& c : snapshot->statuses(clock_->now())) {
    out += fmt::format(
        "lienthong_certificate_expiry_seconds{{kind=\"{}\",organ=\"{}\",fingerprint=\"{}\"}} {}\n",
        c.kind, c.organ_code, c.fingerprint.substr(0, 16), c.seconds_to_expiry);
  }
}

}  // namespace lienthong::app
