// The gateway's DocumentService (document_service.h): the one place where a member's document
// call is authenticated, authorized, checked, audited and carried out, whichever front it came
// through. docs/documents.md has the flow and the guarantees.
//
// Sending never signs on the caller's time: the member's envelope is validated and stored as it
// came (the outbox's idempotency is then a plain comparison of bytes, and a retried send meets
// "duplicate"), and SigningAxisSender signs it with the gateway's key on its way to the axis.
// ECDSA signatures differ on every signing; the axis compares documents without their signature
// (AXIS_SIMULATOR.md), so a resend after a crash still meets the axis's duplicate answer.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "adapters/documents/edxml_parse.h"
#include "gateway/audit/audit_sink.h"
#include "gateway/core/clock.h"
#include "gateway/crypto/xml_signer.h"
#include "gateway/documents/axis_inbound.h"
#include "gateway/documents/document_inbox.h"
#include "gateway/documents/document_policy.h"
#include "gateway/documents/document_service.h"
#include "gateway/exchange/member_authenticator.h"
#include "gateway/outbox/document_outbox.h"
#include "gateway/policy/access_policy.h"

namespace lienthong::documents {

struct GatewayDocumentsParts {
  std::shared_ptr<const exchange::MemberAuthenticator> authenticator;
  std::function<policy::AccessPolicy::Ptr()> policy;  // the policy in force (reloads)
  outbox::DocumentOutbox::Ptr outbox;
  DocumentInbox::Ptr inbox;
  AxisInbound::Ptr axis;          // status calls
  crypto::XmlSigner::Ptr signer;  // Status messages
  audit::AuditSink::Ptr audit;
  Clock::Ptr clock;
  edxml::EdxmlLimits limits;
  std::function<void()> accepted;  // wakes the deliverer; may be empty
};

class GatewayDocuments final : public DocumentService {
 public:
  static Result<std::shared_ptr<GatewayDocuments>> create(GatewayDocumentsParts parts);

  Result<SendReceipt> send(const DocumentCaller& caller, std::string edxml) override;
  Result<outbox::OutboxStatus> sent(const DocumentCaller& caller,
                                    std::string_view document_id) override;
  Result<std::vector<ReceivedSummary>> received(const DocumentCaller& caller, std::uint64_t after,
                                                std::size_t limit) override;
  Result<ReceivedDocument> get(const DocumentCaller& caller, std::string_view document_id) override;
  Result<StatusRecord> update_status(const DocumentCaller& caller, std::string_view document_id,
                                     const StatusUpdate& update) override;
  Result<std::vector<StatusRecord>> status_history(const DocumentCaller& caller,
                                                   std::string_view document_id) override;

 private:
  explicit GatewayDocuments(GatewayDocumentsParts parts) : parts_(std::move(parts)) {}
  // Authenticates the member and checks its grant; ACCESS_DENIED / CERT_* otherwise.
  Result<void> admit(const DocumentCaller& caller, std::string_view grant) const;
  // The party's view of a document: the axis id, and whether the caller sent or received it.
  struct Party {
    std::string axis_id;
    bool sender = false;
  };
  Result<Party> party(const DocumentCaller& caller, std::string_view document_id) const;
  // Writes the audit entry and waits until it is durable: an answered call is in the audit.
  // Returns `outcome` unchanged, or INTERNAL when the audit could not be written.
  template <class T>
  Result<T> audited(const DocumentCaller& caller, std::string_view operation,
                    std::string_view document_id, Result<T> outcome, TimePoint started) const;

  GatewayDocumentsParts parts_;
};

// The outbox's sender with the gateway's signature: signs each document just before it goes to
// the axis (a signing failure is INTERNAL: retried, then dead-lettered).
class SigningAxisSender final : public outbox::AxisSender {
 public:
  SigningAxisSender(outbox::AxisSender::Ptr inner, crypto::XmlSigner::Ptr signer,
                    edxml::EdxmlLimits limits = {})
      : inner_(std::move(inner)), signer_(std::move(signer)), limits_(limits) {}
  Result<outbox::AxisReceipt> send(const outbox::OutboxEntry& entry) override;

 private:
  outbox::AxisSender::Ptr inner_;
  crypto::XmlSigner::Ptr signer_;
  edxml::EdxmlLimits limits_;
};

// The ResponseFor of a DocumentId "<organ>,<yyyy/MM/dd>,<number>/<notation>" (what a Status
// names); BAD_REQUEST when it is not one.
Result<edxml::ResponseFor> response_for_document(std::string_view document_id);

// "yyyy/MM/dd HH:mm:ss" in Vietnam's time (UTC+7, no daylight saving), as edXML timestamps are.
std::string edxml_timestamp(TimePoint at);

}  // namespace lienthong::documents
