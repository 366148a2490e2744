#include "gateway/front/thrift/exchange_handler.h"

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

// Sets the log's request id for the duration of one call on this thread.
class RequestIdScope {
 public:
  explicit RequestIdScope(const std::string& id) { log::set_request_id(id); }
  ~RequestIdScope() { log::set_request_id({}); }
  RequestIdScope(const RequestIdScope&) = delete;
  RequestIdScope& operator=(const RequestIdScope&) = delete;
};

}  // namespace

ExchangeHandler::ExchangeHandler(exchange::Pipeline::Ptr pipeline, std::shared_ptr<Metrics> metrics,
                                 MemberSource member_source, exchange::SignedJson::Ptr signed_json)
    : pipeline_(std::move(pipeline)),
      metrics_(std::move(metrics)),
      member_source_(std::move(member_source)),
      signed_json_(std::move(signed_json)) {}

void ExchangeHandler::lookup(wire::LookupResponse& out, const wire::LookupRequest& request) {
  const std::string request_id = new_request_id();
  RequestIdScope scope(request_id);
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
                                              const Member& member,
                                              const std::string& request_id) {
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
                                               exchange::SignedJson::Ptr signed_json)
    : pipeline_(std::move(pipeline)),
      metrics_(std::move(metrics)),
      resolver_(std::move(resolver)),
      signed_json_(std::move(signed_json)) {}

wire::ExchangeIf* ExchangeHandlerFactory::getHandler(
    const apache::thrift::TConnectionInfo& connection) {
  return new ExchangeHandler(pipeline_, metrics_, resolver_(connection.transport), signed_json_);
}

void ExchangeHandlerFactory::releaseHandler(wire::ExchangeIf* handler) { delete handler; }

}  // namespace lienthong::front::thrift_internal
