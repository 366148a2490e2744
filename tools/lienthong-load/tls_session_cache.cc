#include "tools/lienthong-load/tls_session_cache.h"

namespace lienthong::load {
namespace {

// Where on an SSL_CTX the cache finds itself. Asio keeps its own callback in the context's
// app data (ex_data slot 0), so this takes a slot of its own.
int cache_index() {
  static const int index = SSL_CTX_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return index;
}

}  // namespace

TlsSessionCache::TlsSessionCache(SSL_CTX* ctx) : ctx_(ctx) {
  SSL_CTX_set_ex_data(ctx_, cache_index(), this);
  // Client mode makes OpenSSL hand every new session to the callback (with TLS 1.3, when the
  // server's ticket arrives after the handshake); nothing is kept inside OpenSSL itself.
  SSL_CTX_set_session_cache_mode(ctx_, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
  SSL_CTX_sess_set_new_cb(ctx_, &TlsSessionCache::on_new_session);
}

TlsSessionCache::~TlsSessionCache() {
  SSL_CTX_sess_set_new_cb(ctx_, nullptr);
  SSL_CTX_set_ex_data(ctx_, cache_index(), nullptr);
  if (newest_ != nullptr) SSL_SESSION_free(newest_);
}

void TlsSessionCache::offer(SSL* ssl) const {
  std::lock_guard lock(mutex_);
  if (newest_ != nullptr) SSL_set_session(ssl, newest_);  // takes its own reference
}

int TlsSessionCache::on_new_session(SSL* ssl, SSL_SESSION* session) {
  auto* self =
      static_cast<TlsSessionCache*>(SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), cache_index()));
  if (self == nullptr) return 0;  // not ours: OpenSSL keeps (and frees) the session
  std::lock_guard lock(self->mutex_);
  if (self->newest_ != nullptr) SSL_SESSION_free(self->newest_);
  self->newest_ = session;
  return 1;  // we took OpenSSL's reference
}

}  // namespace lienthong::load
