// A documents::DocumentService for the fronts' tests: records every call (caller, arguments,
// the thread it ran on) and answers with canned values a test may replace; and an Executor
// with one worker thread, as the gateway's pool would run the HTTP front's calls.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "gateway/core/executor.h"
#include "gateway/documents/document_service.h"

namespace lienthong::testing {

// The edXML DocumentId the tests use, and its one-segment percent-encoding.
inline constexpr const char* kDocumentId = "000.00.00.G22,2026/11/23,7816/VPCP-TTDT";
inline constexpr const char* kEncodedDocumentId =
    "000.00.00.G22%2C2026%2F11%2F23%2C7816%2FVPCP-TTDT";

inline TimePoint at_ms(std::int64_t ms) { return TimePoint(std::chrono::milliseconds(ms)); }

class FakeDocumentService final : public documents::DocumentService {
 public:
  struct Call {
    std::string method;  // "send", "sent", "received", "get", "update_status", "status_history"
    documents::DocumentCaller caller;
    std::string document_id;
    std::string edxml;  // send
    std::uint64_t after = 0;
    std::size_t limit = 0;
    documents::StatusUpdate update;
    std::thread::id thread;
  };

  // Every method fails with `error` while it is set.
  void fail_with(std::optional<Error> error) {
    std::lock_guard lock(mutex_);
    error_ = std::move(error);
  }
  // The next call throws (a broken service; the real one never throws).
  void throw_next() {
    std::lock_guard lock(mutex_);
    throw_ = true;
  }
  void set_received(std::vector<documents::ReceivedSummary> list) {
    std::lock_guard lock(mutex_);
    received_ = std::move(list);
  }
  std::vector<Call> calls() const {
    std::lock_guard lock(mutex_);
    return calls_;
  }

  static outbox::OutboxStatus sample_status(std::string document_id) {
    outbox::OutboxStatus s;
    s.outbox_id = "ob-0000000007";
    s.document_id = std::move(document_id);
    s.sender_organ = "000.00.00.G22";
    s.state = outbox::OutboxState::kAccepted;
    s.attempts = 2;
    s.last_error = "UPSTREAM_UNAVAILABLE: axis answered 503";
    s.accepted_at = at_ms(1795335330123);      // 2026-11-22T08:15:30.123Z
    s.next_attempt_at = at_ms(1795335390000);  // 2026-11-22T08:16:30.000Z
    return s;
  }
  static documents::ReceivedSummary sample_summary(std::uint64_t sequence) {
    documents::ReceivedSummary s;
    s.sequence = sequence;
    s.document_id = kDocumentId;
    s.axis_id = "ax-" + std::to_string(sequence);
    s.from_organ = "000.00.00.H20";
    s.code = "7816/VPCP-TTDT";
    s.promulgation_date = "2026/11/23";
    s.subject = "Về việc triển khai liên thông văn bản";
    s.business_type = 0;
    s.received_at = at_ms(1795335330005);  // 2026-11-22T08:15:30.005Z
    return s;
  }
  static documents::StatusRecord sample_record(std::string code) {
    documents::StatusRecord r;
    r.from_organ = "000.00.00.G22";
    r.status_code = std::move(code);
    r.description = "Đã tiếp nhận";
    r.timestamp = "2026/11/23 08:15:30";
    r.received_at = "2026/11/23 08:15:31";
    return r;
  }

  Result<documents::SendReceipt> send(const documents::DocumentCaller& caller,
                                      std::string edxml) override {
    Call call = start("send", caller);
    call.edxml = std::move(edxml);
    if (auto refused = finish(std::move(call))) return tl::unexpected(*refused);
    documents::SendReceipt receipt;
    receipt.document_id = kDocumentId;
    receipt.outbox_id = "ob-0000000007";
    receipt.duplicate = true;
    receipt.state = outbox::OutboxState::kDelivering;
    return receipt;
  }

  Result<outbox::OutboxStatus> sent(const documents::DocumentCaller& caller,
                                    std::string_view document_id) override {
    Call call = start("sent", caller);
    call.document_id = document_id;
    if (auto refused = finish(std::move(call))) return tl::unexpected(*refused);
    return sample_status(std::string(document_id));
  }

  Result<std::vector<documents::ReceivedSummary>> received(const documents::DocumentCaller& caller,
                                                           std::uint64_t after,
                                                           std::size_t limit) override {
    Call call = start("received", caller);
    call.after = after;
    call.limit = limit;
    if (auto refused = finish(std::move(call))) return tl::unexpected(*refused);
    std::lock_guard lock(mutex_);
    return received_;
  }

  Result<documents::ReceivedDocument> get(const documents::DocumentCaller& caller,
                                          std::string_view document_id) override {
    Call call = start("get", caller);
    call.document_id = document_id;
    if (auto refused = finish(std::move(call))) return tl::unexpected(*refused);
    documents::ReceivedDocument document;
    document.summary = sample_summary(3);
    document.summary.document_id = document_id;
    document.edxml = received_edxml();
    document.signer_subject = "CN=Văn phòng Chính phủ";
    document.signer_fingerprint = std::string(64, 'a');
    return document;
  }

  Result<documents::StatusRecord> update_status(const documents::DocumentCaller& caller,
                                                std::string_view document_id,
                                                const documents::StatusUpdate& update) override {
    Call call = start("update_status", caller);
    call.document_id = document_id;
    call.update = update;
    if (auto refused = finish(std::move(call))) return tl::unexpected(*refused);
    documents::StatusRecord record = sample_record(update.status_code);
    record.description = update.description;
    record.duplicate = true;
    return record;
  }

  Result<std::vector<documents::StatusRecord>> status_history(
      const documents::DocumentCaller& caller, std::string_view document_id) override {
    Call call = start("status_history", caller);
    call.document_id = document_id;
    if (auto refused = finish(std::move(call))) return tl::unexpected(*refused);
    return std::vector<documents::StatusRecord>{sample_record("01"), sample_record("03")};
  }

  // The bytes get() answers: not valid UTF-8 everywhere on purpose (a binary-safe path).
  static std::string received_edxml() {
    return std::string("<?xml version=\"1.0\" encoding=\"UTF-8\"?><edXMLEnvelope>\xc4\x90") +
           std::string(1, '\0') + "</edXMLEnvelope>";
  }

 private:
  Call start(std::string method, const documents::DocumentCaller& caller) {
    Call call;
    call.method = std::move(method);
    call.caller = caller;
    call.thread = std::this_thread::get_id();
    return call;
  }
  // Records the call; the error to answer with, if any. Throws when asked to.
  std::optional<Error> finish(Call call) {
    std::lock_guard lock(mutex_);
    calls_.push_back(std::move(call));
    if (throw_) {
      throw_ = false;
      throw std::runtime_error("secret internals");
    }
    return error_;
  }

  mutable std::mutex mutex_;
  std::optional<Error> error_;
  bool throw_ = false;
  std::vector<documents::ReceivedSummary> received_;
  std::vector<Call> calls_;
};

// One worker thread running posted tasks in order; joins on destruction.
class WorkerExecutor final : public Executor {
 public:
  WorkerExecutor() : thread_([this] { run(); }) {}
  ~WorkerExecutor() override {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    thread_.join();
  }
  void post(std::function<void()> task) override {
    {
      std::lock_guard lock(mutex_);
      tasks_.push_back(std::move(task));
    }
    wake_.notify_all();
  }
  std::thread::id thread_id() const { return thread_.get_id(); }

 private:
  void run() {
    std::unique_lock lock(mutex_);
    while (true) {
      wake_.wait(lock, [this] { return stopping_ || !tasks_.empty(); });
      if (tasks_.empty()) return;
      auto task = std::move(tasks_.front());
      tasks_.pop_front();
      lock.unlock();
      task();
      lock.lock();
    }
  }

  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> tasks_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace lienthong::testing
