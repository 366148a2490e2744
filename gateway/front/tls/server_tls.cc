#include "gateway/front/tls/server_tls.h"

#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <optional>
#include <string_view>
#include <vector>

#include "gateway/crypto/certificate_names.h"
#include "gateway/crypto/key_material.h"
#include "gateway/crypto/openssl_types.h"
#include "gateway/crypto/trust_store.h"

namespace lienthong::front {

namespace {

using crypto::drain_openssl_errors;

constexpr unsigned char kSessionIdContext[] = "lienthong";
// leaf, intermediates, anchor: the dev PKI and the national ones are three deep; room for two
// more intermediates without accepting arbitrarily long chains.
constexpr int kMaxVerifyDepth = 5;

using X509StackPtr =
    std::unique_ptr<STACK_OF(X509), decltype([](STACK_OF(X509) * s) { sk_X509_free(s); })>;

// The intermediates of the trust directory, kept with the SSL_CTX (freed with it through the
// ex_data free callback) and offered to chain building for clients that send only their leaf.
struct ClientIntermediates {
  std::vector<crypto::X509Ptr> certs;
  std::shared_ptr<SnapshotCell<crypto::TrustSnapshot>> live_trust;  // may be null
};

void free_intermediates(void* /*parent*/, void* ptr, CRYPTO_EX_DATA* /*ad*/, int /*idx*/,
                        long /*argl*/, void* /*argp*/) {
  delete static_cast<ClientIntermediates*>(ptr);
}

int intermediates_index() {
  static const int index =
      SSL_CTX_get_ex_new_index(0, nullptr, nullptr, nullptr, free_intermediates);
  return index;
}

// Replaces X509_verify_cert for client chains: the same verification, with the configured
// intermediates added to the untrusted pool. They are never put in the X509_STORE, where they
// would become trust anchors (the store runs with X509_V_FLAG_PARTIAL_CHAIN, like the trust
// store, so that pinned member certificates in anchors/ work).
// With a live trust snapshot: the chain is judged by the snapshot current at this handshake,
// with the same tolerance as handshake_verify_callback (time and revocation are left to the
// pipeline, which answers CERT_EXPIRED / CERT_REVOKED in the member's own protocol).
int verify_with_live_trust(X509_STORE_CTX* store_ctx, const crypto::TrustSnapshot& snapshot) {
  X509* leaf = X509_STORE_CTX_get0_cert(store_ctx);
  STACK_OF(X509)* sent = X509_STORE_CTX_get0_untrusted(store_ctx);
  crypto::PathCheck check;
  check.leaf = leaf;
  for (int i = 0; i < sk_X509_num(sent); ++i) check.untrusted.push_back(sk_X509_value(sent, i));
  check.at = std::chrono::system_clock::now();
  check.purpose = X509_PURPOSE_SSL_CLIENT;
  auto path = snapshot.store()->validate(check);
  if (path) return 1;
  const auto code = path.error().code;
  if (code == ErrorCode::kCertExpired || code == ErrorCode::kCertRevoked ||
      crypto::revocation_unknown(path.error()))
    return 1;
  X509_STORE_CTX_set_error(store_ctx, X509_V_ERR_CERT_UNTRUSTED);
  return 0;
}

int verify_with_intermediates(X509_STORE_CTX* store_ctx, void* arg) {
  const auto* extra = static_cast<const ClientIntermediates*>(arg);
  if (extra != nullptr && extra->live_trust) {
    if (auto snapshot = extra->live_trust->get())
      return verify_with_live_trust(store_ctx, *snapshot);
  }
  STACK_OF(X509)* sent = X509_STORE_CTX_get0_untrusted(store_ctx);
  X509StackPtr pool(sk_X509_new_null());
  if (!pool) return 0;
  for (int i = 0; i < sk_X509_num(sent); ++i) sk_X509_push(pool.get(), sk_X509_value(sent, i));
  if (extra != nullptr)
    for (const auto& cert : extra->certs) sk_X509_push(pool.get(), cert.get());
  X509_STORE_CTX_set0_untrusted(store_ctx, pool.get());
  const int verified = X509_verify_cert(store_ctx);
  // The pool dies here; libssl copies the built chain (get1_chain) and never reads it again.
  X509_STORE_CTX_set0_untrusted(store_ctx, sent);
  return verified;
}

// Which verification failures the handshake lets through. Refusing an expired or revoked
// member at the handshake would leave it with a bare TLS alert and no idea why; accepting the
// connection lets the pipeline's authenticate stage, which validates every request's chain with
// CRLs against the current trust snapshot, answer CERT_EXPIRED or CERT_REVOKED in the caller's
// own protocol, and put the refusal in the audit. Only failures of *time* and *revocation* are
// tolerated: a chain that does not lead to one of our anchors (unknown CA, self-signed, bad
// signature, wrong purpose) is refused here, so a stranger never reaches the application.
bool tolerated_at_handshake(int error) {
  switch (error) {
    case X509_V_ERR_CERT_HAS_EXPIRED:
    case X509_V_ERR_CERT_NOT_YET_VALID:
    case X509_V_ERR_CERT_REVOKED:
    case X509_V_ERR_UNABLE_TO_GET_CRL:
    case X509_V_ERR_UNABLE_TO_GET_CRL_ISSUER:
    case X509_V_ERR_CRL_HAS_EXPIRED:
    case X509_V_ERR_CRL_NOT_YET_VALID:
    case X509_V_ERR_CRL_SIGNATURE_FAILURE:
    case X509_V_ERR_UNABLE_TO_DECRYPT_CRL_SIGNATURE:
    case X509_V_ERR_ERROR_IN_CRL_LAST_UPDATE_FIELD:
    case X509_V_ERR_ERROR_IN_CRL_NEXT_UPDATE_FIELD:
    case X509_V_ERR_DIFFERENT_CRL_SCOPE:
    case X509_V_ERR_UNHANDLED_CRITICAL_CRL_EXTENSION:
    case X509_V_ERR_KEYUSAGE_NO_CRL_SIGN:
    case X509_V_ERR_CRL_PATH_VALIDATION_ERROR:
      return true;
    default:
      return false;
  }
}

// With a live trust snapshot: the CertificateRequest names the CAs of the snapshot in force at
// this handshake, not those of startup, so that a client choosing among its certificates by
// issuer (Java's KeyManager does) offers the one of a hierarchy added since.
int name_live_client_cas(SSL* ssl, int* /*alert*/, void* arg) {
  const auto* extra = static_cast<const ClientIntermediates*>(arg);
  const auto snapshot = extra->live_trust->get();
  if (!snapshot) return SSL_CLIENT_HELLO_SUCCESS;
  STACK_OF(X509_NAME)* names = sk_X509_NAME_new_null();
  if (names == nullptr) return SSL_CLIENT_HELLO_SUCCESS;  // the names of startup stay
  auto add = [names](const X509* cert) {
    X509_NAME* name = X509_NAME_dup(X509_get_subject_name(cert));
    if (name != nullptr && sk_X509_NAME_push(names, name) == 0) X509_NAME_free(name);
  };
  for (const auto& anchor : snapshot->contents().anchors) add(anchor.cert.get());
  for (const auto& intermediate : snapshot->contents().intermediates) add(intermediate.cert.get());
  SSL_set_client_CA_list(ssl, names);  // the connection owns them now
  return SSL_CLIENT_HELLO_SUCCESS;
}

int handshake_verify_callback(int preverify_ok, X509_STORE_CTX* store_ctx) {
  if (preverify_ok == 1) return 1;
  return tolerated_at_handshake(X509_STORE_CTX_get_error(store_ctx)) ? 1 : 0;
}

}  // namespace

Result<void> configure_server_tls(SSL_CTX* ctx, const ServerTlsConfig& config) {
  if (ctx == nullptr) return fail(ErrorCode::kInternal, "no SSL_CTX");
  ERR_clear_error();

  // TLS 1.2 is the floor; OpenSSL negotiates 1.3 whenever the client offers it. Cipher suites
  // stay OpenSSL 3's defaults, which contain no export, RC4 or CBC-SHA1-only suites for 1.2.
  if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1)
    return fail(ErrorCode::kInternal, "cannot set TLS 1.2 minimum: " + drain_openssl_errors());
  SSL_CTX_set_options(
      ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION | SSL_OP_CIPHER_SERVER_PREFERENCE);

  if (SSL_CTX_use_certificate_chain_file(ctx, config.certificate_chain_file.c_str()) != 1)
    return fail(ErrorCode::kBadRequest,
                config.certificate_chain_file +
                    ": cannot load the TLS certificate chain: " + drain_openssl_errors());
  auto key = crypto::load_private_key(config.private_key_file);
  if (!key) return tl::unexpected(key.error());
  if (SSL_CTX_use_PrivateKey(ctx, key->get()) != 1)
    return fail(ErrorCode::kBadRequest,
                config.private_key_file + ": cannot use the TLS key: " + drain_openssl_errors());
  if (SSL_CTX_check_private_key(ctx) != 1)
    return fail(ErrorCode::kBadRequest, config.private_key_file + " does not match " +
                                            config.certificate_chain_file + ": " +
                                            drain_openssl_errors());

  auto material = crypto::TrustMaterial::from_directory(config.client_ca_directory);
  if (!material) return tl::unexpected(material.error());
  crypto::X509StorePtr store(X509_STORE_new());
  if (!store) return fail(ErrorCode::kInternal, "X509_STORE_new failed");
  for (const auto& anchor : material->anchors) {
    if (X509_STORE_add_cert(store.get(), anchor.get()) != 1)
      return fail(ErrorCode::kBadRequest, "cannot add anchor: " + drain_openssl_errors());
    // Named in the CertificateRequest so that clients holding several certificates pick ours.
    SSL_CTX_add_client_CA(ctx, anchor.get());
  }
  for (const auto& intermediate : material->intermediates)
    SSL_CTX_add_client_CA(ctx, intermediate.get());
  // No CRLs here: revocation is tolerated at the handshake anyway (see tolerated_at_handshake),
  // and the pipeline checks it per request against CRLs that are reloaded; a copy fixed in the
  // SSL_CTX at startup would only go stale.
  SSL_CTX_set_cert_store(ctx, store.release());  // the context owns it now
  X509_VERIFY_PARAM_set_flags(SSL_CTX_get0_param(ctx), X509_V_FLAG_PARTIAL_CHAIN);

  auto* extra = new ClientIntermediates{std::move(material->intermediates), config.live_trust};
  if (auto* previous =
          static_cast<ClientIntermediates*>(SSL_CTX_get_ex_data(ctx, intermediates_index())))
    delete previous;  // configured twice: the second configuration wins
  SSL_CTX_set_ex_data(ctx, intermediates_index(), extra);
  SSL_CTX_set_cert_verify_callback(ctx, verify_with_intermediates, extra);
  if (extra->live_trust) SSL_CTX_set_client_hello_cb(ctx, name_live_client_cas, extra);

  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT,
                     handshake_verify_callback);
  SSL_CTX_set_verify_depth(ctx, kMaxVerifyDepth);

  // Resumption saves a full handshake for members that reconnect; the id context is required
  // for resumption when client certificates are verified (else resumed handshakes fail).
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_SERVER);
  if (SSL_CTX_set_session_id_context(ctx, kSessionIdContext, sizeof kSessionIdContext - 1) != 1)
    return fail(ErrorCode::kInternal, "cannot set the session id context");
  return {};
}

Result<Member> member_from_peer(SSL* ssl) {
  if (ssl == nullptr) return fail(ErrorCode::kInternal, "no TLS session");
  const X509* leaf = SSL_get0_peer_certificate(ssl);
  if (leaf == nullptr) return fail(ErrorCode::kCertUntrusted, "no client certificate");

  auto organ_code = crypto::organ_code_of(leaf);
  if (!organ_code) return tl::unexpected(organ_code.error());

  Member member;
  member.organ_code = std::move(*organ_code);
  member.subsystem = crypto::subsystem_of(leaf);
  member.certificate_fingerprint = crypto::sha256_fingerprint(leaf);
  member.certificate_der = crypto::to_der(leaf);
  // On the server side the peer chain holds only what the client sent after its leaf; the
  // comparison guards against a library that includes the leaf.
  if (STACK_OF(X509)* chain = SSL_get_peer_cert_chain(ssl); chain != nullptr)
    for (int i = 0; i < sk_X509_num(chain); ++i) {
      const X509* cert = sk_X509_value(chain, i);
      if (X509_cmp(cert, leaf) != 0) member.chain_der.push_back(crypto::to_der(cert));
    }
  return member;
}

}  // namespace lienthong::front
