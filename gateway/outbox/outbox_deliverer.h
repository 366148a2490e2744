// Delivers the outbox to the axis: claims due documents under a lease, sends each through an
// AxisSender, and records the outcome. At least once towards the axis (a document is only
// marked delivered after the axis said so, and a lease whose deliverer died expires and the
// document is claimed again); the axis's duplicate detection by DocumentId turns that into
// exactly once, which is why a duplicate answer counts as delivered.
//
// run_once() does one round and is what tests call with a manual Clock; start() runs rounds on
// a thread of its own until stop().
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <random>
#include <string>
#include <thread>

#include "gateway/core/clock.h"
#include "gateway/outbox/backoff.h"
#include "gateway/outbox/document_outbox.h"
#include "gateway/outbox/outbox_types.h"

namespace lienthong::outbox {

struct DelivererConfig {
  std::string owner = "deliverer";  // names this deliverer's leases (host:pid in production)
  std::size_t batch = 32;           // documents claimed per round
  // Longer than the slowest send (the axis client's own timeouts and retries) so a live
  // deliverer keeps its lease; short enough that a crash delays delivery only a little.
  std::chrono::milliseconds lease{60'000};
  int max_attempts = 10;  // then dead-lettered
  BackoffPolicy backoff;
  // The thread's pause between rounds when the last one found nothing to do.
  std::chrono::milliseconds idle_poll{200};
  std::uint64_t seed = 0;  // 0: seeded from std::random_device (jitter only)
};

struct RoundReport {
  std::size_t claimed = 0, delivered = 0, retried = 0, dead = 0;
  bool redis_failed = false;
};

class OutboxDeliverer {
 public:
  OutboxDeliverer(DocumentOutbox::Ptr outbox, AxisSender::Ptr sender, Clock::Ptr clock,
                  DelivererConfig config);
  ~OutboxDeliverer();  // stops the thread
  OutboxDeliverer(const OutboxDeliverer&) = delete;
  OutboxDeliverer& operator=(const OutboxDeliverer&) = delete;

  RoundReport run_once();

  void start();
  void stop();
  void wake();  // a document was accepted: no need to wait for the next poll

 private:
  void loop();

  const DocumentOutbox::Ptr outbox_;
  const AxisSender::Ptr sender_;
  const Clock::Ptr clock_;
  const DelivererConfig config_;
  std::mt19937_64 random_;

  std::mutex mutex_;
  std::condition_variable wakeup_;
  bool stopping_ = false;
  bool woken_ = false;
  std::thread thread_;
};

}  // namespace lienthong::outbox
