// Concurrent misses for one key make one upstream call (DESIGN.md §5): the first caller to join
// a key leads and does the work; everyone who joins before it completes just waits for the value.
//
//   if (flights.join(code, [done](const Result<VerifiedRecord>& r) { done(r); }))
//     ask_upstream(code, [&flights, code](auto r) { flights.complete(code, std::move(r)); });
//
// The leader's own callback is registered too, so every caller is answered the same way.
#pragma once

#include <concepts>
#include <cstddef>
#include <functional>
#include <mutex>
#include <unordered_map>
#include <utility>
#include <vector>

namespace lienthong::cache {

template <class Key, class Value, class Hash = std::hash<Key>>
requires std::equality_comparable<Key> && std::invocable<Hash, const Key&>
class SingleFlight {
 public:
  using Callback = std::function<void(const Value&)>;

  // Registers `waiter` for `key`. True when this caller is the first for the key: it must do the
  // work and then call complete(key, value). False: someone already is; `waiter` will be called.
  bool join(const Key& key, Callback waiter) {
    std::lock_guard lock(mutex_);
    auto [it, first] = flights_.try_emplace(key);
    it->second.push_back(std::move(waiter));
    return first;
  }

  // Calls every waiter of `key` once with `value` (on this thread, outside the lock, so a waiter
  // may join again) and ends the flight. A key with no flight is ignored.
  void complete(const Key& key, Value value) {
    std::vector<Callback> waiters;
    {
      std::lock_guard lock(mutex_);
      auto it = flights_.find(key);
      if (it == flights_.end()) return;
      waiters = std::move(it->second);
      flights_.erase(it);
    }
    for (auto& waiter : waiters) waiter(value);
  }

  // Keys with a flight in progress.
  std::size_t in_flight() const {
    std::lock_guard lock(mutex_);
    return flights_.size();
  }

 private:
  mutable std::mutex mutex_;
  std::unordered_map<Key, std::vector<Callback>, Hash> flights_;
};

}  // namespace lienthong::cache
