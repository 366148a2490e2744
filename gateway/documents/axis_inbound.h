// What the gateway asks of the axis besides sending documents (outbox::AxisSender does that):
// the documents waiting for an organ, one document's bytes, the acknowledgement that takes it
// off the organ's pending list, and Status messages both ways (AXIS_SIMULATOR.md has the wire).
// The real one is edxml::AxisClient (adapters/documents/axis_client.h); tests may fake it.
//
// Every call blocks its caller (a receiver thread, a front's worker) and returns the axis's
// answer or a typed error: UPSTREAM_UNAVAILABLE (down, 5xx, transport, an unreadable answer),
// UPSTREAM_TIMEOUT, RATE_LIMITED, NOT_FOUND (404), ACCESS_DENIED (403), BAD_REQUEST (400, 409,
// 413, 415: the axis refused what was sent). Details name statuses and the axis's error codes,
// never contents.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/core/error.h"
#include "gateway/documents/document_service.h"

namespace lienthong::documents {

struct PendingDocument {
  std::string axis_id;      // "ax-…"
  std::string document_id;  // as the axis lists it; the fetched bytes are the truth
  std::string from_organ;
};

class AxisInbound {
 public:
  using Ptr = std::shared_ptr<AxisInbound>;
  virtual ~AxisInbound() = default;

  // GET /documents/pending?organ=: documents addressed to `organ` not yet acknowledged by it.
  virtual Result<std::vector<PendingDocument>> pending(std::string_view organ) = 0;
  // GET /documents/{id}: the edXML bytes as the sender sent them (at most the client's limit).
  virtual Result<std::string> fetch(std::string_view axis_id) = 0;
  // POST /documents/{id}/ack?organ=: idempotent.
  virtual Result<void> ack(std::string_view axis_id, std::string_view organ) = 0;
  // POST /documents/{id}/status with a signed edXML Status. The record carries what the axis
  // answers: the status code and whether the axis had this status already (duplicate); the
  // caller fills the rest from the Status it signed.
  virtual Result<StatusRecord> post_status(std::string_view axis_id,
                                           const std::string& signed_status) = 0;
  // GET /documents/{id}/status, oldest first.
  virtual Result<std::vector<StatusRecord>> status_history(std::string_view axis_id) = 0;
};

}  // namespace lienthong::documents
