// Fuzz target: the Thrift front's decoding of what a ministry system sends. The input is the
// byte stream of one connection after the TLS handshake. It goes through the server's own
// framed transport, strict binary protocol and limits (wire_limits.h), the generated
// Exchange processor, from_wire, and the connection's handler, with a pipeline that answers
// at once. Every call must end as a reply the generated client can read, or as a transport or
// protocol error that closes the connection (what TThreadedServer does with one). No crash,
// no hang, no allocation beyond the limits.
#include <spdlog/spdlog.h>
#include <thrift/TApplicationException.h>
#include <thrift/TOutput.h>
#include <thrift/protocol/TBinaryProtocol.h>
#include <thrift/transport/TBufferTransports.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "gateway/exchange/pipeline.h"
#include "gateway/front/thrift/exchange_handler.h"
#include "gateway/front/thrift/wire_limits.h"
#include "lienthong_thrift/Exchange.h"

namespace {

using apache::thrift::TApplicationException;
using apache::thrift::protocol::TBinaryProtocol;
using apache::thrift::transport::TMemoryBuffer;
namespace thrift_internal = lienthong::front::thrift_internal;
namespace wire = lienthong::thrift;

// Answers every request at once: a record built from the request (so the encoder sees what
// the decoder produced), or a refusal when the subject is empty.
class EchoPipeline final : public lienthong::exchange::Pipeline {
 public:
  void lookup(lienthong::LookupRequest request, lienthong::exchange::LookupCallback done) override {
    if (request.subject.empty()) {
      done(lienthong::fail(lienthong::ErrorCode::kNotFound, "no subject"));
      return;
    }
    lienthong::LookupResponse response;
    response.request_id = request.request_id;
    response.record.subject = request.subject;
    response.record.doc_type = request.document_type;
    response.record.code = request.subject + "." + request.document_type;
    for (const std::string& field : request.fields)
      response.record.fields.emplace_back(field, field);
    response.envelope = request.purpose.dossier_code;
    done(std::move(response));
  }
  lienthong::exchange::Readiness readiness() const override { return {}; }
};

// A connection serves at most this many calls here; a real one is bounded by its idle timeout.
constexpr int kMaxCallsPerInput = 64;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const bool quiet = [] {
    spdlog::set_level(spdlog::level::off);  // refusals are logged; the fuzzer makes millions
    // Thrift reports some refusals on its own (e.g. "received invalid message type") through
    // GlobalOutput, to stderr unless routed; the server routes it to the log.
    apache::thrift::GlobalOutput.setOutputFunction([](const char*) {});
    return true;
  }();
  (void)quiet;
  static const lienthong::front::ThriftFrontConfig config;  // the shipped defaults
  static const auto transports = thrift_internal::framed_transport_factory(config);
  static const auto protocols = thrift_internal::binary_protocol_factory(config);
  static const auto pipeline = std::make_shared<EchoPipeline>();

  // The connection as the server builds it: socket (here a buffer) → framed → binary.
  // One spare byte so an empty input still has a real address: Thrift's inline buffer code
  // does arithmetic on it, and on a null pointer that is undefined (a TLS socket is never null).
  std::vector<uint8_t> bytes(size + 1);
  std::copy(data, data + size, bytes.begin());
  auto socket = std::make_shared<TMemoryBuffer>(bytes.data(), static_cast<uint32_t>(size),
                                                TMemoryBuffer::OBSERVE,
                                                thrift_internal::socket_limits(config));
  auto sent = std::make_shared<TMemoryBuffer>();
  auto input = protocols->getProtocol(transports->getTransport(socket));
  auto output = protocols->getProtocol(transports->getTransport(sent));

  lienthong::Member member;
  member.organ_code = "H20";
  auto handler = std::make_shared<thrift_internal::ExchangeHandler>(
      pipeline, nullptr, [member]() -> lienthong::Result<lienthong::Member> { return member; });
  wire::ExchangeProcessor processor(handler);

  int calls = 0;
  try {
    while (calls < kMaxCallsPerInput && processor.process(input, output, nullptr)) ++calls;
  } catch (const apache::thrift::TException&) {
    // End of input, a frame the limits refuse, a malformed, oversized or too deep message, an
    // unexpected message type: TThreadedServer closes the connection on any of these. Other
    // exceptions (std::bad_alloc above all) escape, and the fuzzer reports them.
  }

  // Everything the server wrote must read back, with the generated client, as replies.
  std::string written = sent->getBufferAsString();
  auto reply_buffer = std::make_shared<TMemoryBuffer>(reinterpret_cast<uint8_t*>(written.data()),
                                                      static_cast<uint32_t>(written.size()));
  // Read through the same framing (Thrift's stock framed transport trips UBSan on its first
  // read, see wire_limits.cc), with room for replies larger than calls: a reply repeats each
  // wanted field as name and value.
  static const auto reply_transports = [] {
    lienthong::front::ThriftFrontConfig replies;
    replies.max_message_bytes = replies.max_frame_bytes = 64 << 20;
    return thrift_internal::framed_transport_factory(replies);
  }();
  wire::ExchangeClient client(
      std::make_shared<TBinaryProtocol>(reply_transports->getTransport(reply_buffer)));
  auto in = client.getInputProtocol();
  int replies = 0;
  while (reply_buffer->available_read() > 0) {
    std::string name;
    apache::thrift::protocol::TMessageType type;
    int32_t seqid = 0;
    in->readMessageBegin(name, type, seqid);
    if (type == apache::thrift::protocol::T_EXCEPTION) {
      TApplicationException unknown;  // an unknown method or a call of the wrong type
      unknown.read(in.get());
    } else if (name == "lookup") {
      wire::LookupResponse response;
      wire::Exchange_lookup_presult result;
      result.success = &response;
      result.read(in.get());
      if (result.__isset.success &&
          response.record.code != response.record.subjectId + "." + response.record.documentType)
        std::abort();  // the record sent back is not the one the request asked for
      if (result.__isset.error && result.error.detail.empty())
        std::abort();  // every refusal says why
    } else {
      // A document method's reply (the fuzzed front has no documents: NOT_FOUND).
      in->skip(apache::thrift::protocol::T_STRUCT);
    }
    in->readMessageEnd();
    in->getTransport()->readEnd();
    ++replies;
  }
  if (replies > calls + 1) std::abort();  // at most one reply per call, plus one for a bad call
  return 0;
}
