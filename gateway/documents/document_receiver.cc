#include "gateway/documents/document_receiver.h"

#include <algorithm>
#include <future>
#include <optional>
#include <stdexcept>

#include "adapters/documents/edxml_validate.h"
#include "gateway/core/log.h"
#include "gateway/outbox/backoff.h"

namespace lienthong::documents {

namespace {

std::string describe(const Error& error) {
  return std::string(error_code_name(error.code)) + ": " + error.detail;
}

// The axis, Redis or the audit is down: the organ's other documents would fail the same way,
// so its round stops there instead of hammering a dead dependency.
bool is_outage(const Error& error) {
  return error.code == ErrorCode::kUpstreamUnavailable ||
         error.code == ErrorCode::kUpstreamTimeout || error.code == ErrorCode::kRateLimited;
}

IncomingDocument incoming(const PendingDocument& pending, edxml::VerifiedEdxml verified,
                          std::string bytes) {
  const edxml::MessageHeader& h = verified.message.header;
  IncomingDocument d;
  d.summary.document_id = h.document_id;
  d.summary.axis_id = pending.axis_id;
  d.summary.from_organ = h.from.organ_id;
  d.summary.code = h.code.code_number + "/" + h.code.code_notation;
  d.summary.promulgation_date = h.promulgation_info.promulgation_date;
  d.summary.subject = h.subject;
  const auto& bussiness = verified.message.trace.bussiness;
  d.summary.business_type = bussiness ? bussiness->bussiness_doc_type : 0;
  d.edxml = std::move(bytes);
  d.signer_subject = std::move(verified.signer.subject);
  d.signer_fingerprint = std::move(verified.signer.fingerprint);
  return d;
}

}  // namespace

// What fetching and checking one pending document gave: a document to store, a permanent
// refusal, or a transient failure (left pending).
struct DocumentReceiver::Verdict {
  std::optional<IncomingDocument> document;
  std::optional<Error> refusal;
  std::optional<Error> failure;
};

DocumentReceiver::DocumentReceiver(DocumentInbox::Ptr inbox, AxisInbound::Ptr axis,
                                   EdxmlVerifyFn verify, audit::AuditSink::Ptr audit,
                                   Clock::Ptr clock, ReceiverConfig config)
    : inbox_(std::move(inbox)),
      axis_(std::move(axis)),
      verify_(std::move(verify)),
      audit_(std::move(audit)),
      clock_(std::move(clock)),
      config_(std::move(config)) {
  if (!inbox_ || !axis_ || !verify_ || !clock_)
    throw std::invalid_argument("document receiver: inbox, axis, verify and clock are required");
  if (config_.max_per_round == 0)
    throw std::invalid_argument("document receiver: max_per_round must be > 0");
}

DocumentReceiver::~DocumentReceiver() { stop(); }

ReceiveReport DocumentReceiver::run_once() {
  std::lock_guard round(round_mutex_);
  ReceiveReport report;
  for (const std::string& organ : config_.organs) receive_organ(organ, report);
  if (report.refused > 0 || report.failed > 0 || report.polls_failed > 0)
    LT_LOG(warn,
           "documents: receive round: {} stored, {} duplicate(s), {} refused, {} left pending, "
           "{} organ(s) not polled; last error {}",
           report.stored, report.duplicates, report.refused, report.failed, report.polls_failed,
           report.last_error);
  return report;
}

void DocumentReceiver::receive_organ(const std::string& organ, ReceiveReport& report) {
  auto pending = axis_->pending(organ);
  if (!pending) {
    ++report.polls_failed;
    report.last_error = describe(pending.error());
    return;
  }
  if (pending->size() > config_.max_per_round) report.busy = true;
  const std::size_t n = std::min(pending->size(), config_.max_per_round);
  for (std::size_t i = 0; i < n; ++i) {
    std::optional<Error> failure;
    switch (receive_one(organ, (*pending)[i], failure)) {
      case Outcome::kStored:
        ++report.stored;
        break;
      case Outcome::kDuplicate:
        ++report.duplicates;
        break;
      case Outcome::kRefused:
        ++report.refused;
        break;
      case Outcome::kFailed:
        ++report.failed;
        break;
    }
    if (!failure) continue;
    report.last_error = describe(*failure);
    if (is_outage(*failure)) {
      report.busy = false;  // the rest waits for the next poll, not for an immediate round
      return;
    }
  }
}

DocumentReceiver::Verdict DocumentReceiver::take(const std::string& organ,
                                                 const PendingDocument& pending) {
  Verdict v;
  auto bytes = axis_->fetch(pending.axis_id);
  if (!bytes) {
    v.failure = bytes.error();  // NOT_FOUND too: nothing to acknowledge then
    return v;
  }
  auto verified = verify_(*bytes);
  if (!verified) {
    // A verifier that could not decide (revocation source down, our own fault) tries again
    // later; a signature or certificate that is wrong stays wrong.
    (outbox::is_retryable(verified.error()) ? v.failure : v.refusal) = verified.error();
    return v;
  }
  if (auto valid = edxml::validate(verified->message); !valid) {
    v.refusal = valid.error();
    return v;
  }
  const auto& to = verified->message.header.to;
  if (std::none_of(to.begin(), to.end(),
                   [&organ](const edxml::Organization& o) { return o.organ_id == organ; })) {
    v.refusal = Error{ErrorCode::kAccessDenied,
                      "the axis listed the document for an organ not among MessageHeader/To"};
    return v;
  }
  v.document = incoming(pending, std::move(*verified), std::move(*bytes));
  return v;
}

DocumentReceiver::Outcome DocumentReceiver::receive_one(const std::string& organ,
                                                        const PendingDocument& pending,
                                                        std::optional<Error>& failure) {
  const TimePoint started = clock_->now();
  Verdict v = take(organ, pending);
  if (v.failure) {
    failure = std::move(v.failure);
    return Outcome::kFailed;
  }
  std::string document_id = pending.document_id;  // as listed, until the bytes are verified
  Outcome outcome = Outcome::kRefused;
  if (v.document) {
    document_id = v.document->summary.document_id;
    auto stored = inbox_->store(*v.document, organ);
    if (stored) {
      outcome = stored->duplicate ? Outcome::kDuplicate : Outcome::kStored;
    } else if (outbox::is_retryable(stored.error())) {
      failure = stored.error();  // Redis did not confirm: no ack, the next round stores it
      return Outcome::kFailed;
    } else {
      v.refusal = stored.error();  // a conflicting body under a stored DocumentId, too large
    }
  }
  std::string audit_outcome = "OK";
  if (v.refusal) {
    RefusedIncoming refused{pending.axis_id, organ, describe(*v.refusal), clock_->now()};
    if (auto ok = inbox_->refuse(refused); !ok) {
      failure = ok.error();
      return Outcome::kFailed;
    }
    audit_outcome = error_code_name(v.refusal->code);
  }
  if (auto ok = audit(organ, pending, document_id, audit_outcome, started); !ok) {
    failure = ok.error();
    return Outcome::kFailed;
  }
  // Only now: the document (or its refusal) is durable in Redis and in the audit.
  if (auto ok = axis_->ack(pending.axis_id, organ); !ok) {
    failure = ok.error();  // stays pending; the next round meets a duplicate and acks
    return Outcome::kFailed;
  }
  return outcome;
}

Result<void> DocumentReceiver::audit(const std::string& organ, const PendingDocument& pending,
                                     std::string_view document_id, std::string_view outcome,
                                     TimePoint started) {
  if (!audit_) return {};
  audit::AuditEntry e;
  e.at = clock_->now();
  e.request_id = config_.owner + ":" + pending.axis_id;
  e.front = "axis";
  e.member = organ;
  e.adapter = "documents";
  e.document_type = "receive";
  e.subject = std::string(document_id);
  e.outcome = std::string(outcome);
  e.latency_us = std::chrono::duration_cast<std::chrono::microseconds>(e.at - started).count();
  auto durable = std::make_shared<std::promise<Result<void>>>();
  auto future = durable->get_future();
  audit_->append(std::move(e), [durable](Result<void> r) { durable->set_value(std::move(r)); });
  // A pause, not a deadline of the protocol: the steady wait needs no Clock.
  if (future.wait_for(config_.audit_timeout) != std::future_status::ready)
    return fail(ErrorCode::kUpstreamTimeout, "audit entry not durable in time");
  return future.get();
}

void DocumentReceiver::start() {
  std::lock_guard lock(mutex_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { loop(); });
}

void DocumentReceiver::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wakeup_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void DocumentReceiver::wake() {
  {
    std::lock_guard lock(mutex_);
    woken_ = true;
  }
  wakeup_.notify_all();
}

void DocumentReceiver::loop() {
  for (;;) {
    const ReceiveReport report = run_once();
    std::unique_lock lock(mutex_);
    if (stopping_) return;
    if (report.busy) continue;
    wakeup_.wait_for(lock, config_.poll_interval, [this] { return stopping_ || woken_; });
    woken_ = false;
    if (stopping_) return;
  }
}

}  // namespace lienthong::documents
