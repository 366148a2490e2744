// Shared by the outbox tests: a Redis per test, an outbox on it, a manual clock, a fake axis.
#pragma once

#include <gtest/gtest.h>

#include <deque>
#include <map>
#include <mutex>
#include <string>

#include "gateway/outbox/document_outbox.h"
#include "tests/support/manual_clock.h"
#include "tests/support/redis_test_server.h"

namespace lienthong::outbox::testing {

using ::lienthong::testing::ContextPtr;
using ::lienthong::testing::free_port;
using ::lienthong::testing::raw;
using ::lienthong::testing::RedisServer;
using ::lienthong::testing::ReplyPtr;

using Ms = std::chrono::milliseconds;

inline constexpr std::string_view kSender = "000.00.00.G22";
// Personal data the sealed body must hide.
inline constexpr std::string_view kSubject = "Nguyễn Thị Bí Mật 001203004510";

inline std::string document_id(int n) {
  return "000.00.00.G22,2026/11/22," + std::to_string(n) + "/UBND-VP";
}
inline std::string body(int n, std::string_view extra = "") {
  return "<edXMLEnvelope><Subject>" + std::string(kSubject) + "</Subject><Number>" +
         std::to_string(n) + "</Number>" + std::string(extra) + "</edXMLEnvelope>";
}

// Answers from a script per DocumentId (then success); counts what it was sent.
class FakeAxis final : public AxisSender {
 public:
  Result<AxisReceipt> send(const OutboxEntry& entry) override {
    std::lock_guard lock(mutex_);
    ++sends_[entry.document_id];
    last_body_[entry.document_id] = entry.edxml;
    attempts_seen_[entry.document_id] = entry.attempt;
    auto& script = script_[entry.document_id];
    if (!script.empty()) {
      auto next = script.front();
      script.pop_front();
      return next;
    }
    return AxisReceipt{"ax-" + std::to_string(++next_id_), false};
  }
  void then(const std::string& id, Result<AxisReceipt> r) {
    std::lock_guard lock(mutex_);
    script_[id].push_back(std::move(r));
  }
  int sends(const std::string& id) {
    std::lock_guard lock(mutex_);
    return sends_[id];
  }
  int total() {
    std::lock_guard lock(mutex_);
    int n = 0;
    for (auto& [k, v] : sends_) n += v;
    return n;
  }
  std::string last_body(const std::string& id) {
    std::lock_guard lock(mutex_);
    return last_body_[id];
  }
  int attempt_seen(const std::string& id) {
    std::lock_guard lock(mutex_);
    return attempts_seen_[id];
  }

 private:
  std::mutex mutex_;
  std::map<std::string, std::deque<Result<AxisReceipt>>> script_;
  std::map<std::string, int> sends_, attempts_seen_;
  std::map<std::string, std::string> last_body_;
  int next_id_ = 0;
};

class OutboxTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(server_.start()) << "could not start " << LIENTHONG_REDIS_SERVER;
    key_ = std::make_shared<const cache::SealingKey>(
        *cache::SealingKey::from_bytes(std::string(32, 'k')));
  }

  DocumentOutbox::Ptr make_outbox(OutboxConfig config = {}) {
    config.redis.port = server_.port();
    auto outbox = DocumentOutbox::create(config, key_, clock_);
    EXPECT_TRUE(outbox) << outbox.error().detail;
    return outbox ? *outbox : nullptr;
  }

  void advance(Ms by) { clock_->set(clock_->now() + by); }

  RedisServer server_{"yes", "always"};  // the outbox refuses Redis without AOF
  std::shared_ptr<const cache::SealingKey> key_;
  std::shared_ptr<lienthong::testing::ManualClock> clock_ =
      std::make_shared<lienthong::testing::ManualClock>(
          std::chrono::sys_days{std::chrono::year{2026} / 11 / 22});
};

}  // namespace lienthong::outbox::testing
