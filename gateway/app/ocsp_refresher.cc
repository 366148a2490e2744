#include "gateway/app/ocsp_refresher.h"

#include "gateway/core/log.h"

namespace lienthong::app {

OcspRefresher::OcspRefresher(crypto::OcspChecker::Ptr checker,
                             std::shared_ptr<const exchange::MemberAuthenticator> authenticator,
                             std::chrono::seconds period)
    : checker_(std::move(checker)), authenticator_(std::move(authenticator)), period_(period) {}

OcspRefresher::~OcspRefresher() { stop(); }

void OcspRefresher::start() {
  if (!thread_.joinable()) thread_ = std::thread([this] { run(); });
}

void OcspRefresher::wake() {
  {
    std::lock_guard lock(mutex_);
    woken_ = true;
  }
  cv_.notify_one();
}

void OcspRefresher::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  cv_.notify_one();
  if (thread_.joinable()) thread_.join();
}

void OcspRefresher::refresh_once() {
  const auto report = checker_->refresh();
  for (const auto& failure : report.failures)
    LT_LOG(warn, "OCSP answer not renewed: {}", failure.detail);
  // Pins asked about for the first time (a new member, a restart): now, not on its request.
  for (const auto& failure : authenticator_->prefetch_ocsp())
    LT_LOG(warn, "OCSP: {}", failure.detail);
}

void OcspRefresher::run() {
  for (;;) {
    refresh_once();
    std::unique_lock lock(mutex_);
    cv_.wait_for(lock, period_, [this] { return stopping_ || woken_; });
    if (stopping_) return;
    woken_ = false;
  }
}

}  // namespace lienthong::app
