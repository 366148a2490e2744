// Thrift's strict binary protocol, with every type byte checked before it becomes an enum.
//
// Thrift 0.17 casts the type bytes of a message header, a field header and a container header
// straight to TMessageType/TType. A byte outside the enum's range makes that undefined
// behaviour before any check runs; UBSan stops the process on it, and the fuzzer found it
// with the first mutation. This protocol reads those headers itself and refuses a byte that
// names no type with TProtocolException::INVALID_DATA; everything else is Thrift's.
//
// Its string limit follows the call: `string_limit` for every call, `document_string_limit` for
// the strings of a sendDocument call (its edXML), set as each message header is read.
#pragma once

#include <thrift/protocol/TBinaryProtocol.h>

#include <cstdint>
#include <memory>
#include <string>

namespace lienthong::front::thrift_internal {

class CheckedBinaryProtocol final : public apache::thrift::protocol::TBinaryProtocol {
 public:
  // Always strict: only the versioned message header is read.
  // `document_string_limit` 0: sendDocument's strings have `string_limit` too.
  CheckedBinaryProtocol(std::shared_ptr<apache::thrift::transport::TTransport> transport,
                        int32_t string_limit, int32_t container_limit,
                        int32_t document_string_limit = 0);

  uint32_t readMessageBegin_virt(std::string& name, apache::thrift::protocol::TMessageType& type,
                                 int32_t& seqid) override;
  uint32_t readFieldBegin_virt(std::string& name, apache::thrift::protocol::TType& type,
                               int16_t& id) override;
  uint32_t readMapBegin_virt(apache::thrift::protocol::TType& key_type,
                             apache::thrift::protocol::TType& value_type, uint32_t& size) override;
  uint32_t readListBegin_virt(apache::thrift::protocol::TType& element_type,
                              uint32_t& size) override;
  uint32_t readSetBegin_virt(apache::thrift::protocol::TType& element_type,
                             uint32_t& size) override;
  // Thrift's skip, run through the checked reads above. The inherited one calls the base
  // class's reads directly, past these overrides, when it skips an unknown field.
  uint32_t skip_virt(apache::thrift::protocol::TType type) override;

 private:
  // Reads one type byte; INVALID_DATA unless it names a TType.
  apache::thrift::protocol::TType read_type(uint32_t& consumed);
  // Reads a container size; NEGATIVE_SIZE or SIZE_LIMIT as Thrift's own reader does.
  uint32_t read_size(uint32_t& consumed);

  const int32_t message_string_limit_;
  const int32_t document_string_limit_;
};

class CheckedBinaryProtocolFactory final : public apache::thrift::protocol::TProtocolFactory {
 public:
  CheckedBinaryProtocolFactory(int32_t string_limit, int32_t container_limit,
                               int32_t document_string_limit = 0)
      : string_limit_(string_limit),
        container_limit_(container_limit),
        document_string_limit_(document_string_limit) {}
  std::shared_ptr<apache::thrift::protocol::TProtocol> getProtocol(
      std::shared_ptr<apache::thrift::transport::TTransport> transport) override;

 private:
  int32_t string_limit_;
  int32_t container_limit_;
  int32_t document_string_limit_;
};

}  // namespace lienthong::front::thrift_internal
