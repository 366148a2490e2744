// The document operations both fronts offer (issue 6 item 3; docs/documents.md): send an edXML
// document to the national document axis (answered as soon as it is durably in the outbox),
// read its delivery state, list and get the documents received for the caller's organ, update
// a document's status (a Status message to the axis) and read its status history.
//
// The fronts decode and encode; everything else — authenticating the member against the trust
// in force, the access policy (adapter "documents", document types "send" and "receive"), the
// edXML rules, signing, the outbox, the inbox, the audit — is the service's. Calls block their
// caller (Redis, and for status calls the axis): the Thrift front calls them on its
// connection's thread, the HTTP front on a worker, never on an event-loop thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/core/clock.h"
#include "gateway/core/error.h"
#include "gateway/core/lookup.h"
#include "gateway/outbox/outbox_types.h"

namespace lienthong::documents {

// Who calls, as the front knows it. `member` is the TLS peer's (never a request field).
struct DocumentCaller {
  Member member;
  std::string request_id;         // the gateway's id for this request (audit, logs)
  std::string client_request_id;  // the caller's correlation id, when it sent one
  std::string front;              // "thrift", "http" (audit)
};

// The answer to send(): the document is in the outbox (durably, see gateway/outbox/README.md).
struct SendReceipt {
  std::string document_id;  // the edXML DocumentId: the key of every later call
  std::string outbox_id;    // "ob-…", the first accept's id also for a duplicate
  bool duplicate = false;   // the same document was accepted before: nothing new was stored
  outbox::OutboxState state = outbox::OutboxState::kAccepted;
};

// One received document in a list: what a one-stop operator needs to pick it, never the body.
struct ReceivedSummary {
  std::uint64_t sequence = 0;  // the inbox's order for this organ: list(after = last sequence)
  std::string document_id;
  std::string axis_id;            // the axis's id ("ax-…")
  std::string from_organ;         // MessageHeader/From/OrganId
  std::string code;               // "<CodeNumber>/<CodeNotation>"
  std::string promulgation_date;  // yyyy/MM/dd
  std::string subject;            // trích yếu (the recipient's own document: not logged)
  int business_type = 0;          // TraceHeaderList/Bussiness: 0 new, 1 recall, 2 update, 3 replace
  TimePoint received_at{};        // when the gateway stored it
};

// One received document, whole.
struct ReceivedDocument {
  ReceivedSummary summary;
  std::string edxml;           // the bytes as the axis gave them, the sender's signature included
  std::string signer_subject;  // subject DN of the certificate whose signature was verified
  std::string signer_fingerprint;
};

// What a party says about a document (edXML Status). The service fills From (the caller's
// organ), ResponseFor (from the document) and Timestamp (now), then signs it.
struct StatusUpdate {
  std::string status_code;  // 01–06, 13, 15, 16 (edxml::kStatusCodes)
  std::string description;
  std::string staff_department, staff_name, staff_email, staff_mobile;
};

// One entry of a document's status history, as the axis keeps it.
struct StatusRecord {
  std::string from_organ;
  std::string status_code;
  std::string description;
  std::string timestamp;    // the Status's own, yyyy/MM/dd HH:mm:ss
  std::string received_at;  // when the axis took it (its text)
  bool duplicate = false;   // update_status(): the axis had this very status already
};

class DocumentService {
 public:
  using Ptr = std::shared_ptr<DocumentService>;
  virtual ~DocumentService() = default;

  // Reads the edXML (limits, no DTD), validates it, requires From/OrganId to be the caller's
  // organ and a "send" grant; for a recall/update/replace (Bussiness type 1–3) the referenced
  // document must be one this organ sent. Signs it with the gateway's key and accepts it into
  // the outbox. Idempotent: the same bytes again answer duplicate with the first outbox id;
  // other bytes under an accepted DocumentId are BAD_REQUEST (conflict).
  // UPSTREAM_UNAVAILABLE when the outbox's Redis did not confirm: sending again is safe.
  virtual Result<SendReceipt> send(const DocumentCaller& caller, std::string edxml) = 0;

  // The delivery state of a document this organ sent (NOT_FOUND otherwise). Never the body.
  virtual Result<outbox::OutboxStatus> sent(const DocumentCaller& caller,
                                            std::string_view document_id) = 0;

  // Documents received for the caller's organ with sequence > `after`, oldest first, at most
  // `limit` (1..1000). Needs a "receive" grant.
  virtual Result<std::vector<ReceivedSummary>> received(const DocumentCaller& caller,
                                                        std::uint64_t after, std::size_t limit) = 0;

  // One received document; NOT_FOUND unless it was addressed to the caller's organ.
  virtual Result<ReceivedDocument> get(const DocumentCaller& caller,
                                       std::string_view document_id) = 0;

  // Sends a signed Status about a document the caller's organ received (or sent: 13 asks the
  // recipients to take a recall/update/replace) to the axis, synchronously: the answer says the
  // axis has it. UPSTREAM_UNAVAILABLE (axis down, or a sent document not delivered yet): retry.
  virtual Result<StatusRecord> update_status(const DocumentCaller& caller,
                                             std::string_view document_id,
                                             const StatusUpdate& update) = 0;

  // The axis's history of a document the caller's organ sent or received, oldest first.
  virtual Result<std::vector<StatusRecord>> status_history(const DocumentCaller& caller,
                                                           std::string_view document_id) = 0;
};

}  // namespace lienthong::documents
