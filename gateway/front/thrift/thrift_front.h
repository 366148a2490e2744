// The Thrift front for ministry systems (DESIGN.md §3): the Exchange service of
// schemas/thrift/lienthong.thrift over the binary protocol, framed transport, and TLS with a
// client certificate. The member is the organ code in that certificate, never a request field.
//
// Server model: Thrift's TThreadedServer, one thread per connection. Ministry systems keep a
// few long-lived connections, so a thread each costs little, and a call can wait for the
// pipeline on its own connection's thread without holding any other connection up.
// max_connections bounds the threads; connections beyond it wait in the listen backlog until
// one closes. (TNonblockingServer's event loop does not drive TSSLSocket's handshake.)
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "gateway/core/error.h"
#include "gateway/core/metrics.h"
#include "gateway/documents/document_service.h"
#include "gateway/exchange/pipeline.h"
#include "gateway/exchange/signed_json.h"
#include "gateway/front/tls/server_tls.h"

namespace lienthong::front {

struct ThriftFrontConfig {
  std::string listen_address = "127.0.0.1";
  std::uint16_t port = 0;    // 0: the kernel picks one; start() says which
  ServerTlsConfig tls;       // certificate chain, key, client trust directory
  int max_connections = 64;  // = threads; one per connection
  // Thrift's TConfiguration limits, applied to every connection before anything is decoded.
  int max_message_bytes = 1 << 20;  // largest call; caps any one string or list too
  int max_frame_bytes = 1 << 20;    // larger frames close the connection unread
  // A sendDocument call (an edXML document, attachments included) may be this large when
  // `documents` is set; every other call keeps the limits above (wire_limits.h).
  int max_document_bytes = (32 << 20) + (64 << 10);
  int recursion_limit = 16;  // struct nesting depth (the contract itself nests 4)
  // A connection silent this long (including mid-handshake) is closed; members reconnect.
  std::chrono::milliseconds idle_timeout = std::chrono::minutes(5);
  std::chrono::milliseconds send_timeout = std::chrono::seconds(30);
  // Signed JSON (exchange/signed_json.h): LookupRequest.jws and LookupResponse.jws.
  exchange::SignedJson::Ptr signed_json;
  // The document methods (sendDocument …); null: each of them refuses with NOT_FOUND. Its calls
  // block the connection's own thread, as lookups do.
  documents::DocumentService::Ptr documents;
};

// BAD_REQUEST naming the first unusable setting.
Result<void> validate(const ThriftFrontConfig& config);

class ThriftFront {
 public:
  ThriftFront(ThriftFrontConfig config, exchange::Pipeline::Ptr pipeline,
              std::shared_ptr<Metrics> metrics);
  ~ThriftFront();  // stops
  ThriftFront(const ThriftFront&) = delete;
  ThriftFront& operator=(const ThriftFront&) = delete;

  // Sets up TLS, binds and starts serving on a thread of its own; returns the bound port.
  // Fails (nothing left running) on a bad config, a TLS setup error or a bind error. Once only.
  Result<std::uint16_t> start();

  // Stops accepting, interrupts idle connections, waits for calls in flight to be answered
  // and joins every thread. Idempotent.
  void stop();

 private:
  struct Running;
  ThriftFrontConfig config_;
  exchange::Pipeline::Ptr pipeline_;
  std::shared_ptr<Metrics> metrics_;
  std::unique_ptr<Running> running_;
  bool started_ = false;
};

}  // namespace lienthong::front
