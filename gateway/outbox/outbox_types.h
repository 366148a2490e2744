// The vocabulary of the document outbox: states, what accept() and status() answer, the entry a
// deliverer hands to the axis, and the narrow interface to the axis (STYLE.md §4).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "gateway/core/clock.h"
#include "gateway/core/error.h"

namespace lienthong::outbox {

// accepted → delivering → delivered | dead; dead → accepted again through retry_dead().
// "accepted" also covers a document waiting for its next attempt after a retryable failure.
enum class OutboxState { kAccepted, kDelivering, kDelivered, kDead };

// "accepted", "delivering", "delivered", "dead": the names stored in Redis and shown to admins.
std::string_view state_name(OutboxState state);
std::optional<OutboxState> parse_state(std::string_view name);

struct OutboxCounts {
  std::size_t accepted = 0, delivering = 0, delivered = 0, dead = 0;
  std::size_t& of(OutboxState state) {
    switch (state) {
      case OutboxState::kDelivering:
        return delivering;
      case OutboxState::kDelivered:
        return delivered;
      case OutboxState::kDead:
        return dead;
      case OutboxState::kAccepted:
        break;
    }
    return accepted;
  }
};

struct AcceptedDocument {
  std::string outbox_id;   // "ob-0000000001": the first accept's id, also for a duplicate
  bool duplicate = false;  // this DocumentId with this body was already in the outbox
  OutboxState state = OutboxState::kAccepted;  // where the document is now
};

// What admins see of one document. Never the body.
struct OutboxStatus {
  std::string outbox_id;
  std::string document_id;
  std::string sender_organ;
  OutboxState state = OutboxState::kAccepted;
  int attempts = 0;             // sends started (a claim counts, even if the process then died)
  std::string axis_id;          // when delivered
  bool axis_duplicate = false;  // the axis had it already (an earlier attempt got through)
  std::string last_error;       // the last failure, for retries and dead letters
  TimePoint accepted_at{};
  std::optional<TimePoint> next_attempt_at;  // when accepted
  std::optional<TimePoint> lease_until;      // when delivering
  std::optional<TimePoint> finished_at;      // delivered or dead-lettered
};

// One claimed document, as a deliverer sends it.
struct OutboxEntry {
  std::string outbox_id;
  std::string document_id;
  std::string sender_organ;
  std::string edxml;   // the plaintext envelope, opened from its sealed copy
  int attempt = 0;     // 1 for the first send
  std::string lease;   // proof of this claim; completing with a stale lease changes nothing
  std::string member;  // the document's keyed name in Redis (internal)
};

struct AxisReceipt {
  std::string axis_id;     // the axis's id of the document
  bool duplicate = false;  // the axis already had it: an earlier attempt got through
};

// Sends one document to the axis. Errors: UPSTREAM_UNAVAILABLE, UPSTREAM_TIMEOUT, RATE_LIMITED
// and INTERNAL are retried later (is_retryable); every other code is permanent (the axis
// refused the document itself: 400, 409, 413, 415), and the document is dead-lettered.
class AxisSender {
 public:
  using Ptr = std::shared_ptr<AxisSender>;
  virtual ~AxisSender() = default;
  virtual Result<AxisReceipt> send(const OutboxEntry& entry) = 0;
};

}  // namespace lienthong::outbox
