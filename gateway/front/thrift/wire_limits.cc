#include "gateway/front/thrift/wire_limits.h"

#include <thrift/transport/TBufferTransports.h>
#include <thrift/transport/TTransportException.h>

#include <algorithm>
#include <cstdint>
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
// must be 1 byte to max_message_bytes long. The rest (buffering, writing) is Thrift's.
class PerMessageFramedTransport final : public TFramedTransport {
 public:
  PerMessageFramedTransport(std::shared_ptr<TTransport> transport,
                            std::shared_ptr<TConfiguration> limits)
      : TFramedTransport(std::move(transport), limits),
        max_frame_bytes_(std::min(limits->getMaxMessageSize(), limits->getMaxFrameSize())) {
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
    if (size > static_cast<uint32_t>(max_frame_bytes_)) {
      throw TTransportException(TTransportException::CORRUPTED_DATA,
                                "message larger than max_message_bytes");
    }
    if (size > rBufSize_) {
      rBuf_.reset(new uint8_t[size]);
      rBufSize_ = size;
    }
    transport_->readAll(rBuf_.get(), size);
    setReadBuffer(rBuf_.get(), size);
    resetConsumedMessageSize();                          // a new message: the full budget...
    resetConsumedMessageSize(static_cast<long>(size));  // ...but no more than it holds
    return true;
  }

 private:
  const int max_frame_bytes_;
  uint8_t no_frame_yet_ = 0;
};

// The stock TFramedTransportFactory builds its transports with Thrift's default limits
// (16 MB frames); this one hands every connection the front's TConfiguration.
class LimitedFramedTransportFactory final : public TTransportFactory {
 public:
  explicit LimitedFramedTransportFactory(std::shared_ptr<TConfiguration> limits)
      : limits_(std::move(limits)) {}
  std::shared_ptr<TTransport> getTransport(std::shared_ptr<TTransport> transport) override {
    return std::make_shared<PerMessageFramedTransport>(std::move(transport), limits_);
  }

 private:
  std::shared_ptr<TConfiguration> limits_;
};

}  // namespace

std::shared_ptr<TConfiguration> message_limits(const ThriftFrontConfig& config) {
  return std::make_shared<TConfiguration>(config.max_message_bytes, config.max_frame_bytes,
                                          config.recursion_limit);
}

std::shared_ptr<TConfiguration> socket_limits(const ThriftFrontConfig& config) {
  return std::make_shared<TConfiguration>(
      std::max(config.max_message_bytes, config.max_frame_bytes) + 4, config.max_frame_bytes,
      config.recursion_limit);
}

std::shared_ptr<TTransportFactory> framed_transport_factory(const ThriftFrontConfig& config) {
  return std::make_shared<LimitedFramedTransportFactory>(message_limits(config));
}

std::shared_ptr<apache::thrift::protocol::TProtocolFactory> binary_protocol_factory(
    const ThriftFrontConfig& config) {
  return std::make_shared<CheckedBinaryProtocolFactory>(config.max_message_bytes,
                                                       config.max_message_bytes);
}

}  // namespace lienthong::front::thrift_internal
