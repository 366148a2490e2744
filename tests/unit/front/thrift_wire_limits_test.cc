// The Thrift front's reading stack (wire_limits.h, checked_binary_protocol.h) on bytes written
// here: what a correct client sends reads back; headers Thrift 0.17 would turn into undefined
// behaviour, and frames outside the limits, are refused with Thrift's typed exceptions.
#include <gtest/gtest.h>
#include <thrift/protocol/TBinaryProtocol.h>
#include <thrift/protocol/TProtocolException.h>
#include <thrift/transport/TBufferTransports.h>
#include <thrift/transport/TTransportException.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "gateway/front/thrift/wire_limits.h"
#include "lienthong_thrift/Exchange.h"
#include "tests/unit/front/fake_document_service.h"

namespace lienthong::front::thrift_internal {
namespace {

using apache::thrift::protocol::TMessageType;
using apache::thrift::protocol::TProtocol;
using apache::thrift::protocol::TProtocolException;
using apache::thrift::protocol::TType;
using apache::thrift::transport::TMemoryBuffer;
using apache::thrift::transport::TTransportException;

std::string be32(uint32_t v) {
  return {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8),
          static_cast<char>(v)};
}

// A frame around a message header for method `name` and the given body.
std::string frame(uint8_t message_type, const std::string& name, const std::string& body) {
  std::string payload =
      be32(0x80010000u | message_type) + be32(name.size()) + name + be32(7) + body;
  return be32(payload.size()) + payload;
}

class WireLimitsTest : public ::testing::Test {
 protected:
  // The server's reading stack over `bytes`, as thrift_front.cc builds it for a socket.
  std::shared_ptr<TProtocol> reader(const std::string& bytes) {
    input_ = bytes;
    buffer_ = std::make_shared<TMemoryBuffer>(reinterpret_cast<uint8_t*>(input_.data()),
                                              static_cast<uint32_t>(input_.size()),
                                              TMemoryBuffer::OBSERVE, socket_limits(config_));
    return binary_protocol_factory(config_)->getProtocol(
        framed_transport_factory(config_)->getTransport(buffer_));
  }

  ThriftFrontConfig config_;
  std::string input_;
  std::shared_ptr<TMemoryBuffer> buffer_;
};

TEST_F(WireLimitsTest, ReadsWhatTheGeneratedClientWrites) {
  auto sink = std::make_shared<TMemoryBuffer>();
  auto writer = binary_protocol_factory(config_)->getProtocol(
      framed_transport_factory(config_)->getTransport(sink));
  ::lienthong::thrift::ExchangeClient client(writer);
  ::lienthong::thrift::LookupRequest request;
  request.subjectId = "079203001234";
  request.documentType = "CD01";
  request.__set_fields({"ho_ten", "ngay_sinh"});
  client.send_lookup(request);
  client.send_lookup(request);  // two calls on one connection: each frame its own budget

  auto in = reader(sink->getBufferAsString());
  for (int call = 0; call < 2; ++call) {
    std::string name;
    TMessageType type;
    int32_t seqid = 0;
    in->readMessageBegin(name, type, seqid);
    EXPECT_EQ(name, "lookup");
    EXPECT_EQ(type, apache::thrift::protocol::T_CALL);
    ::lienthong::thrift::Exchange_lookup_args args;
    args.read(in.get());
    in->readMessageEnd();
    in->getTransport()->readEnd();
    EXPECT_EQ(args.request.subjectId, "079203001234");
    EXPECT_EQ(args.request.fields.size(), 2u);
  }
}

TEST_F(WireLimitsTest, RefusesAnUnknownMessageType) {
  auto in = reader(frame(0xff, "lookup", std::string(1, '\0')));
  std::string name;
  TMessageType type;
  int32_t seqid = 0;
  try {
    in->readMessageBegin(name, type, seqid);
    FAIL() << "message type 255 was accepted";
  } catch (const TProtocolException& e) {
    EXPECT_EQ(e.getType(), TProtocolException::INVALID_DATA);
  }
}

TEST_F(WireLimitsTest, RefusesAnUnversionedMessageHeader) {
  auto in = reader(be32(10) + be32(6) + "lookup");
  std::string name;
  TMessageType type;
  int32_t seqid = 0;
  try {
    in->readMessageBegin(name, type, seqid);
    FAIL() << "an unversioned header was accepted";
  } catch (const TProtocolException& e) {
    EXPECT_EQ(e.getType(), TProtocolException::BAD_VERSION);
  }
}

// Field, list, set and map headers; and the same byte met while skipping an unknown field.
TEST_F(WireLimitsTest, RefusesTypeBytesThatNameNoType) {
  struct Case {
    const char* what;
    std::string body;
  };
  const Case cases[] = {
      {"field type 52", std::string("\x34\x00\x01", 3)},
      {"field type -1", std::string("\xff\x00\x01", 3)},
      {"field type 5 (unassigned)", std::string("\x05\x00\x01", 3)},
      {"list element type 99", std::string("\x0f\x00\x01\x63\x00\x00\x00\x01", 8)},
      {"set element type 20", std::string("\x0e\x00\x01\x14\x00\x00\x00\x01", 8)},
      {"map value type -3", std::string("\x0d\x00\x01\x0b\xfd\x00\x00\x00\x01", 9)},
      {"skipped struct, inner field type -1", std::string("\x0c\x00\x09\xff\x00\x01\x00\x00", 8)},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    auto in =
        reader(frame(apache::thrift::protocol::T_CALL, "lookup", c.body + std::string(1, '\0')));
    std::string name;
    TMessageType type;
    int32_t seqid = 0;
    in->readMessageBegin(name, type, seqid);
    try {
      // What the generated code does with a struct: read field headers, skip what it does
      // not know (field ids other than 1 here).
      std::string struct_name;
      in->readStructBegin(struct_name);
      TType field_type;
      int16_t id = 0;
      in->readFieldBegin(struct_name, field_type, id);
      in->skip(field_type);
      FAIL() << "accepted";
    } catch (const TProtocolException& e) {
      EXPECT_EQ(e.getType(), TProtocolException::INVALID_DATA) << e.what();
    }
  }
}

TEST_F(WireLimitsTest, RefusesAnEmptyFrame) {
  auto in =
      reader(be32(0) + frame(apache::thrift::protocol::T_CALL, "lookup", std::string(1, '\0')));
  std::string name;
  TMessageType type;
  int32_t seqid = 0;
  try {
    in->readMessageBegin(name, type, seqid);
    FAIL() << "an empty frame was accepted";
  } catch (const TTransportException& e) {
    EXPECT_EQ(e.getType(), TTransportException::CORRUPTED_DATA);
  }
}

TEST_F(WireLimitsTest, RefusesAFrameOverTheMessageLimitBeforeReadingIt) {
  config_.max_message_bytes = 4096;
  // Only the length prefix arrives: the refusal must not wait for (or allocate) the body.
  auto in = reader(be32(4097));
  std::string name;
  TMessageType type;
  int32_t seqid = 0;
  try {
    in->readMessageBegin(name, type, seqid);
    FAIL() << "an oversized frame was accepted";
  } catch (const TTransportException& e) {
    EXPECT_EQ(e.getType(), TTransportException::CORRUPTED_DATA);
  }
}

// With documents enabled, a sendDocument call may be as large as max_document_bytes; every other
// call keeps max_message_bytes, and so does every string in it.
class DocumentWireLimitsTest : public WireLimitsTest {
 protected:
  void SetUp() override {
    config_.max_message_bytes = 4096;
    config_.max_frame_bytes = 4096;
    config_.max_document_bytes = 64 << 10;
    config_.documents = std::make_shared<lienthong::testing::FakeDocumentService>();
  }

  // What the generated client writes, framed as the server's transport frames it.
  std::string written(const std::function<void(::lienthong::thrift::ExchangeClient&)>& send) {
    auto sink = std::make_shared<TMemoryBuffer>();
    auto writer = binary_protocol_factory(config_)->getProtocol(
        framed_transport_factory(config_)->getTransport(sink));
    ::lienthong::thrift::ExchangeClient client(writer);
    send(client);
    return sink->getBufferAsString();
  }
};

TEST_F(DocumentWireLimitsTest, ASendDocumentCallMayExceedTheMessageLimit) {
  ::lienthong::thrift::SendDocumentRequest request;
  request.edxml = std::string(40 << 10, 'x');
  ::lienthong::thrift::LookupRequest lookup;
  lookup.subjectId = "079203001234";
  auto in = reader(written([&](auto& client) {
    client.send_sendDocument(request);
    client.send_lookup(lookup);  // after it, the ordinary limit again
  }));
  std::string name;
  TMessageType type;
  int32_t seqid = 0;
  in->readMessageBegin(name, type, seqid);
  EXPECT_EQ(name, "sendDocument");
  ::lienthong::thrift::Exchange_sendDocument_args args;
  args.read(in.get());
  in->readMessageEnd();
  in->getTransport()->readEnd();
  EXPECT_EQ(args.request.edxml, request.edxml);

  in->readMessageBegin(name, type, seqid);
  EXPECT_EQ(name, "lookup");
  ::lienthong::thrift::Exchange_lookup_args lookup_args;
  lookup_args.read(in.get());
  EXPECT_EQ(lookup_args.request.subjectId, "079203001234");
}

TEST_F(DocumentWireLimitsTest, AnyOtherCallOverTheMessageLimitIsRefused) {
  ::lienthong::thrift::LookupRequest lookup;
  lookup.subjectId = std::string(5000, '1');
  auto in = reader(written([&](auto& client) { client.send_lookup(lookup); }));
  std::string name;
  TMessageType type;
  int32_t seqid = 0;
  try {
    in->readMessageBegin(name, type, seqid);
    FAIL() << "a large lookup was accepted";
  } catch (const TTransportException& e) {
    EXPECT_EQ(e.getType(), TTransportException::CORRUPTED_DATA);
  }
  // A header that only claims to be sendDocument (a oneway call) is refused too.
  auto oneway =
      reader(frame(apache::thrift::protocol::T_ONEWAY, "sendDocument", std::string(5000, '\0')));
  EXPECT_THROW(oneway->readMessageBegin(name, type, seqid), TTransportException);
}

TEST_F(DocumentWireLimitsTest, ASendDocumentCallOverTheDocumentLimitIsRefusedUnread) {
  auto in = reader(be32((64 << 10) + 1));
  std::string name;
  TMessageType type;
  int32_t seqid = 0;
  try {
    in->readMessageBegin(name, type, seqid);
    FAIL() << "an oversized document call was accepted";
  } catch (const TTransportException& e) {
    EXPECT_EQ(e.getType(), TTransportException::CORRUPTED_DATA);
  }
}

TEST_F(DocumentWireLimitsTest, WithoutDocumentsSendDocumentKeepsTheMessageLimit) {
  config_.documents = nullptr;
  ::lienthong::thrift::SendDocumentRequest request;
  request.edxml = std::string(5000, 'x');
  auto in = reader(written([&](auto& client) { client.send_sendDocument(request); }));
  std::string name;
  TMessageType type;
  int32_t seqid = 0;
  EXPECT_THROW(in->readMessageBegin(name, type, seqid), TTransportException);
}

TEST_F(WireLimitsTest, SaysWhenTheConnectionEndsInsideAFrameHeader) {
  auto cut = reader(std::string("\x00\x00", 2));
  std::string name;
  TMessageType type;
  int32_t seqid = 0;
  try {
    cut->readMessageBegin(name, type, seqid);
    FAIL() << "a cut frame header was accepted";
  } catch (const TTransportException& e) {
    EXPECT_EQ(e.getType(), TTransportException::END_OF_FILE);
    EXPECT_NE(std::string(e.what()).find("frame header"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace lienthong::front::thrift_internal
