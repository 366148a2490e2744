// Shared by the document inbox and receiver tests: a Redis per test (AOF, fsync always), an
// inbox on it, a manual clock, edXML documents from the sample envelope, a fake axis that
// checks every ack against the inbox, and an audit sink that records entries.
#pragma once

#include <gtest/gtest.h>

#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "adapters/documents/edxml_parse.h"
#include "adapters/documents/edxml_signature.h"
#include "adapters/documents/edxml_write.h"
#include "gateway/audit/audit_sink.h"
#include "gateway/documents/axis_inbound.h"
#include "gateway/documents/document_inbox.h"
#include "tests/support/manual_clock.h"
#include "tests/support/redis_test_server.h"
#include "tests/unit/adapters/documents/sample_envelope.h"

namespace lienthong::documents::testing {

using ::lienthong::testing::free_port;
using ::lienthong::testing::raw;
using ::lienthong::testing::RedisServer;

inline constexpr std::string_view kOrganA = "000.00.00.H20";  // a To of the sample
inline constexpr std::string_view kOrganB = "001.00.10.H47";  // the other To
inline constexpr std::string_view kOtherOrgan = "000.00.00.G90";
// Personal data the sealed values must hide.
inline constexpr std::string_view kSubject = "Hồ sơ của Nguyễn Thị Bí Mật 001203004510";

inline std::string document_id(int n) {
  return "000.00.00.G22,2015/09/30," + std::to_string(n) + "/VPCP-TTĐT";
}

// The sample envelope as document `n` with the secret subject; `variant` changes its content.
inline edxml::EdxmlMessage message(int n, std::string_view variant = "") {
  auto m = edxml::parse_edxml(edxml::testing::sample_edxml());
  if (!m) throw std::runtime_error(m.error().detail);
  m->header.code.code_number = std::to_string(n);
  m->header.document_id = document_id(n);
  m->header.subject = std::string(kSubject);
  m->trace.bussiness->document_id = m->header.document_id;
  if (!variant.empty()) m->attachments[1].bytes = std::string(variant);
  return *m;
}
inline std::string edxml_bytes(int n, std::string_view variant = "") {
  return edxml::to_edxml(message(n, variant));
}

// What the receiver would hand to store() for document `n`.
inline IncomingDocument incoming(int n, std::string_view variant = "") {
  IncomingDocument d;
  d.summary.document_id = document_id(n);
  d.summary.axis_id = "ax-" + std::to_string(n);
  d.summary.from_organ = "000.00.00.G22";
  d.summary.code = std::to_string(n) + "/VPCP-TTĐT";
  d.summary.promulgation_date = "2015/09/30";
  d.summary.subject = std::string(kSubject);
  d.edxml = edxml_bytes(n, variant);
  d.signer_subject = "CN=sender signing";
  d.signer_fingerprint = std::string(64, 'f');
  return d;
}

class InboxTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(server_.start()) << "could not start " << LIENTHONG_REDIS_SERVER;
    key_ = std::make_shared<const cache::SealingKey>(
        *cache::SealingKey::from_bytes(std::string(32, 'k')));
  }

  DocumentInbox::Ptr make_inbox(InboxConfig config = {}) {
    config.redis.port = server_.port();
    auto inbox = DocumentInbox::create(config, key_, clock_);
    EXPECT_TRUE(inbox) << inbox.error().detail;
    return inbox ? *inbox : nullptr;
  }

  RedisServer server_{"yes", "always"};
  std::shared_ptr<const cache::SealingKey> key_;
  std::shared_ptr<lienthong::testing::ManualClock> clock_ =
      std::make_shared<lienthong::testing::ManualClock>(
          std::chrono::sys_days{std::chrono::year{2026} / 11 / 22});
};

// An axis in memory. Every ack is checked against the inbox: acknowledging a document that is
// not stored (nor refused) for that organ is counted as a violation.
class FakeAxis final : public AxisInbound {
 public:
  explicit FakeAxis(DocumentInbox::Ptr inbox) : inbox_(std::move(inbox)) {}

  // Pending for every organ in `to`.
  void put(const std::string& axis_id, const std::string& document_id, std::string bytes,
           std::vector<std::string> to) {
    std::lock_guard lock(mutex_);
    docs_[axis_id] = {document_id, std::move(bytes)};
    for (auto& organ : to) pending_[organ].push_back(axis_id);
  }
  // The next calls of `what` ("pending", "fetch", "ack") fail with `error`.
  void fail_next(const std::string& what, Error error, int times = 1) {
    std::lock_guard lock(mutex_);
    for (int i = 0; i < times; ++i) failures_[what].push_back(error);
  }

  Result<std::vector<PendingDocument>> pending(std::string_view organ) override {
    std::lock_guard lock(mutex_);
    if (auto e = scripted("pending")) return tl::unexpected(*e);
    std::vector<PendingDocument> out;
    for (const auto& id : pending_[std::string(organ)])
      out.push_back({id, docs_[id].first, "000.00.00.G22"});
    return out;
  }
  Result<std::string> fetch(std::string_view axis_id) override {
    std::lock_guard lock(mutex_);
    ++fetches_;
    if (auto e = scripted("fetch")) return tl::unexpected(*e);
    auto it = docs_.find(std::string(axis_id));
    if (it == docs_.end()) return fail(ErrorCode::kNotFound, "no such document");
    return it->second.second;
  }
  Result<void> ack(std::string_view axis_id, std::string_view organ) override {
    std::lock_guard lock(mutex_);
    if (auto e = scripted("ack")) return tl::unexpected(*e);
    const std::string id(axis_id);
    // The document must be durable before the ack: stored for this organ, or refused.
    if (!inbox_->get(organ, docs_[id].first) && !was_refused(id, organ)) ++violations_;
    auto& list = pending_[std::string(organ)];
    std::erase(list, id);
    ++acks_;
    return {};
  }
  Result<StatusRecord> post_status(std::string_view, const std::string&) override {
    return fail(ErrorCode::kInternal, "not used");
  }
  Result<std::vector<StatusRecord>> status_history(std::string_view) override {
    return fail(ErrorCode::kInternal, "not used");
  }

  std::size_t pending_count(std::string_view organ) {
    std::lock_guard lock(mutex_);
    return pending_[std::string(organ)].size();
  }
  int acks() {
    std::lock_guard lock(mutex_);
    return acks_;
  }
  int fetches() {
    std::lock_guard lock(mutex_);
    return fetches_;
  }
  int violations() {
    std::lock_guard lock(mutex_);
    return violations_;
  }

 private:
  bool was_refused(const std::string& axis_id, std::string_view organ) {
    auto refused = inbox_->refused(1000);
    if (!refused) return false;
    for (const auto& r : *refused)
      if (r.axis_id == axis_id && r.recipient_organ == organ) return true;
    return false;
  }
  std::optional<Error> scripted(const std::string& what) {
    auto& list = failures_[what];
    if (list.empty()) return std::nullopt;
    Error e = list.front();
    list.pop_front();
    return e;
  }

  DocumentInbox::Ptr inbox_;
  std::mutex mutex_;
  std::map<std::string, std::pair<std::string, std::string>> docs_;  // axis id → (DocId, bytes)
  std::map<std::string, std::vector<std::string>> pending_;          // organ → axis ids
  std::map<std::string, std::deque<Error>> failures_;
  int acks_ = 0, fetches_ = 0, violations_ = 0;
};

// Records entries; answers durable at once, or with the scripted error.
class RecordingAudit final : public audit::AuditSink {
 public:
  void append(audit::AuditEntry entry, audit::DurableCallback durable) override {
    std::optional<Error> error;
    {
      std::lock_guard lock(mutex_);
      if (failures_ > 0) {
        --failures_;
        error = Error{ErrorCode::kInternal, "audit disk full"};
      } else {
        entries_.push_back(std::move(entry));
      }
    }
    if (error)
      durable(tl::unexpected(*error));
    else
      durable({});
  }
  void fail_next(int times) {
    std::lock_guard lock(mutex_);
    failures_ = times;
  }
  std::vector<audit::AuditEntry> entries() {
    std::lock_guard lock(mutex_);
    return entries_;
  }

 private:
  std::mutex mutex_;
  std::vector<audit::AuditEntry> entries_;
  int failures_ = 0;
};

}  // namespace lienthong::documents::testing
