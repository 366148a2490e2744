// Receives the documents the axis holds for the organs this gateway serves. One round, for
// each organ: pending → fetch → verify the XML-DSig signature → edxml::validate → the organ
// must be among MessageHeader/To → inbox.store → audit (durable) → ack.
//
// The ack takes a document off the axis's pending list, so it is sent only once the document
// is durably in the inbox (store answered with AOF fsync always) and its audit entry is on
// disk. Whatever fails before that (the axis, Redis or the audit down, this process killed)
// leaves the document pending, and the next round fetches it again: the inbox's store is
// idempotent by (DocumentId, recipient), so a re-fetch is a duplicate, acknowledged then.
// A document that can never be taken (bad signature, invalid edXML, not addressed to the
// organ, a conflicting body under a stored DocumentId) is recorded with inbox.refuse (reason:
// the error code and detail, no contents), audited with its error code, and acknowledged, so
// it does not come back on every poll.
//
// run_once() is what tests call; start() runs rounds on a thread of its own until stop().
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "adapters/documents/edxml_signature.h"
#include "gateway/audit/audit_sink.h"
#include "gateway/core/clock.h"
#include "gateway/core/error.h"
#include "gateway/documents/axis_inbound.h"
#include "gateway/documents/document_inbox.h"

namespace lienthong::documents {

struct ReceiverConfig {
  std::vector<std::string> organs;  // the organ codes to poll for
  // The thread's pause between rounds that left nothing to do at once.
  std::chrono::milliseconds poll_interval{5000};
  // Documents taken per organ per round, so one busy organ does not starve the others; a
  // round that reached it for some organ is followed by another at once.
  std::size_t max_per_round = 100;
  std::string owner = "receiver";  // names this receiver in audit request ids (host:pid)
  // How long a document waits for its audit entry to be durable before the round gives up on
  // it (not acknowledged: the next round tries again).
  std::chrono::milliseconds audit_timeout{30'000};
};

// Each document the round looked at is in exactly one of the first four.
struct ReceiveReport {
  std::size_t stored = 0;        // new in the inbox, acknowledged
  std::size_t duplicates = 0;    // already in the inbox (an earlier round's ack was lost), acked
  std::size_t refused = 0;       // recorded as refused, acknowledged
  std::size_t failed = 0;        // left pending on the axis for the next round
  std::size_t polls_failed = 0;  // organs whose pending list could not be read
  bool busy = false;             // some organ had more pending than max_per_round
  std::string last_error;        // of the last failure (code and detail, no contents)
};

// The signature check of an incoming envelope: edxml::verify_edxml over the gateway's
// crypto::XmlVerifier in production, a stand-in in tests.
using EdxmlVerifyFn = std::function<Result<edxml::VerifiedEdxml>(std::string_view bytes)>;

class DocumentReceiver {
 public:
  // Throws std::invalid_argument on a null dependency (audit may be null: no audit entries)
  // or max_per_round 0: a startup error.
  DocumentReceiver(DocumentInbox::Ptr inbox, AxisInbound::Ptr axis, EdxmlVerifyFn verify,
                   audit::AuditSink::Ptr audit, Clock::Ptr clock, ReceiverConfig config);
  ~DocumentReceiver();  // stops the thread
  DocumentReceiver(const DocumentReceiver&) = delete;
  DocumentReceiver& operator=(const DocumentReceiver&) = delete;

  ReceiveReport run_once();

  void start();
  void stop();
  void wake();  // e.g. an admin asked to poll now

 private:
  enum class Outcome { kStored, kDuplicate, kRefused, kFailed };
  struct Verdict;  // document_receiver.cc

  void receive_organ(const std::string& organ, ReceiveReport& report);
  // `failure` is set when the document was left pending (kFailed).
  Outcome receive_one(const std::string& organ, const PendingDocument& pending,
                      std::optional<Error>& failure);
  Verdict take(const std::string& organ, const PendingDocument& pending);
  Result<void> audit(const std::string& organ, const PendingDocument& pending,
                     std::string_view document_id, std::string_view outcome, TimePoint started);
  void loop();

  const DocumentInbox::Ptr inbox_;
  const AxisInbound::Ptr axis_;
  const EdxmlVerifyFn verify_;
  const audit::AuditSink::Ptr audit_;
  const Clock::Ptr clock_;
  const ReceiverConfig config_;

  std::mutex round_mutex_;  // one round at a time (the thread, a test, an admin's poll)
  std::mutex mutex_;
  std::condition_variable wakeup_;
  bool stopping_ = false;
  bool woken_ = false;
  std::thread thread_;
};

}  // namespace lienthong::documents
