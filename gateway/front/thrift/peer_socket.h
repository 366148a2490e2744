// TLS sockets for the Thrift server that let the front see who connected. Thrift's
// TSSLSocketFactory owns its SSL_CTX and its sockets keep their SSL* to themselves; these
// subclasses give the gateway's TLS setup (configure_server_tls) that SSL_CTX and the handler
// the connection's SSL* for member_from_peer.
#pragma once

#include <thrift/TConfiguration.h>
#include <thrift/transport/TSSLServerSocket.h>
#include <thrift/transport/TSSLSocket.h>

#include <memory>
#include <string>

#include "gateway/core/error.h"
#include "gateway/front/tls/server_tls.h"

namespace lienthong::front::thrift_internal {

// A server-side connection. Its SSL* exists once the handshake has started, which Thrift does
// lazily on the connection's first read: by the time a call is dispatched it is complete.
class PeerSslSocket final : public apache::thrift::transport::TSSLSocket {
 public:
  PeerSslSocket(std::shared_ptr<apache::thrift::transport::SSLContext> context, THRIFT_SOCKET fd,
                std::shared_ptr<THRIFT_SOCKET> interrupt_listener,
                std::shared_ptr<apache::thrift::TConfiguration> limits);

  // Null before the handshake; owned by the socket.
  SSL* ssl() const { return ssl_; }

 protected:
  // Thrift's authorize() refuses any peer whose SSL_get_verify_result is not X509_V_OK. That
  // would cut expired and revoked member certificates at the handshake, which
  // configure_server_tls deliberately lets through so the pipeline can refuse them with
  // CERT_EXPIRED / CERT_REVOKED. Who may complete a handshake is configure_server_tls's
  // decision alone (a chain to an anchor, a certificate required); nothing to add here.
  void authorize() override {}
};

// Makes PeerSslSockets on an SSL_CTX that configure_server_tls has set up, each carrying the
// front's limits (message, frame, recursion) in its TConfiguration.
class PeerSslSocketFactory final : public apache::thrift::transport::TSSLSocketFactory {
 public:
  static Result<std::shared_ptr<PeerSslSocketFactory>> create(
      const ServerTlsConfig& tls, std::shared_ptr<apache::thrift::TConfiguration> limits);

  std::shared_ptr<apache::thrift::transport::TSSLSocket> createSocket(THRIFT_SOCKET fd) override;
  std::shared_ptr<apache::thrift::transport::TSSLSocket> createSocket(
      THRIFT_SOCKET fd, std::shared_ptr<THRIFT_SOCKET> interrupt_listener) override;

 private:
  explicit PeerSslSocketFactory(std::shared_ptr<apache::thrift::TConfiguration> limits);

  std::shared_ptr<apache::thrift::TConfiguration> limits_;
};

// TServerFramework::serve() calls listen() itself; the front listens first, in start(), to
// learn the port and report a bind failure as a Result. A second listen() is a no-op.
class ListeningSslServerSocket final : public apache::thrift::transport::TSSLServerSocket {
 public:
  using TSSLServerSocket::TSSLServerSocket;
  void listen() override;
  // The port actually bound (the configured one, or the kernel's choice for port 0).
  int bound_port();

 private:
  bool listening_ = false;
};

// The member behind a connection accepted by a ListeningSslServerSocket; CERT_UNTRUSTED when
// the transport is not one of ours or carries no TLS session.
Result<Member> member_of(const std::shared_ptr<apache::thrift::transport::TTransport>& transport);

}  // namespace lienthong::front::thrift_internal
