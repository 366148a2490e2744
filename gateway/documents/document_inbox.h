// The received documents, on Redis (docs/documents.md "Incoming"): one sealed body per
// DocumentId and, per recipient organ served by this gateway, an ordered index. The receiver
// stores a document here and only then acknowledges it to the axis, so a document the axis
// forgets after the ack is never only in memory. Same Redis rules as the outbox (AOF,
// `appendfsync always`, noeviction; gateway/outbox/README.md), same sealing key and keyed
// names: Redis never holds a DocumentId, organ code or body in clear.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/cache/sealing_key.h"
#include "gateway/core/clock.h"
#include "gateway/core/error.h"
#include "gateway/documents/document_service.h"
#include "gateway/outbox/document_outbox.h"
#include "gateway/outbox/redis_link.h"

namespace lienthong::documents {

struct InboxConfig {
  outbox::RedisLinkConfig redis;
  std::string key_prefix = "lt:{inbox}:";
  outbox::PersistenceCheck persistence = outbox::PersistenceCheck::kRequire;
  std::size_t max_document_bytes = std::size_t{32} << 20;
};

// What the receiver stores: the document as verified and read.
struct IncomingDocument {
  ReceivedSummary summary;  // sequence and received_at are assigned by store()
  std::string edxml;
  std::string signer_subject;
  std::string signer_fingerprint;
};

struct StoreOutcome {
  std::uint64_t sequence = 0;  // this recipient's sequence of the document
  bool duplicate = false;      // it was stored for this recipient before (a re-fetch)
};

// An incoming document the receiver refused (bad signature, invalid edXML): kept for admins
// (axis id, reason; no body), and acknowledged so it does not come back on every poll.
struct RefusedIncoming {
  std::string axis_id;
  std::string recipient_organ;
  std::string reason;  // the error code and detail, no contents
  TimePoint at{};
};

class DocumentInbox {
 public:
  using Ptr = std::shared_ptr<DocumentInbox>;

  // Checks the config and (kRequire) Redis's persistence, as DocumentOutbox::create.
  static Result<Ptr> create(InboxConfig config, std::shared_ptr<const cache::SealingKey> key,
                            Clock::Ptr clock);
  virtual ~DocumentInbox() = default;

  // Idempotent by (DocumentId, recipient): a second store of the same document for the same
  // organ answers its first sequence with duplicate = true. Returns only after Redis answered.
  virtual Result<StoreOutcome> store(const IncomingDocument& document,
                                     std::string_view recipient_organ) = 0;
  // sequence > after, oldest first, at most limit (capped at 1000).
  virtual Result<std::vector<ReceivedSummary>> list(std::string_view recipient_organ,
                                                    std::uint64_t after, std::size_t limit) = 0;
  // NOT_FOUND unless the document was stored for this recipient.
  virtual Result<ReceivedDocument> get(std::string_view recipient_organ,
                                       std::string_view document_id) = 0;
  virtual Result<void> refuse(const RefusedIncoming& refused) = 0;
  virtual Result<std::vector<RefusedIncoming>> refused(std::size_t limit) = 0;
};

}  // namespace lienthong::documents
