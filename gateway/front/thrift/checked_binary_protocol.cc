#include "gateway/front/thrift/checked_binary_protocol.h"

#include <utility>

namespace lienthong::front::thrift_internal {
namespace {

using apache::thrift::protocol::TList;
using apache::thrift::protocol::TMap;
using apache::thrift::protocol::TMessageType;
using apache::thrift::protocol::TProtocolException;
using apache::thrift::protocol::TSet;
using apache::thrift::protocol::TType;

// The values TType names (TEnum.h): 0-4, 6 and 8-17.
bool names_a_type(int8_t raw) { return raw >= 0 && raw <= 17 && raw != 5 && raw != 7; }

}  // namespace

CheckedBinaryProtocol::CheckedBinaryProtocol(
    std::shared_ptr<apache::thrift::transport::TTransport> transport, int32_t string_limit,
    int32_t container_limit, int32_t document_string_limit)
    : TBinaryProtocolT(std::move(transport), string_limit, container_limit,
                       /*strict_read=*/true, /*strict_write=*/true),
      message_string_limit_(string_limit),
      document_string_limit_(document_string_limit > 0 ? document_string_limit : string_limit) {}

uint32_t CheckedBinaryProtocol::readMessageBegin_virt(std::string& name, TMessageType& type,
                                                      int32_t& seqid) {
  int32_t header = 0;
  uint32_t consumed = readI32(header);
  if (header >= 0 || (header & VERSION_MASK) != VERSION_1) {
    throw TProtocolException(TProtocolException::BAD_VERSION,
                             "not a versioned (strict) binary protocol message");
  }
  const int32_t raw_type = header & 0xff;
  if (raw_type < apache::thrift::protocol::T_CALL || raw_type > apache::thrift::protocol::T_ONEWAY)
    throw TProtocolException(TProtocolException::INVALID_DATA, "unknown message type");
  type = static_cast<TMessageType>(raw_type);
  setStringSizeLimit(message_string_limit_);
  consumed += readString(name);
  consumed += readI32(seqid);
  // The edXML of a sendDocument call may be larger than any string of another call (the framed
  // transport has already bounded the whole call).
  if (name == "sendDocument") setStringSizeLimit(document_string_limit_);
  return consumed;
}

uint32_t CheckedBinaryProtocol::readFieldBegin_virt(std::string& /*name*/, TType& type,
                                                    int16_t& id) {
  uint32_t consumed = 0;
  type = read_type(consumed);
  if (type == apache::thrift::protocol::T_STOP) {
    id = 0;
    return consumed;
  }
  return consumed + readI16(id);
}

uint32_t CheckedBinaryProtocol::readMapBegin_virt(TType& key_type, TType& value_type,
                                                  uint32_t& size) {
  uint32_t consumed = 0;
  key_type = read_type(consumed);
  value_type = read_type(consumed);
  size = read_size(consumed);
  TMap map(key_type, value_type, size);
  checkReadBytesAvailable(map);  // a count the rest of the message cannot hold is refused now
  return consumed;
}

uint32_t CheckedBinaryProtocol::readListBegin_virt(TType& element_type, uint32_t& size) {
  uint32_t consumed = 0;
  element_type = read_type(consumed);
  size = read_size(consumed);
  TList list(element_type, size);
  checkReadBytesAvailable(list);
  return consumed;
}

uint32_t CheckedBinaryProtocol::readSetBegin_virt(TType& element_type, uint32_t& size) {
  uint32_t consumed = 0;
  element_type = read_type(consumed);
  size = read_size(consumed);
  TSet set(element_type, size);
  checkReadBytesAvailable(set);
  return consumed;
}

uint32_t CheckedBinaryProtocol::skip_virt(TType type) {
  // skip<TProtocol> reads through TProtocol's virtual calls, so every header it reads goes
  // through this class; the recursion limit (TConfiguration) bounds nested containers.
  return apache::thrift::protocol::skip(static_cast<apache::thrift::protocol::TProtocol&>(*this),
                                        type);
}

TType CheckedBinaryProtocol::read_type(uint32_t& consumed) {
  int8_t raw = 0;
  consumed += readByte(raw);
  if (!names_a_type(raw))
    throw TProtocolException(TProtocolException::INVALID_DATA, "unknown field type");
  return static_cast<TType>(raw);
}

uint32_t CheckedBinaryProtocol::read_size(uint32_t& consumed) {
  int32_t size = 0;
  consumed += readI32(size);
  if (size < 0) throw TProtocolException(TProtocolException::NEGATIVE_SIZE);
  if (container_limit_ && size > container_limit_)
    throw TProtocolException(TProtocolException::SIZE_LIMIT);
  return static_cast<uint32_t>(size);
}

std::shared_ptr<apache::thrift::protocol::TProtocol> CheckedBinaryProtocolFactory::getProtocol(
    std::shared_ptr<apache::thrift::transport::TTransport> transport) {
  return std::make_shared<CheckedBinaryProtocol>(std::move(transport), string_limit_,
                                                 container_limit_, document_string_limit_);
}

}  // namespace lienthong::front::thrift_internal
