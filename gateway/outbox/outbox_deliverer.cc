#include "gateway/outbox/outbox_deliverer.h"

#include "gateway/core/log.h"

namespace lienthong::outbox {

OutboxDeliverer::OutboxDeliverer(DocumentOutbox::Ptr outbox, AxisSender::Ptr sender,
                                 Clock::Ptr clock, DelivererConfig config)
    : outbox_(std::move(outbox)),
      sender_(std::move(sender)),
      clock_(std::move(clock)),
      config_(std::move(config)),
      random_(config_.seed != 0 ? config_.seed : std::random_device{}()) {}

OutboxDeliverer::~OutboxDeliverer() { stop(); }

RoundReport OutboxDeliverer::run_once() {
  RoundReport report;
  auto claimed = outbox_->claim(config_.owner, config_.batch, config_.lease, config_.max_attempts);
  if (!claimed) {
    // Nothing is lost: whatever was claimed stays leased in Redis and comes back after the lease.
    report.redis_failed = true;
    return report;
  }
  report.claimed = claimed->size();
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  for (const OutboxEntry& entry : *claimed) {
    auto receipt = sender_->send(entry);
    if (receipt) {
      // If this write is lost (Redis or we die now), the lease expires, the document is sent
      // again and the axis answers "duplicate": delivered, once.
      if (auto ok = outbox_->delivered(entry, *receipt); !ok) {
        report.redis_failed = true;
        continue;
      }
      ++report.delivered;
      continue;
    }
    const bool permanent = !is_retryable(receipt.error());
    const TimePoint next =
        clock_->now() + backoff_delay(config_.backoff, entry.attempt, uniform(random_));
    auto state =
        outbox_->failed(entry, receipt.error().detail, permanent, next, config_.max_attempts);
    if (!state) {
      report.redis_failed = true;
      continue;
    }
    if (*state == OutboxState::kDead) {
      ++report.dead;
      LT_LOG(warn, "outbox: {} dead-lettered after {} attempt(s): {}", entry.outbox_id,
             entry.attempt, receipt.error().detail);
    } else if (*state == OutboxState::kAccepted) {
      ++report.retried;
    }
  }
  if (report.retried > 0)
    LT_LOG(info, "outbox: {} document(s) will be retried (last error kept in their status)",
           report.retried);
  return report;
}

void OutboxDeliverer::start() {
  std::lock_guard lock(mutex_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { loop(); });
}

void OutboxDeliverer::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wakeup_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void OutboxDeliverer::wake() {
  {
    std::lock_guard lock(mutex_);
    woken_ = true;
  }
  wakeup_.notify_all();
}

void OutboxDeliverer::loop() {
  for (;;) {
    const RoundReport report = run_once();
    // A full batch means more may be due: go again at once. Otherwise wait for a poll or a
    // wake(); this is a pause, not a deadline, so it needs no Clock.
    const bool busy = report.claimed == config_.batch && !report.redis_failed;
    std::unique_lock lock(mutex_);
    if (stopping_) return;
    if (busy) continue;
    wakeup_.wait_for(lock, config_.idle_poll, [this] { return stopping_ || woken_; });
    woken_ = false;
    if (stopping_) return;
  }
}

}  // namespace lienthong::outbox
