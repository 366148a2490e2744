// The server side of mutual TLS, shared by the HTTP and Thrift fronts: who may complete a
// handshake, and who the peer is once it has (DESIGN.md §3: the member is the organ code in the
// client certificate, never a field of the request).
#pragma once

#include <openssl/ssl.h>

#include <string>

#include "gateway/core/error.h"
#include "gateway/core/lookup.h"
#include "gateway/core/snapshot_cell.h"
#include "gateway/crypto/trust_snapshot.h"

namespace lienthong::front {

struct ServerTlsConfig {
  std::string certificate_chain_file;  // PEM: the gateway's TLS certificate, then intermediates
  std::string private_key_file;        // PEM or DER, unencrypted
  // A trust directory (anchors/, intermediates/, crls/ as certs/dev-pki.sh writes them; see
  // crypto::TrustMaterial::from_directory). Client certificates must chain to an anchor.
  std::string client_ca_directory;
  // The live trust snapshot (reloaded without a restart). When set, client chains are judged
  // against whatever snapshot is current at each handshake, so an anchor or intermediate added
  // by an administrator works from the next connection on; client_ca_directory then only names
  // the CAs in the CertificateRequest (fixed at startup).
  std::shared_ptr<SnapshotCell<crypto::TrustSnapshot>> live_trust;
};

// Sets up `ctx` for a TLS server that requires a client certificate: TLS 1.2 at least, the
// certificate chain and its key (checked to match), the trust anchors, session cache, no
// renegotiation. A client chain that does not lead to an anchor is refused at the handshake;
// an expired, not-yet-valid or revoked one is let through so that the pipeline can refuse it
// with CERT_EXPIRED / CERT_REVOKED (see server_tls.cc). Call once per context, at startup.
Result<void> configure_server_tls(SSL_CTX* ctx, const ServerTlsConfig& config);

// The member behind a completed handshake: organ code (SAN URI urn:lienthong:organ:<code>, else
// the subject CN), subsystem (subject OU), fingerprint, and the DER of the leaf and of the
// intermediates the peer sent. Validates nothing beyond the organ code's form: the pipeline's
// authenticate stage validates the path, with CRLs, against the current trust snapshot.
Result<Member> member_from_peer(SSL* ssl);

}  // namespace lienthong::front
