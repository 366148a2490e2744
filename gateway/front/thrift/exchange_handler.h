// The Exchange service for one connection: decodes, hands the request to the pipeline (a lookup)
// or the document service (the document methods), waits for its answer on this connection's own
// thread, and encodes the outcome. Every refusal leaves as a LookupError; no other exception
// reaches the client.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/core/error.h"
#include "gateway/core/lookup.h"
#include "gateway/core/metrics.h"
#include "gateway/documents/document_service.h"
#include "gateway/exchange/pipeline.h"
#include "gateway/exchange/signed_json.h"
#include "lienthong_thrift/Exchange.h"

namespace lienthong::front::thrift_internal {

namespace wire = ::lienthong::thrift;

class ExchangeHandler final : public wire::ExchangeIf {
 public:
  // Who is on the other end of this connection. Asked once, on the first call (by then the
  // TLS handshake is done), and the answer is kept for the connection's life.
  using MemberSource = std::function<Result<Member>()>;

  // `signed_json`: verifies a request's `jws` and signs the answer's; null refuses signed
  // requests and leaves answers unsigned. `documents`: null refuses every document method
  // with NOT_FOUND.
  ExchangeHandler(exchange::Pipeline::Ptr pipeline, std::shared_ptr<Metrics> metrics,
                  MemberSource member_source, exchange::SignedJson::Ptr signed_json = nullptr,
                  documents::DocumentService::Ptr documents = nullptr);

  // Each throws wire::LookupError for every refusal (that is the contract's wire form).
  void lookup(wire::LookupResponse& out, const wire::LookupRequest& request) override;
  void sendDocument(wire::SendDocumentResponse& out,
                    const wire::SendDocumentRequest& request) override;
  void getSentDocument(wire::SentDocument& out, const std::string& document_id) override;
  void listReceivedDocuments(std::vector<wire::ReceivedDocumentSummary>& out, int64_t after,
                             int32_t limit) override;
  void getReceivedDocument(wire::ReceivedDocument& out, const std::string& document_id) override;
  void updateDocumentStatus(wire::DocumentStatus& out, const std::string& document_id,
                            const wire::DocumentStatusUpdate& update) override;
  void getDocumentStatusHistory(std::vector<wire::DocumentStatus>& out,
                                const std::string& document_id) override;

 private:
  // One document method: a new request id, the caller (this connection's member), `call`
  // with it on this thread, and the outcome — or the LookupError thrown.
  template <class T, class Call>
  T document_call(std::string_view client_request_id, Call&& call);
  // The outcome without exceptions; `request_id` is the gateway's id for this request.
  Result<wire::LookupResponse> serve(const wire::LookupRequest& request,
                                     const std::string& request_id);
  const Result<Member>& member();
  // The request as the pipeline gets it: the plain fields, or the signed payload they match.
  Result<LookupRequest> decode(const wire::LookupRequest& request, const Member& member,
                               const std::string& request_id);
  // Counts what this front refuses before the pipeline sees it; the pipeline counts the rest.
  void count_refusal(ErrorCode code);

  exchange::Pipeline::Ptr pipeline_;
  std::shared_ptr<Metrics> metrics_;
  MemberSource member_source_;
  exchange::SignedJson::Ptr signed_json_;
  documents::DocumentService::Ptr documents_;
  // One connection, one thread (TThreadedServer): no lock needed.
  std::optional<Result<Member>> member_;
};

// Gives each accepted connection its own handler (the generated processor factory asks for
// one per connection).
class ExchangeHandlerFactory final : public wire::ExchangeIfFactory {
 public:
  // Maps the connection's transport (the one the server socket accepted) to its member.
  using MemberResolver = std::function<ExchangeHandler::MemberSource(
      const std::shared_ptr<apache::thrift::transport::TTransport>& transport)>;

  ExchangeHandlerFactory(exchange::Pipeline::Ptr pipeline, std::shared_ptr<Metrics> metrics,
                         MemberResolver resolver, exchange::SignedJson::Ptr signed_json = nullptr,
                         documents::DocumentService::Ptr documents = nullptr);

  wire::ExchangeIf* getHandler(const apache::thrift::TConnectionInfo& connection) override;
  void releaseHandler(wire::ExchangeIf* handler) override;

 private:
  exchange::Pipeline::Ptr pipeline_;
  std::shared_ptr<Metrics> metrics_;
  MemberResolver resolver_;
  exchange::SignedJson::Ptr signed_json_;
  documents::DocumentService::Ptr documents_;
};

}  // namespace lienthong::front::thrift_internal
