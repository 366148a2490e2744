#include "gateway/front/thrift/peer_socket.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <exception>
#include <utility>

namespace lienthong::front::thrift_internal {

using apache::thrift::TConfiguration;
using apache::thrift::transport::SSLContext;
using apache::thrift::transport::TSSLSocket;
using apache::thrift::transport::TSSLSocketFactory;

PeerSslSocket::PeerSslSocket(std::shared_ptr<SSLContext> context, THRIFT_SOCKET fd,
                             std::shared_ptr<THRIFT_SOCKET> interrupt_listener,
                             std::shared_ptr<TConfiguration> limits)
    : TSSLSocket(std::move(context), fd, std::move(interrupt_listener), std::move(limits)) {}

PeerSslSocketFactory::PeerSslSocketFactory(std::shared_ptr<TConfiguration> limits)
    : TSSLSocketFactory(apache::thrift::transport::SSLTLS), limits_(std::move(limits)) {}

Result<std::shared_ptr<PeerSslSocketFactory>> PeerSslSocketFactory::create(
    const ServerTlsConfig& tls, std::shared_ptr<TConfiguration> limits) {
  // OpenSSL 3 initialises itself, and the gateway shares it with xmlsec and libcurl: Thrift
  // must not tear it down (cleanupOpenSSL) when its last factory goes away.
  TSSLSocketFactory::setManualOpenSSLInitialization(true);
  std::shared_ptr<PeerSslSocketFactory> factory;
  try {
    factory.reset(new PeerSslSocketFactory(std::move(limits)));
  } catch (const std::exception& e) {  // startup: SSL_CTX_new failed
    return fail(ErrorCode::kInternal, std::string("thrift TLS context: ") + e.what());
  }
  factory->server(true);
  // Verification is configure_server_tls's alone: we call neither authenticate() (it would
  // replace the verify callback) nor access() (an AccessManager matches host names, which
  // mean nothing for a member). With neither, TSSLSocket::authorize() only insists that
  // OpenSSL's verification succeeded; the member comes from member_from_peer afterwards.
  if (auto configured = configure_server_tls(factory->ctx_->get(), tls); !configured) {
    return tl::unexpected(configured.error());
  }
  return factory;
}

std::shared_ptr<TSSLSocket> PeerSslSocketFactory::createSocket(THRIFT_SOCKET fd) {
  return createSocket(fd, nullptr);
}

std::shared_ptr<TSSLSocket> PeerSslSocketFactory::createSocket(
    THRIFT_SOCKET fd, std::shared_ptr<THRIFT_SOCKET> interrupt_listener) {
  auto socket = std::make_shared<PeerSslSocket>(ctx_, fd, std::move(interrupt_listener), limits_);
  socket->server(server());
  return socket;
}

void ListeningSslServerSocket::listen() {
  if (listening_) return;
  TSSLServerSocket::listen();
  listening_ = true;
}

int ListeningSslServerSocket::bound_port() {
  // Read the bound address back rather than trusting getPort(): with port 0 that is the
  // kernel's choice, which only getsockname knows.
  sockaddr_storage address{};
  socklen_t length = sizeof(address);
  if (::getsockname(getSocketFD(), reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    return -1;
  }
  if (address.ss_family == AF_INET) {
    return ntohs(reinterpret_cast<const sockaddr_in*>(&address)->sin_port);
  }
  if (address.ss_family == AF_INET6) {
    return ntohs(reinterpret_cast<const sockaddr_in6*>(&address)->sin6_port);
  }
  return -1;
}

Result<Member> member_of(const std::shared_ptr<apache::thrift::transport::TTransport>& transport) {
  auto socket = std::dynamic_pointer_cast<PeerSslSocket>(transport);
  if (!socket || socket->ssl() == nullptr) {
    return fail(ErrorCode::kCertUntrusted, "connection has no TLS session");
  }
  return member_from_peer(socket->ssl());
}

}  // namespace lienthong::front::thrift_internal
