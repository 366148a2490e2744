// Client-side TLS session resumption for the HTTP driver: the newest session (a TLS 1.3 ticket
// or a TLS 1.2 session) any connection received is offered by every connection opened after
// it, so reconnecting during a run costs an abbreviated handshake where the server allows one.
#pragma once

#include <openssl/ssl.h>

#include <mutex>

namespace lienthong::load {

class TlsSessionCache {
 public:
  // Hooks into `ctx` (which must outlive this object) and keeps what it receives.
  explicit TlsSessionCache(SSL_CTX* ctx);
  ~TlsSessionCache();
  TlsSessionCache(const TlsSessionCache&) = delete;
  TlsSessionCache& operator=(const TlsSessionCache&) = delete;

  // Before the handshake: offer the newest session, if any.
  void offer(SSL* ssl) const;

 private:
  static int on_new_session(SSL* ssl, SSL_SESSION* session);

  SSL_CTX* ctx_;
  mutable std::mutex mutex_;
  SSL_SESSION* newest_ = nullptr;  // owned: one reference
};

}  // namespace lienthong::load
