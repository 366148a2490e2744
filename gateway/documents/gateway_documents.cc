#include "gateway/documents/gateway_documents.h"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <future>

#include "adapters/documents/edxml_signature.h"
#include "adapters/documents/edxml_validate.h"
#include "adapters/documents/edxml_write.h"
#include "gateway/core/log.h"

namespace lienthong::documents {

namespace {

constexpr std::string_view kXmlDsigNamespace = "http://www.w3.org/2000/09/xmldsig#";

// The bounds of a DocumentId, as the outbox keeps them.
Result<void> check_document_id(std::string_view id) {
  if (id.empty() || id.size() > 256)
    return fail(ErrorCode::kBadRequest, "documentId: empty or longer than 256 bytes");
  return {};
}

}  // namespace

Result<edxml::ResponseFor> response_for_document(std::string_view document_id) {
  const size_t first = document_id.find(',');
  const size_t second = first == std::string_view::npos ? first : document_id.find(',', first + 1);
  if (second == std::string_view::npos)
    return fail(ErrorCode::kBadRequest,
                "documentId: expected <organ>,<yyyy/MM/dd>,<number>/<notation>");
  edxml::ResponseFor out;
  out.organ_id = std::string(document_id.substr(0, first));
  out.promulgation_date = std::string(document_id.substr(first + 1, second - first - 1));
  out.code = std::string(document_id.substr(second + 1));
  out.document_id = std::string(document_id);
  if (out.organ_id.empty() || out.code.find('/') == std::string::npos ||
      !edxml::is_edxml_date(out.promulgation_date))
    return fail(ErrorCode::kBadRequest,
                "documentId: expected <organ>,<yyyy/MM/dd>,<number>/<notation>");
  return out;
}

std::string edxml_timestamp(TimePoint at) {
  // Vietnam has kept UTC+7 all year since 1975.
  const auto local = std::chrono::floor<std::chrono::seconds>(at) + std::chrono::hours(7);
  return fmt::format("{:%Y/%m/%d %H:%M:%S}", local);
}

Result<outbox::AxisReceipt> SigningAxisSender::send(const outbox::OutboxEntry& entry) {
  auto signed_bytes = edxml::sign_edxml(*signer_, entry.edxml, limits_);
  if (!signed_bytes) {
    // The document was validated when accepted: a failure here is the gateway's (its key),
    // so it is retried and, if it persists, dead-lettered for an operator.
    return fail(ErrorCode::kInternal, "signing the document for the axis: " +
                                          std::string(error_code_name(signed_bytes.error().code)));
  }
  outbox::OutboxEntry signed_entry = entry;
  signed_entry.edxml = std::move(*signed_bytes);
  return inner_->send(signed_entry);
}

Result<std::shared_ptr<GatewayDocuments>> GatewayDocuments::create(GatewayDocumentsParts parts) {
  if (!parts.authenticator || !parts.policy || !parts.outbox || !parts.inbox || !parts.axis ||
      !parts.signer || !parts.audit || !parts.clock)
    return fail(ErrorCode::kInternal, "documents: a required part is missing");
  return std::shared_ptr<GatewayDocuments>(new GatewayDocuments(std::move(parts)));
}

Result<void> GatewayDocuments::admit(const DocumentCaller& caller, std::string_view grant) const {
  if (auto ok = parts_.authenticator->authenticate(caller.member); !ok) return ok;
  const auto policy = parts_.policy();
  if (!policy) return fail(ErrorCode::kInternal, "documents: no access policy");
  auto decision = policy->authorize(caller.member, kPolicyAdapter, grant, {}, {});
  if (!decision) return tl::unexpected(decision.error());
  return {};
}

template <class T>
Result<T> GatewayDocuments::audited(const DocumentCaller& caller, std::string_view operation,
                                    std::string_view document_id, Result<T> outcome,
                                    TimePoint started) const {
  audit::AuditEntry entry;
  entry.at = parts_.clock->now();
  entry.request_id = caller.request_id;
  entry.client_request_id = caller.client_request_id;
  entry.front = caller.front;
  entry.member = caller.member.organ_code;
  entry.member_certificate = caller.member.certificate_fingerprint;
  entry.subject = std::string(document_id);  // a DocumentId names a document, not a person
  entry.document_type = std::string(operation);
  entry.adapter = std::string(kPolicyAdapter);
  entry.outcome = outcome ? "OK" : std::string(error_code_name(outcome.error().code));
  entry.latency_us =
      std::chrono::duration_cast<std::chrono::microseconds>(entry.at - started).count();
  std::promise<Result<void>> durable;
  auto written = durable.get_future();
  parts_.audit->append(std::move(entry),
                       [&durable](Result<void> r) { durable.set_value(std::move(r)); });
  if (auto ok = written.get(); !ok) {
    LT_LOG(error, "documents: the audit entry of a {} call was not written: {}", operation,
           ok.error().detail);
    return fail(ErrorCode::kInternal, "the audit could not be written; nothing was answered");
  }
  return outcome;
}

Result<SendReceipt> GatewayDocuments::send(const DocumentCaller& caller, std::string edxml) {
  const TimePoint started = parts_.clock->now();
  std::string document_id;
  auto outcome = [&]() -> Result<SendReceipt> {
    if (auto ok = admit(caller, kSendGrant); !ok) return tl::unexpected(ok.error());
    auto message = edxml::parse_edxml(edxml, parts_.limits);
    if (!message) return tl::unexpected(message.error());
    document_id = message->header.document_id;
    if (auto ok = edxml::validate(*message); !ok) return tl::unexpected(ok.error());
    if (message->header.from.organ_id != caller.member.organ_code)
      return fail(ErrorCode::kAccessDenied,
                  "MessageHeader/From/OrganId: a member sends only as its own organ (" +
                      caller.member.organ_code + ")");
    // The gateway signs what it sends (SigningAxisSender); a second, enveloped signature of the
    // member's would be removed by the gateway's enveloped-signature transform and then
    // verify against nothing the recipient can check.
    if (edxml.find(kXmlDsigNamespace) != std::string::npos)
      return fail(ErrorCode::kBadRequest,
                  "send the envelope unsigned: the gateway signs it for the axis with its own key");
    if (const auto& business = message->trace.bussiness;
        business && business->bussiness_doc_type >= 1 && business->bussiness_doc_type <= 3) {
      // Recall, update, replace: only of a document this organ sent through this gateway.
      auto earlier = parts_.outbox->status(business->document_id);
      if (!earlier && earlier.error().code != ErrorCode::kNotFound)
        return tl::unexpected(earlier.error());
      if (!earlier || earlier->sender_organ != caller.member.organ_code)
        return fail(ErrorCode::kBadRequest,
                    "TraceHeaderList/Bussiness/DocumentId: a recall, update or replacement must "
                    "name a document this organ sent through this gateway");
    }
    auto accepted = parts_.outbox->accept(document_id, caller.member.organ_code, std::move(edxml));
    if (!accepted) return tl::unexpected(accepted.error());
    if (!accepted->duplicate && parts_.accepted) parts_.accepted();
    return SendReceipt{document_id, accepted->outbox_id, accepted->duplicate, accepted->state};
  }();
  return audited(caller, "send", document_id, std::move(outcome), started);
}

Result<outbox::OutboxStatus> GatewayDocuments::sent(const DocumentCaller& caller,
                                                    std::string_view document_id) {
  const TimePoint started = parts_.clock->now();
  auto outcome = [&]() -> Result<outbox::OutboxStatus> {
    if (auto ok = admit(caller, kSendGrant); !ok) return tl::unexpected(ok.error());
    if (auto ok = check_document_id(document_id); !ok) return tl::unexpected(ok.error());
    auto status = parts_.outbox->status(document_id);
    // Another organ's document is as absent as one never sent.
    if (status && status->sender_organ != caller.member.organ_code)
      return fail(ErrorCode::kNotFound, "no document with this DocumentId was sent by this organ");
    return status;
  }();
  return audited(caller, "sent", document_id, std::move(outcome), started);
}

Result<std::vector<ReceivedSummary>> GatewayDocuments::received(const DocumentCaller& caller,
                                                                std::uint64_t after,
                                                                std::size_t limit) {
  const TimePoint started = parts_.clock->now();
  auto outcome = [&]() -> Result<std::vector<ReceivedSummary>> {
    if (auto ok = admit(caller, kReceiveGrant); !ok) return tl::unexpected(ok.error());
    if (limit == 0 || limit > 1000) return fail(ErrorCode::kBadRequest, "limit: 1..1000");
    return parts_.inbox->list(caller.member.organ_code, after, limit);
  }();
  return audited(caller, "received", "", std::move(outcome), started);
}

Result<ReceivedDocument> GatewayDocuments::get(const DocumentCaller& caller,
                                               std::string_view document_id) {
  const TimePoint started = parts_.clock->now();
  auto outcome = [&]() -> Result<ReceivedDocument> {
    if (auto ok = admit(caller, kReceiveGrant); !ok) return tl::unexpected(ok.error());
    if (auto ok = check_document_id(document_id); !ok) return tl::unexpected(ok.error());
    return parts_.inbox->get(caller.member.organ_code, document_id);
  }();
  return audited(caller, "get", document_id, std::move(outcome), started);
}

Result<GatewayDocuments::Party> GatewayDocuments::party(const DocumentCaller& caller,
                                                        std::string_view document_id) const {
  if (auto ok = check_document_id(document_id); !ok) return tl::unexpected(ok.error());
  const auto policy = parts_.policy();
  auto may = [&](std::string_view grant) {
    return policy && policy->authorize(caller.member, kPolicyAdapter, grant, {}, {}).has_value();
  };
  if (may(kReceiveGrant)) {
    auto received = parts_.inbox->get(caller.member.organ_code, document_id);
    if (received) return Party{received->summary.axis_id, false};
    if (received.error().code != ErrorCode::kNotFound) return tl::unexpected(received.error());
  }
  if (may(kSendGrant)) {
    auto sent = parts_.outbox->status(document_id);
    if (sent && sent->sender_organ == caller.member.organ_code) {
      if (sent->state != outbox::OutboxState::kDelivered)
        return fail(ErrorCode::kUpstreamUnavailable,
                    "the document is not on the axis yet (" +
                        std::string(outbox::state_name(sent->state)) + "); ask again later");
      return Party{sent->axis_id, true};
    }
    if (!sent && sent.error().code != ErrorCode::kNotFound) return tl::unexpected(sent.error());
  }
  if (!may(kReceiveGrant) && !may(kSendGrant))
    return fail(ErrorCode::kAccessDenied, "no documents grant for this member");
  return fail(ErrorCode::kNotFound, "this organ neither sent nor received this document");
}

Result<StatusRecord> GatewayDocuments::update_status(const DocumentCaller& caller,
                                                     std::string_view document_id,
                                                     const StatusUpdate& update) {
  const TimePoint started = parts_.clock->now();
  auto outcome = [&]() -> Result<StatusRecord> {
    if (auto ok = parts_.authenticator->authenticate(caller.member); !ok)
      return tl::unexpected(ok.error());
    auto who = party(caller, document_id);
    if (!who) return tl::unexpected(who.error());
    auto response_for = response_for_document(document_id);
    if (!response_for) return tl::unexpected(response_for.error());
    edxml::EdxmlStatus status;
    status.response_for = std::move(*response_for);
    status.from.organ_id = caller.member.organ_code;
    status.status_code = update.status_code;
    status.description = update.description;
    status.timestamp = edxml_timestamp(parts_.clock->now());
    status.staff_info = {update.staff_department, update.staff_name, update.staff_email,
                         update.staff_mobile};
    if (auto ok = edxml::validate(status); !ok) return tl::unexpected(ok.error());
    auto signed_status = edxml::sign_edxml(*parts_.signer, edxml::to_edxml(status), parts_.limits);
    if (!signed_status) return tl::unexpected(signed_status.error());
    auto posted = parts_.axis->post_status(who->axis_id, *signed_status);
    if (!posted) return tl::unexpected(posted.error());
    // The axis answers only the code and whether it had this Status; the rest is what was sent.
    StatusRecord record = std::move(*posted);
    record.from_organ = status.from.organ_id;
    record.status_code = status.status_code;
    record.description = status.description;
    record.timestamp = status.timestamp;
    return record;
  }();
  return audited(caller, "status:" + update.status_code.substr(0, 2), document_id,
                 std::move(outcome), started);
}

Result<std::vector<StatusRecord>> GatewayDocuments::status_history(const DocumentCaller& caller,
                                                                   std::string_view document_id) {
  const TimePoint started = parts_.clock->now();
  auto outcome = [&]() -> Result<std::vector<StatusRecord>> {
    if (auto ok = parts_.authenticator->authenticate(caller.member); !ok)
      return tl::unexpected(ok.error());
    auto who = party(caller, document_id);
    if (!who) return tl::unexpected(who.error());
    return parts_.axis->status_history(who->axis_id);
  }();
  return audited(caller, "history", document_id, std::move(outcome), started);
}

}  // namespace lienthong::documents
