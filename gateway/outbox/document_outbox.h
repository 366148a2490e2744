// The durable outbox of outgoing edXML documents, on Redis (README.md: the structure, the
// durability argument step by step, the Redis settings it requires).
//
// accept() returns only after Redis has answered the script that stored the document, so with
// `appendfsync always` an accepted document is on disk; it is idempotent by DocumentId (the same
// body again: the first outbox id, duplicate = true; another body or sender: BAD_REQUEST
// conflict). Bodies are sealed (AES-256-GCM, SealingKey) with the Redis key as associated data;
// Redis key names carry a keyed hash of the DocumentId, never the DocumentId itself.
// Deliverers claim() due documents under a lease and report delivered()/failed(); a lease that
// expires (its deliverer died) makes the document due again. Thread-safe.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/cache/sealing_key.h"
#include "gateway/core/clock.h"
#include "gateway/core/error.h"
#include "gateway/outbox/outbox_types.h"
#include "gateway/outbox/redis_link.h"

namespace lienthong::outbox {

// What create() does with the Redis server's persistence settings.
enum class PersistenceCheck {
  kRequire,  // refuse appendonly no or appendfsync no; warn on everysec (the default)
  kSkip,     // only for tests of other things and for a Redis where CONFIG is disabled
};

struct OutboxConfig {
  RedisLinkConfig redis;
  // The hash tag keeps every key of the outbox in one Redis Cluster slot (the scripts touch
  // several).
  std::string key_prefix = "lt:{outbox}:";
  PersistenceCheck persistence = PersistenceCheck::kRequire;
  // The axis takes at most 32 MiB (AXIS_SIMULATOR.md); refusing here avoids storing a document
  // that can only be dead-lettered.
  std::size_t max_document_bytes = std::size_t{32} << 20;
  std::size_t max_document_id_bytes = 256;
  std::size_t max_sender_bytes = 64;
};

// What the Redis server said about its persistence at startup.
struct PersistenceReport {
  bool appendonly = false;
  std::string appendfsync;  // "always", "everysec", "no"
  std::string version;      // redis_version
};

// Reads CONFIG GET appendonly/appendfsync and INFO server. With kRequire, refuses (INTERNAL) a
// Redis that would forget answered writes on a restart (appendonly no, appendfsync no) and
// warns on everysec; `component` ("outbox", "inbox") names the caller in messages and logs.
// UPSTREAM_UNAVAILABLE when Redis cannot be asked. Shared by every store that keeps what it
// acknowledged in Redis (the outbox, the document inbox).
Result<PersistenceReport> check_redis_persistence(RedisLink& link, std::string_view component,
                                                  PersistenceCheck check);

class DocumentOutbox {
 public:
  using Ptr = std::shared_ptr<DocumentOutbox>;

  // Checks the config and (PersistenceCheck::kRequire) the server's persistence: refuses to
  // start with UPSTREAM_UNAVAILABLE when Redis cannot be asked, INTERNAL when it would lose
  // accepted documents on a restart.
  static Result<Ptr> create(OutboxConfig config, std::shared_ptr<const cache::SealingKey> key,
                            Clock::Ptr clock);

  // CONFIG GET appendonly/appendfsync and INFO server.
  Result<PersistenceReport> persistence();

  // BAD_REQUEST for an empty or oversized DocumentId, sender or body, and for a conflict (the
  // DocumentId is in the outbox with another body or sender); UPSTREAM_UNAVAILABLE when Redis
  // did not confirm (the document may or may not be stored: accepting again is safe).
  Result<AcceptedDocument> accept(std::string_view document_id, std::string_view sender_organ,
                                  std::string edxml_bytes);

  // NOT_FOUND when the DocumentId was never accepted.
  Result<OutboxStatus> status(std::string_view document_id);
  // Oldest first (by the time of the state's set: next attempt, lease end, delivery, death);
  // at most `limit` (capped at 1000).
  Result<std::vector<OutboxStatus>> list(OutboxState state, std::size_t limit);
  // How many documents are in each state (/metrics: dead letters are what operators alert on).
  Result<OutboxCounts> counts();
  // A dead letter becomes due now with a fresh attempt count. NOT_FOUND when unknown,
  // BAD_REQUEST when the document is not dead.
  Result<void> retry_dead(std::string_view document_id);

  // For deliverers. Leases up to `limit` due documents until now + lease; leases expired by
  // now are returned to due first (or dead-lettered once `max_attempts` were started). A
  // document whose sealed body does not open is dead-lettered and not returned.
  Result<std::vector<OutboxEntry>> claim(std::string_view owner, std::size_t limit,
                                         std::chrono::milliseconds lease, int max_attempts);
  Result<void> delivered(const OutboxEntry& entry, const AxisReceipt& receipt);
  // Reschedules at `next_attempt` or, when `permanent` or the attempts are used up,
  // dead-letters with `reason` (no personal data: it is shown to admins). Returns the state the
  // document is now in; a stale lease changes nothing and returns kDelivering.
  Result<OutboxState> failed(const OutboxEntry& entry, std::string_view reason, bool permanent,
                             TimePoint next_attempt, int max_attempts);

  // The Redis key of a DocumentId's hash (tests, admin tooling).
  std::string document_key(std::string_view document_id) const;
  const OutboxConfig& config() const { return config_; }

 private:
  DocumentOutbox(OutboxConfig config, std::shared_ptr<const cache::SealingKey> key,
                 Clock::Ptr clock, std::unique_ptr<RedisLink> link);
  std::string name_of(std::string_view document_id) const;
  std::string key(std::string_view suffix) const {
    return config_.key_prefix + std::string(suffix);
  }
  Result<OutboxStatus> read_status(const std::string& name);

  const OutboxConfig config_;
  const std::shared_ptr<const cache::SealingKey> sealing_key_;
  const Clock::Ptr clock_;
  const std::unique_ptr<RedisLink> link_;
};

}  // namespace lienthong::outbox
