// Holds the current immutable snapshot of something reloadable (trust, policy): readers take a
// shared_ptr and keep using what they took, so a request finishes on the snapshot it started
// with; a reload swaps in a new one whole (DESIGN.md §6). The old snapshot dies with its last
// reader.
#pragma once

#include <memory>
#include <mutex>

namespace lienthong {

template <class T>
class SnapshotCell {
 public:
  using Ptr = std::shared_ptr<const T>;

  explicit SnapshotCell(Ptr initial) : current_(std::move(initial)) {}

  Ptr get() const {
    std::lock_guard lock(mutex_);
    return current_;
  }

  // Returns the snapshot replaced; its destruction happens outside the lock, in the caller.
  Ptr set(Ptr next) {
    std::lock_guard lock(mutex_);
    current_.swap(next);
    return next;
  }

 private:
  mutable std::mutex mutex_;
  Ptr current_;
};

}  // namespace lienthong
