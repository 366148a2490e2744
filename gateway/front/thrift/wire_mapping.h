// Thrift wire types (generated from schemas/thrift/lienthong.thrift) to and from the gateway's
// internal request and response. Pure functions, no I/O: the handler uses them and the tests
// check them field by field.
#pragma once

#include <string>
#include <string_view>

#include "gateway/core/error.h"
#include "gateway/core/lookup.h"
#include "lienthong_thrift/lienthong_types.h"

namespace lienthong::front::thrift_internal {

namespace wire = ::lienthong::thrift;

// The contract caps the caller's correlation id (lienthong.thrift, LookupRequest.7).
inline constexpr std::size_t kMaxClientRequestIdLength = 64;

// Every internal code has a wire code of the same name (checked by a unit test).
wire::ErrorCode::type to_wire(ErrorCode code);

// Decodes what the member sent; `member` comes from the connection's certificate, never from
// the body. BAD_REQUEST for what the wire types cannot express: a clientRequestId longer than
// 64 characters, a negative maxAgeSeconds. Identifier rules are the pipeline's (one place for
// every front).
Result<LookupRequest> from_wire(const wire::LookupRequest& in, Member member,
                                std::string request_id);

// For a request that carries `jws`: the plain fields (decoded by from_wire) must say exactly
// what the signed payload says, so that what is logged, audited and answered is what was
// signed. BAD_REQUEST naming the first field that differs.
Result<void> check_same_request(const LookupRequest& plain, const LookupRequest& signed_request);

// Fields in the record's order (already sorted by name); times as YYYY-MM-DDTHH:MM:SSZ.
wire::LookupResponse to_wire(const LookupResponse& response);

// `request_id` empty: the refusal happened before an id existed; the field is left unset.
wire::LookupError to_wire(const Error& error, std::string_view request_id);

}  // namespace lienthong::front::thrift_internal
