// Keeps OCSP answers for pinned members fresh off the request path: at start, after every
// trust reload (wake()), and periodically, it renews answers about to go stale and asks about
// pins not yet asked about, so a member's request finds its answer cached.
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include "gateway/crypto/ocsp_checker.h"
#include "gateway/exchange/member_authenticator.h"

namespace lienthong::app {

class OcspRefresher {
 public:
  OcspRefresher(crypto::OcspChecker::Ptr checker,
                std::shared_ptr<const exchange::MemberAuthenticator> authenticator,
                std::chrono::seconds period);
  ~OcspRefresher();  // stops and joins

  void start();
  void wake();  // after a reload: new pins are asked about now, not at the next period
  void stop();

 private:
  void run();
  void refresh_once();

  crypto::OcspChecker::Ptr checker_;
  std::shared_ptr<const exchange::MemberAuthenticator> authenticator_;
  std::chrono::seconds period_;
  std::mutex mutex_;
  std::condition_variable cv_;
  bool stopping_ = false;
  bool woken_ = false;
  std::thread thread_;
};

}  // namespace lienthong::app
