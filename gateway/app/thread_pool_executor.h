// The gateway's worker pool: CPU work after an upstream answer (signature checks, response
// signing) runs here, never on the upstream client's or the audit writer's thread.
#pragma once

#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>

#include "gateway/core/executor.h"

namespace lienthong::app {

class ThreadPoolExecutor final : public Executor {
 public:
  explicit ThreadPoolExecutor(std::size_t threads) : pool_(threads) {}
  ~ThreadPoolExecutor() override { stop(); }
  void post(std::function<void()> task) override { boost::asio::post(pool_, std::move(task)); }
  void stop() {
    pool_.stop();
    pool_.join();
  }

 private:
  boost::asio::thread_pool pool_;
};

}  // namespace lienthong::app
