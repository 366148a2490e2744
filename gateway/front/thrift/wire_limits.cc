#include "gateway/front/thrift/wire_limits.h"

#include <thrift/transport/TBufferTransports.h>
#include <thrift/transport/TTransportException.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <utility>

#include "gateway/front/thrift/checked_binary_protocol.h"

namespace lienthong::front::thrift_internal {
namespace {

using apache::thrift::TConfiguration;
using apache::thrift::transport::TFramedTransport;
using apache::thrift::transport::TTransport;
using apache::thrift::transport::TTransportException;
using apache::thrift::transport::TTransportFactory;

// Reads one frame per call with the front's limits checked before anything is allocated.
//
// Thrift 0.17's own TFramedTransport::readFrame has two faults for a server facing members:
// - it spends one message budget (TConfiguration::maxMessageSize) over the connection's whole
//   life, so a long-lived connection is cut, silently, once its calls add up to the limit;
// - it takes a zero-length frame, leaves its read buffer null, and then does pointer
//   arithmetic and memcpy on that null pointer (undefined behaviour; the fuzzer found it).
// Here each frame (one call) starts a fresh budget no larger than the frame itself, so a length
// prefix inside it that claims more than arrived is refused before allocation; and a frame
// must be 1 byte to max_message_bytes long. The one exception is a sendDocument call, which
// may be up to max_document_bytes long when documents are enabled: a frame over the ordinary
// limit is refused unless its first bytes are the strict binary header of a sendDocument call,
// read (20 bytes) before anything is allocated. The rest (buffering, writing) is Thrift's.
class PerMessageFramedTransport final : public TFramedTransport {
 public:
  PerMessageFramedTransport(std::shared_ptr<TTransport> transport,
                            std::shared_ptr<TConfiguration> limits, int max_frame_bytes,
                            int max_document_frame_bytes)
      : TFramedTransport(std::move(transport), limits),
        max_frame_bytes_(max_frame_bytes),
        max_document_frame_bytes_(max_document_frame_bytes) {
    // Likewise the write buffer, once an answer (a received document) has grown it.
    bufReclaimThresh_ = static_cast<uint32_t>(max_frame_bytes);
    // TFramedTransport starts with a null read buffer, and its inline fast path computes
    // `null + n` before the first frame arrives. An empty buffer at a real address sends that
    // first read down the slow path (readFrame) without it.
    setReadBuffer(&no_frame_yet_, 0);
  }

 protected:
  bool readFrame() override {
    uint8_t header[4];
    uint32_t have = 0;
    while (have < sizeof header) {
      const uint32_t got = transport_->read(header + have, sizeof header - have);
      if (got == 0) {
        if (have == 0) return false;  // the member closed between calls: a clean end
        throw TTransportException(TTransportException::END_OF_FILE,
                                  "connection closed inside a frame header");
      }
      have += got;
    }
    const uint32_t size = (uint32_t{header[0]} << 24) | (uint32_t{header[1]} << 16) |
                          (uint32_t{header[2]} << 8) | uint32_t{header[3]};
    // CORRUPTED_DATA rather than the END_OF_FILE Thrift would use: the server logs it.
    if (size == 0) {
      throw TTransportException(TTransportException::CORRUPTED_DATA, "empty frame");
    }
    uint32_t have_body = 0;
    if (size > static_cast<uint32_t>(max_frame_bytes_)) {
      if (size > static_cast<uint32_t>(max_document_frame_bytes_)) {
        throw TTransportException(TTransportException::CORRUPTED_DATA,
                                  "message larger than max_message_bytes");
      }
      transport_->readAll(call_header_, sizeof call_header_);
      if (std::memcmp(call_header_, kSendDocumentCall, sizeof call_header_) != 0) {
        throw TTransportException(TTransportException::CORRUPTED_DATA,
                                  "message larger than max_message_bytes");
      }
      have_body = sizeof call_header_;
    }
    // A buffer grown for a document is not kept for the ordinary calls after it.
    const bool oversized = rBufSize_ > static_cast<uint32_t>(max_frame_bytes_) &&
                           size <= static_cast<uint32_t>(max_frame_bytes_);
    if (size > rBufSize_ || oversized) {
      rBuf_.reset(new uint8_t[size]);
      rBufSize_ = size;
    }
    std::memcpy(rBuf_.get(), call_header_, have_body);
    transport_->readAll(rBuf_.get() + have_body, size - have_body);
    setReadBuffer(rBuf_.get(), size);
    resetConsumedMessageSize();                         // a new message: the full budget...
    resetConsumedMessageSize(static_cast<long>(size));  // ...but no more than it holds
    return true;
  }

 private:
  // The strict binary protocol's header of a call to sendDocument: version 1 and T_CALL, the
  // name's length (12) and the name.
  static constexpr uint8_t kSendDocumentCall[20] = {0x80, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00,
                                                    0x0c, 's',  'e',  'n',  'd',  'D',  'o',
                                                    'c',  'u',  'm',  'e',  'n',  't'};

  const int max_frame_bytes_;
  const int max_document_frame_bytes_;
  uint8_t call_header_[20] = {};
  uint8_t no_frame_yet_ = 0;
};

// The stock TFramedTransportFactory builds its transports with Thrift's default limits
// (16 MB frames); this one hands every connection the front's TConfiguration.
class LimitedFramedTransportFactory final : public TTransportFactory {
 public:
  LimitedFramedTransportFactory(std::shared_ptr<TConfiguration> limits, int max_frame_bytes,
                                int max_document_frame_bytes)
      : limits_(std::move(limits)),
        max_frame_bytes_(max_frame_bytes),
        max_document_frame_bytes_(max_document_frame_bytes) {}
  std::shared_ptr<TTransport> getTransport(std::shared_ptr<TTransport> transport) override {
    return std::make_shared<PerMessageFramedTransport>(std::move(transport), limits_,
                                                       max_frame_bytes_, max_document_frame_bytes_);
  }

 private:
  std::shared_ptr<TConfiguration> limits_;
  const int max_frame_bytes_;
  const int max_document_frame_bytes_;
};

// Every call but sendDocument.
int ordinary_frame_bytes(const ThriftFrontConfig& config) {
  return std::min(config.max_message_bytes, config.max_frame_bytes);
}

}  // namespace

int document_frame_bytes(const ThriftFrontConfig& config) {
  if (!config.documents) return ordinary_frame_bytes(config);
  return std::max(ordinary_frame_bytes(config), config.max_document_bytes);
}

std::shared_ptr<TConfiguration> message_limits(const ThriftFrontConfig& config) {
  const int largest = document_frame_bytes(config);
  return std::make_shared<TConfiguration>(std::max(config.max_message_bytes, largest),
                                          std::max(config.max_frame_bytes, largest),
                                          config.recursion_limit);
}

std::shared_ptr<TConfiguration> socket_limits(const ThriftFrontConfig& config) {
  const int largest =
      std::max({config.max_message_bytes, config.max_frame_bytes, document_frame_bytes(config)});
  return std::make_shared<TConfiguration>(largest + 4, std::max(config.max_frame_bytes, largest),
                                          config.recursion_limit);
}

std::shared_ptr<TTransportFactory> framed_transport_factory(const ThriftFrontConfig& config) {
  return std::make_shared<LimitedFramedTransportFactory>(
      message_limits(config), ordinary_frame_bytes(config), document_frame_bytes(config));
}

std::shared_ptr<apache::thrift::protocol::TProtocolFactory> binary_protocol_factory(
    const ThriftFrontConfig& config) {
  return std::make_shared<CheckedBinaryProtocolFactory>(
      config.max_message_bytes, config.max_message_bytes, document_frame_bytes(config));
}

}  // namespace lienthong::front::thrift_internal
