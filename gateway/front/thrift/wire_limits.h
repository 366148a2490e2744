// How the Thrift front reads bytes from a member: framed transport and strict binary protocol,
// with the front's size and depth limits applied before anything is decoded. The server and
// the Thrift fuzz target (tests/fuzz/thrift_call_fuzz.cc) build their stacks here, so the
// fuzzer exercises exactly the decoding the server does.
#pragma once

#include <thrift/TConfiguration.h>
#include <thrift/protocol/TProtocol.h>
#include <thrift/transport/TTransport.h>

#include <memory>

#include "gateway/front/thrift/thrift_front.h"

namespace lienthong::front::thrift_internal {

// Every call is at most min(max_message_bytes, max_frame_bytes) long, except sendDocument when
// documents are enabled: at most this (max_document_bytes, or the ordinary limit if larger).
int document_frame_bytes(const ThriftFrontConfig& config);

// The limits every connection's framed transport and protocol enforce (the budget a frame
// starts with is never more than the frame itself, see wire_limits.cc).
std::shared_ptr<apache::thrift::TConfiguration> message_limits(const ThriftFrontConfig& config);

// The limits for the socket underneath: it checks each read against maxMessageSize as well and
// refuses without a word (END_OF_FILE), so it lets through whatever the framing allows and the
// framed transport above refuses an oversized message, saying why.
std::shared_ptr<apache::thrift::TConfiguration> socket_limits(const ThriftFrontConfig& config);

// Wraps each connection in a framed transport whose every frame (one call) starts a fresh
// message budget no larger than the frame itself.
std::shared_ptr<apache::thrift::transport::TTransportFactory> framed_transport_factory(
    const ThriftFrontConfig& config);

// Strict binary protocol (only the versioned message header) with checked type bytes
// (checked_binary_protocol.h); strings and containers capped at the message limit so no single
// field can ask for more memory than a message may hold; in a sendDocument call strings (the
// edXML) up to document_frame_bytes.
std::shared_ptr<apache::thrift::protocol::TProtocolFactory> binary_protocol_factory(
    const ThriftFrontConfig& config);

}  // namespace lienthong::front::thrift_internal
