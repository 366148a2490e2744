// Shared by the Thrift front's tests: a fake pipeline that records what it was asked and
// answers on a thread of its own, a front on an ephemeral port with the dev PKI, and clients
// (generated Exchange client, raw framed bytes) over TLS.
#pragma once

#include <thrift/transport/TSSLSocket.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "gateway/core/lookup.h"
#include "gateway/exchange/pipeline.h"
#include "gateway/front/thrift/thrift_front.h"
#include "lienthong_thrift/Exchange.h"

namespace lienthong::testing {

namespace wire = ::lienthong::thrift;

// Answers with `answer(request)` (default: a two-field record for the asked subject) from a
// separate thread, as the real pipeline may.
class FakePipeline final : public exchange::Pipeline {
 public:
  using Answer = std::function<Result<LookupResponse>(const LookupRequest&)>;

  ~FakePipeline() override;
  void lookup(LookupRequest request, exchange::LookupCallback done) override;
  exchange::Readiness readiness() const override { return {}; }

  void set_answer(Answer answer);
  // lookup() itself throws (a broken pipeline; the real one never throws).
  void throw_in_lookup(bool on) { throw_in_lookup_ = on; }
  std::vector<LookupRequest> seen() const;

 private:
  mutable std::mutex mutex_;
  Answer answer_;
  std::vector<LookupRequest> seen_;
  std::vector<std::thread> threads_;
  std::atomic<bool> throw_in_lookup_{false};
};

// The record FakePipeline returns by default.
LookupResponse sample_response(const LookupRequest& request);

// The dev PKI's gateway TLS identity and the merged trust directory.
front::ThriftFrontConfig test_front_config();

// A TLS client of the front. `member` is a dev PKI name ("member-g22") from hierarchy `kt`, or
// empty for a client that presents no certificate.
class TlsClient {
 public:
  TlsClient(std::uint16_t port, const std::string& member, const std::string& kt = "ec");
  ~TlsClient();

  // The generated client over framed transport and binary protocol; opens on first use.
  wire::ExchangeClient& exchange();
  // Sends one frame (4-byte length + `payload`) and returns the reply frame's payload, or
  // nullopt when the server closed the connection instead of answering.
  std::optional<std::string> raw_call(const std::string& payload);
  // Sends bytes as they are (no frame added) and reports whether any reply came back.
  std::optional<std::string> raw_send(const std::string& bytes);

 private:
  std::shared_ptr<apache::thrift::transport::TSSLSocketFactory> factory_;
  std::shared_ptr<apache::thrift::transport::TSSLSocket> socket_;
  std::shared_ptr<apache::thrift::transport::TTransport> framed_;
  std::unique_ptr<wire::ExchangeClient> client_;
};

// A wire request that passes as it is.
wire::LookupRequest sample_wire_request();

// The binary-protocol bytes of one `lookup` call (no frame header). `nested_junk`: add an
// unknown field holding structs nested that deep, which the server has to skip.
std::string encode_call(const wire::LookupRequest& request, int nested_junk = 0);

}  // namespace lienthong::testing
