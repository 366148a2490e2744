#include "gateway/front/http/front_context.h"

namespace lienthong::front::http {

std::optional<std::uint64_t> Connections::add(std::weak_ptr<Session> session) {
  std::lock_guard lock(mutex_);
  if (stopping_) return std::nullopt;
  const std::uint64_t id = next_id_++;
  sessions_.emplace(id, std::move(session));
  return id;
}

void Connections::remove(std::uint64_t id) {
  std::lock_guard lock(mutex_);
  sessions_.erase(id);
  if (sessions_.empty()) empty_.notify_all();
}

std::size_t Connections::size() const {
  std::lock_guard lock(mutex_);
  return sessions_.size();
}

std::vector<std::shared_ptr<Session>> Connections::stop_accepting() {
  std::vector<std::shared_ptr<Session>> live;
  std::lock_guard lock(mutex_);
  stopping_ = true;
  for (const auto& [id, weak] : sessions_)
    if (auto session = weak.lock()) live.push_back(std::move(session));
  return live;  // the caller drops these outside the lock (a drop may end a session)
}

std::size_t Connections::wait_until_empty(std::chrono::steady_clock::time_point deadline) {
  std::unique_lock lock(mutex_);
  empty_.wait_until(lock, deadline, [this] { return sessions_.empty(); });
  return sessions_.size();
}

}  // namespace lienthong::front::http
