#include "gateway/front/thrift/exchange_handler.h"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <exception>
#include <future>
#include <typeinfo>
#include <utility>

#include "gateway/core/log.h"
#include "gateway/core/request_id.h"
#include "gateway/front/http/answer_json.h"
#include "gateway/front/http/lookup_decoding.h"
#include "gateway/front/thrift/wire_mapping.h"

namespace lienthong::front::thrift_internal {
namespace {

// Document ids as the HTTP front takes them (document_routes.h): 1–256 bytes, no control
// characters. The service checks the rest.
constexpr std::size_t kMaxDocumentIdBytes = 256;
constexpr std::int32_t kMaxReceivedLimit = 1000;

Result<void> check_document_id(std::string_view id) {
  if (id.empty()) return fail(ErrorCode::kBadRequest, "documentId is empty");
  if (id.size() > kMaxDocumentIdBytes)
    return fail(ErrorCode::kBadRequest, "documentId is longer than 256 bytes");
  for (char c : id)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
      return fail(ErrorCode::kBadRequest, "documentId holds a control character");
  return {};
}

Result<void> check_client_request_id(std::string_view id) {
  if (id.size() > kMaxClientRequestIdLength)
    return fail(ErrorCode::kBadRequest, "clientRequestId is longer than 64 characters");
  for (char c : id)
    if (c < 0x21 || c > 0x7e)
      return fail(ErrorCode::kBadRequest, "clientRequestId must be printable ASCII without spaces");
  return {};
}

wire::SentDocument to_wire(const outbox::OutboxStatus& in) {
  wire::SentDocument out;
  out.documentId = in.document_id;
  out.outboxId = in.outbox_id;
  out.state = std::string(outbox::state_name(in.state));
  out.attempts = in.attempts;
  if (!in.axis_id.empty()) out.__set_axisId(in.axis_id);
  out.axisDuplicate = in.axis_duplicate;
  if (!in.last_error.empty()) out.__set_lastError(in.last_error);
  out.acceptedAt = format_utc_time_ms(in.accepted_at);
  if (in.next_attempt_at) out.__set_nextAttemptAt(format_utc_time_ms(*in.next_attempt_at));
  if (in.lease_until) out.__set_leaseUntil(format_utc_time_ms(*in.lease_until));
  if (in.finished_at) out.__set_finishedAt(format_utc_time_ms(*in.finished_at));
  return out;
}

wire::ReceivedDocumentSummary to_wire(const documents::ReceivedSummary& in) {
  wire::ReceivedDocumentSummary out;
  out.sequence = static_cast<std::int64_t>(in.sequence);
  out.documentId = in.document_id;
  out.axisId = in.axis_id;
  out.fromOrgan = in.from_organ;
  out.code = in.code;
  out.promulgationDate = in.promulgation_date;
  out.subject = in.subject;
  out.businessType = in.business_type;
  out.receivedAt = format_utc_time_ms(in.received_at);
  return out;
}

wire::DocumentStatus to_wire(const documents::StatusRecord& in, const std::string& document_id) {
  wire::DocumentStatus out;
  out.documentId = document_id;
  out.fromOrgan = in.from_organ;
  out.statusCode = in.status_code;
  out.description = in.description;
  out.timestamp = in.timestamp;
  out.receivedAt = in.received_at;
  return out;
}

documents::StatusUpdate from_wire(const wire::DocumentStatusUpdate& in) {
  documents::StatusUpdate out;
  out.status_code = in.statusCode;
  if (in.__isset.description) out.description = in.description;
  if (in.__isset.staff) {
    const wire::DocumentStaff& staff = in.staff;
    if (staff.__isset.department) out.staff_department = staff.department;
    if (staff.__isset.name) out.staff_name = staff.name;
    if (staff.__isset.email) out.staff_email = staff.email;
    if (staff.__isset.mobile) out.staff_mobile = staff.mobile;
  }
  return out;
}

}  // namespace

ExchangeHandler::ExchangeHandler(exchange::Pipeline::Ptr pipeline, std::shared_ptr<Metrics> metrics,
                                 MemberSource member_source, exchange::SignedJson::Ptr signed_json,
                                 documents::DocumentService::Ptr documents)
    : pipeline_(std::move(pipeline)),
      metrics_(std::move(metrics)),
      member_source_(std::move(member_source)),
      signed_json_(std::move(signed_json)),
      documents_(std::move(documents)) {}

void ExchangeHandler::lookup(wire::LookupResponse& out, const wire::LookupRequest& request) {
  const std::string request_id = new_request_id();
  log::RequestIdScope scope(request_id);
  Result<wire::LookupResponse> outcome = serve(request, request_id);
  if (!outcome) throw to_wire(outcome.error(), request_id);
  out = std::move(*outcome);
}

Result<wire::LookupResponse> ExchangeHandler::serve(const wire::LookupRequest& request,
                                                    const std::string& request_id) {
  const Result<Member>& who = member();
  if (!who) {
    count_refusal(who.error().code);
    return tl::unexpected(who.error());
  }
  if (request.__isset.clientRequestId && !request.clientRequestId.empty() &&
      request.clientRequestId.size() <= kMaxClientRequestIdLength) {
    LT_LOG(debug, "thrift lookup: client request id {}", request.clientRequestId);
  }
  Result<LookupRequest> decoded = decode(request, *who, request_id);
  if (!decoded) {
    count_refusal(decoded.error().code);
    return tl::unexpected(decoded.error());
  }

  // The pipeline answers on any thread; this connection's thread waits for it. One thread per
  // connection is the server model (thrift_front.h), so the wait holds no one else up.
  auto answer = std::make_shared<std::promise<Result<LookupResponse>>>();
  std::future<Result<LookupResponse>> future = answer->get_future();
  try {
    pipeline_->lookup(std::move(*decoded), [answer](Result<LookupResponse> result) {
      answer->set_value(std::move(result));
    });
    Result<LookupResponse> result = future.get();
    if (!result) return tl::unexpected(result.error());
    wire::LookupResponse out = to_wire(*result);
    if (signed_json_) {
      // The JSON form of the answer, signed: the same bytes the HTTP front would send.
      auto jws = signed_json_->sign_attached(http::lookup_json(*result, request_id));
      if (!jws) {
        LT_LOG(error, "answer signing failed: {}", jws.error().detail);
        return fail(ErrorCode::kInternal, "the answer could not be signed");
      }
      if (!jws->empty()) out.__set_jws(std::move(*jws));
    }
    return out;
  } catch (const std::exception& e) {
    // The pipeline never throws by contract; if something does (allocation, a broken promise)
    // the member gets INTERNAL and the operator the exception's type with the request id. Not
    // its message: nothing says what a message thrown from deep inside may quote.
    LT_LOG(error, "thrift lookup failed inside the gateway: exception {}", typeid(e).name());
    return fail(ErrorCode::kInternal, "internal error; see the gateway log for this request id");
  }
}

Result<LookupRequest> ExchangeHandler::decode(const wire::LookupRequest& request,
                                              const Member& member, const std::string& request_id) {
  Result<LookupRequest> plain = from_wire(request, member, request_id);
  if (!plain || !request.__isset.jws) return plain;
  if (!signed_json_) {
    return fail(ErrorCode::kSignaturePolicy, "signed requests are not configured");
  }
  auto signed_lookup = http::decode_signed_json_lookup(*signed_json_, member, request.jws);
  if (!signed_lookup) {
    LT_LOG(info, "signed lookup refused: {} {}", error_code_name(signed_lookup.error().code),
           signed_lookup.error().detail);
    return tl::unexpected(signed_lookup.error());
  }
  signed_lookup->request.client_request_id = signed_lookup->client_request_id;
  if (auto same = check_same_request(*plain, signed_lookup->request); !same) {
    return tl::unexpected(same.error());
  }
  plain->signature = std::move(signed_lookup->request.signature);
  return plain;
}

template <class T, class Call>
T ExchangeHandler::document_call(std::string_view client_request_id, Call&& call) {
  const std::string request_id = new_request_id();
  log::RequestIdScope scope(request_id);
  auto outcome = [&]() -> Result<T> {
    if (!documents_) {
      return fail(ErrorCode::kNotFound, "documents are not enabled on this gateway");
    }
    const Result<Member>& who = member();
    if (!who) return tl::unexpected(who.error());
    if (auto ok = check_client_request_id(client_request_id); !ok) {
      return tl::unexpected(ok.error());
    }
    const documents::DocumentCaller caller{*who, request_id, std::string(client_request_id),
                                           "thrift"};
    try {
      return call(*documents_, caller);
    } catch (const std::exception& e) {
      // As for lookups: the service never throws by contract; the exception's type only.
      LT_LOG(error, "thrift document call failed inside the gateway: exception {}",
             typeid(e).name());
      return fail(ErrorCode::kInternal, "internal error; see the gateway log for this request id");
    }
  }();
  if (!outcome) throw to_wire(outcome.error(), request_id);
  return std::move(*outcome);
}

void ExchangeHandler::sendDocument(wire::SendDocumentResponse& out,
                                   const wire::SendDocumentRequest& request) {
  const std::string_view client_id =
      request.__isset.clientRequestId ? std::string_view(request.clientRequestId) : "";
  out = document_call<wire::SendDocumentResponse>(
      client_id,
      [&](documents::DocumentService& service,
          const documents::DocumentCaller& caller) -> Result<wire::SendDocumentResponse> {
        auto receipt = service.send(caller, request.edxml);
        if (!receipt) return tl::unexpected(receipt.error());
        wire::SendDocumentResponse answer;
        answer.requestId = caller.request_id;
        answer.documentId = receipt->document_id;
        answer.outboxId = receipt->outbox_id;
        answer.duplicate = receipt->duplicate;
        answer.state = std::string(outbox::state_name(receipt->state));
        return answer;
      });
}

void ExchangeHandler::getSentDocument(wire::SentDocument& out, const std::string& document_id) {
  out = document_call<wire::SentDocument>(
      "",
      [&](documents::DocumentService& service,
          const documents::DocumentCaller& caller) -> Result<wire::SentDocument> {
        if (auto ok = check_document_id(document_id); !ok) return tl::unexpected(ok.error());
        auto status = service.sent(caller, document_id);
        if (!status) return tl::unexpected(status.error());
        return to_wire(*status);
      });
}

void ExchangeHandler::listReceivedDocuments(std::vector<wire::ReceivedDocumentSummary>& out,
                                            int64_t after, int32_t limit) {
  using Summaries = std::vector<wire::ReceivedDocumentSummary>;
  out = document_call<Summaries>(
      "",
      [&](documents::DocumentService& service,
          const documents::DocumentCaller& caller) -> Result<Summaries> {
        if (after < 0) return fail(ErrorCode::kBadRequest, "after must not be negative");
        if (limit < 1 || limit > kMaxReceivedLimit)
          return fail(ErrorCode::kBadRequest, "limit must be between 1 and 1000");
        auto list = service.received(caller, static_cast<std::uint64_t>(after),
                                     static_cast<std::size_t>(limit));
        if (!list) return tl::unexpected(list.error());
        Summaries answer;
        answer.reserve(list->size());
        for (const auto& summary : *list) answer.push_back(to_wire(summary));
        return answer;
      });
}

void ExchangeHandler::getReceivedDocument(wire::ReceivedDocument& out,
                                          const std::string& document_id) {
  out = document_call<wire::ReceivedDocument>(
      "",
      [&](documents::DocumentService& service,
          const documents::DocumentCaller& caller) -> Result<wire::ReceivedDocument> {
        if (auto ok = check_document_id(document_id); !ok) return tl::unexpected(ok.error());
        auto document = service.get(caller, document_id);
        if (!document) return tl::unexpected(document.error());
        wire::ReceivedDocument answer;
        answer.documentId = document->summary.document_id.empty()
                                ? document_id
                                : std::move(document->summary.document_id);
        answer.edxml = std::move(document->edxml);
        answer.signerFingerprint = std::move(document->signer_fingerprint);
        return answer;
      });
}

void ExchangeHandler::updateDocumentStatus(wire::DocumentStatus& out,
                                           const std::string& document_id,
                                           const wire::DocumentStatusUpdate& update) {
  out = document_call<wire::DocumentStatus>(
      "",
      [&](documents::DocumentService& service,
          const documents::DocumentCaller& caller) -> Result<wire::DocumentStatus> {
        if (auto ok = check_document_id(document_id); !ok) return tl::unexpected(ok.error());
        auto record = service.update_status(caller, document_id, from_wire(update));
        if (!record) return tl::unexpected(record.error());
        wire::DocumentStatus answer = to_wire(*record, document_id);
        answer.__set_duplicate(record->duplicate);
        return answer;
      });
}

void ExchangeHandler::getDocumentStatusHistory(std::vector<wire::DocumentStatus>& out,
                                               const std::string& document_id) {
  using Statuses = std::vector<wire::DocumentStatus>;
  out = document_call<Statuses>("",
                                [&](documents::DocumentService& service,
                                    const documents::DocumentCaller& caller) -> Result<Statuses> {
                                  if (auto ok = check_document_id(document_id); !ok)
                                    return tl::unexpected(ok.error());
                                  auto history = service.status_history(caller, document_id);
                                  if (!history) return tl::unexpected(history.error());
                                  Statuses answer;
                                  answer.reserve(history->size());
                                  for (const auto& record : *history)
                                    answer.push_back(to_wire(record, document_id));
                                  return answer;
                                });
}

const Result<Member>& ExchangeHandler::member() {
  if (!member_) {
    member_.emplace(member_source_ ? member_source_()
                                   : fail(ErrorCode::kCertUntrusted, "no client certificate"));
    if (!*member_) {
      LT_LOG(warn, "thrift: connection refused: {} ({})", error_code_name(member_->error().code),
             member_->error().detail);
    }
  }
  return *member_;
}

void ExchangeHandler::count_refusal(ErrorCode code) {
  if (metrics_) metrics_->lookups.inc({"thrift", error_code_name(code)});
}

ExchangeHandlerFactory::ExchangeHandlerFactory(exchange::Pipeline::Ptr pipeline,
                                               std::shared_ptr<Metrics> metrics,
                                               MemberResolver resolver,
                                               exchange::SignedJson::Ptr signed_json,
                                               documents::DocumentService::Ptr documents)
    : pipeline_(std::move(pipeline)),
      metrics_(std::move(metrics)),
      resolver_(std::move(resolver)),
      signed_json_(std::move(signed_json)),
      documents_(std::move(documents)) {}

wire::ExchangeIf* ExchangeHandlerFactory::getHandler(
    const apache::thrift::TConnectionInfo& connection) {
  return new ExchangeHandler(pipeline_, metrics_, resolver_(connection.transport), signed_json_,
                             documents_);
}

void ExchangeHandlerFactory::releaseHandler(wire::ExchangeIf* handler) { delete handler; }

}  // namespace lienthong::front::thrift_internal
