#include "gateway/app/trust_reloader.h"

#include <fmt/format.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "gateway/core/log.h"
#include "gateway/policy/access_policy.h"

namespace lienthong::app {
namespace fs = std::filesystem;

namespace {

constexpr uint32_t kWatchMask = IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE |
                                IN_CREATE | IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF;

// Temporaries and the lock file of `lienthong trust` (dot files) are not changes.
bool relevant(const inotify_event& e, const std::string& policy_name, bool in_policy_dir) {
  if (e.len == 0) return true;  // the folder itself
  const std::string name(e.name);
  if (name.empty() || name.front() == '.') return false;
  return !in_policy_dir || name == policy_name;
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
}

TrustReloader::~TrustReloader() { stop(); }

Result<void> TrustReloader::reload(std::string_view why) {
  std::lock_guard lock(mutex_);
  state_.last_attempt = clock_->now();
  auto refuse = [&](const Error& e) -> Result<void> {
    ++state_.reloads_refused;
    state_.last_error = e.detail;
    LT_LOG(error, "reload ({}) refused, the trust and policy in force stay: {}", why, e.detail);
    return tl::unexpected(e);
  };
  auto snapshot = crypto::TrustSnapshot::load(trust_dir_, state_.trust_generation + 1);
  if (!snapshot) return refuse(Error{snapshot.error().code, "trust: " + snapshot.error().detail});
  auto policy = policy::AccessPolicy::load(policy_file_.string());
  if (!policy) return refuse(Error{policy.error().code, "policy: " + policy.error().detail});
  // The policy swap checks it against the adapters first; the trust swap cannot fail, so both
  // change or neither does.
  if (auto ok = pipeline_->replace_policy(*policy); !ok)
    return refuse(Error{ok.error().code, "policy: " + ok.error().detail});
  auto old = trust_->set(*snapshot);
  state_.trust_generation = (*snapshot)->generation();
  ++state_.reloads_ok;
  state_.last_error.clear();
  LT_LOG(info, "reload ({}): trust generation {} ({} anchors, {} intermediates, {} CRLs, {} pins), "
               "policy {} members",
         why, state_.trust_generation, (*snapshot)->contents().anchors.size(),
         (*snapshot)->contents().intermediates.size(), (*snapshot)->contents().crls.size(),
         (*snapshot)->contents().pins.size(), (*policy)->members().size());
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
    if (fs::is_directory(dir, ec)) inotify_add_watch(fd, dir.c_str(), kWatchMask);
  }
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
  const fs::path policy_dir = fs::absolute(policy_file_).parent_path();
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
        // Events of the policy file's folder count only for the policy file itself, unless
        // that folder is also the trust directory's.
        const bool policy_only = policy_dir != trust_dir_ && e->len > 0 &&
                                 std::string(e->name) == policy_name;
        if (policy_only || relevant(*e, policy_name, false)) pending = true;
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
  out += "# HELP lienthong_trust_reloads_total Reloads of trust and policy, by result.\n"
         "# TYPE lienthong_trust_reloads_total counter\n";
  out += fmt::format("lienthong_trust_reloads_total{{result=\"ok\"}} {}\n", s.reloads_ok);
  out += fmt::format("lienthong_trust_reloads_total{{result=\"refused\"}} {}\n", s.reloads_refused);
  out += "# HELP lienthong_trust_reload_failing 1 while the last reload was refused (the "
         "previous trust and policy are in force).\n# TYPE lienthong_trust_reload_failing gauge\n";
  out += fmt::format("lienthong_trust_reload_failing {}\n", s.last_error.empty() ? 0 : 1);
  out += "# HELP lienthong_trust_generation The trust snapshot in force.\n"
         "# TYPE lienthong_trust_generation gauge\n";
  out += fmt::format("lienthong_trust_generation {}\n", s.trust_generation);
  const auto snapshot = trust_->get();
  if (!snapshot) return;
  out += "# HELP lienthong_certificate_expiry_seconds Seconds until notAfter (negative: expired).\n"
         "# TYPE lienthong_certificate_expiry_seconds gauge\n";
  for (const auto& c : snapshot->statuses(clock_->now())) {
    out += fmt::format(
        "lienthong_certificate_expiry_seconds{{kind=\"{}\",organ=\"{}\",fingerprint=\"{}\"}} {}\n",
        c.kind, c.organ_code, c.fingerprint.substr(0, 16), c.seconds_to_expiry);
  }
}

}  // namespace lienthong::app
