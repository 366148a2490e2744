// Pipelines for the HTTP front's tests: a gmock for exact expectations, and a fake that records
// every request and answers now, later, or from another thread.
#pragma once

#include <gmock/gmock.h>

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <utility>
#include <vector>

#include "gateway/exchange/pipeline.h"

namespace lienthong::testing {

class MockPipeline : public exchange::Pipeline {
 public:
  MOCK_METHOD(void, lookup, (LookupRequest, exchange::LookupCallback), (override));
  MOCK_METHOD(exchange::Readiness, readiness, (), (const, override));
};

// A record built from the request, so a test can tell which request an answer belongs to.
inline LookupResponse answer_for(const LookupRequest& request) {
  LookupResponse response;
  response.request_id = request.request_id;
  VerifiedRecord& r = response.record;
  r.subject = request.subject;
  r.doc_type = request.document_type;
  r.code = record_code(request.subject, request.document_type);
  r.fields = {
      {"gioi_tinh", "2"}, {"ho_va_ten", "Nguyễn Thị Minh Khai"}, {"thuong_tru.ma_tinh", "01"}};
  r.source = "population";
  r.verified_at = TimePoint(std::chrono::seconds(1795335330));  // 2026-11-22T08:15:30Z
  r.expires_at = r.verified_at + std::chrono::hours(24);
  response.from_cache = true;
  response.envelope =
      "<Envelope xmlns=\"urn:lienthong:envelope:1\"><Record Code=\"" + r.code + "\"/></Envelope>";
  return response;
}

class FakePipeline : public exchange::Pipeline {
 public:
  struct Held {
    LookupRequest request;
    exchange::LookupCallback done;
  };

  // How to answer; the default answers at once, on the calling thread, with answer_for().
  void answer_with(std::function<Result<LookupResponse>(const LookupRequest&)> answer) {
    std::lock_guard lock(mutex_);
    answer_ = std::move(answer);
  }
  // Keep every callback until release() (or take_held()).
  void hold(bool on) {
    std::lock_guard lock(mutex_);
    hold_ = on;
  }
  void set_readiness(exchange::Readiness r) {
    std::lock_guard lock(mutex_);
    readiness_ = std::move(r);
  }

  void lookup(LookupRequest request, exchange::LookupCallback done) override {
    std::unique_lock lock(mutex_);
    seen_.push_back(request);
    if (hold_) {
      held_.push_back(Held{std::move(request), std::move(done)});
      changed_.notify_all();
      return;
    }
    auto answer = answer_;
    lock.unlock();
    done(answer ? answer(request) : Result<LookupResponse>(answer_for(request)));
  }
  exchange::Readiness readiness() const override {
    std::lock_guard lock(mutex_);
    return readiness_;
  }

  std::vector<LookupRequest> seen() const {
    std::lock_guard lock(mutex_);
    return seen_;
  }
  // Waits until `n` callbacks are held; false on timeout.
  bool wait_held(size_t n, std::chrono::milliseconds timeout = std::chrono::seconds(30)) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] { return held_.size() >= n; });
  }
  std::deque<Held> take_held() {
    std::lock_guard lock(mutex_);
    return std::exchange(held_, {});
  }

 private:
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::function<Result<LookupResponse>(const LookupRequest&)> answer_;
  bool hold_ = false;
  exchange::Readiness readiness_;
  std::vector<LookupRequest> seen_;
  std::deque<Held> held_;
};

}  // namespace lienthong::testing
