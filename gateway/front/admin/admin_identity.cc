#include "gateway/front/admin/admin_identity.h"

#include <openssl/obj_mac.h>
#include <openssl/x509v3.h>

#include "gateway/crypto/certificate_names.h"
#include "gateway/crypto/key_material.h"
#include "gateway/crypto/openssl_types.h"

namespace lienthong::front::admin {

std::string AdminIdentity::text() const {
  return organ_code + " (" + common_name + ", sha256 " + fingerprint.substr(0, 16) + "…)";
}

Result<std::set<std::string>> AdminAllowlist::fingerprints_of(
    const std::vector<std::filesystem::path>& files) {
  std::set<std::string> out;
  for (const auto& file : files) {
    auto certs = crypto::load_certificates(file);
    if (!certs) return tl::unexpected(certs.error());
    out.insert(crypto::sha256_fingerprint(certs->front().get()));
  }
  return out;
}

AdminAllowlist::AdminAllowlist(std::set<std::string> fingerprints,
                               std::shared_ptr<SnapshotCell<crypto::TrustSnapshot>> trust,
                               Clock::Ptr clock)
    : fingerprints_(std::move(fingerprints)),
      trust_(std::move(trust)),
      clock_(clock ? std::move(clock) : SystemClock::instance()) {}

Result<AdminIdentity> AdminAllowlist::admit(const Result<Member>& peer) const {
  if (!peer)
    return fail(ErrorCode::kAccessDenied,
                "not an administrator: the client certificate names no organ (" +
                    peer.error().detail + ")");
  if (fingerprints_.count(peer->certificate_fingerprint) == 0)
    return fail(ErrorCode::kAccessDenied,
                "not an administrator: this certificate is not one of [admin] administrators");
  auto leaf = crypto::parse_certificates(peer->certificate_der);
  if (!leaf) return fail(ErrorCode::kAccessDenied, "not an administrator: unreadable certificate");
  // The handshake let an expired or revoked chain through (server_tls.cc, so that members hear
  // why in their own protocol); an administrator's must be good now.
  const auto snapshot = trust_ ? trust_->get() : nullptr;
  if (!snapshot) return fail(ErrorCode::kInternal, "no admin trust snapshot");
  std::vector<crypto::X509Ptr> sent;
  std::vector<X509*> untrusted;
  for (const auto& der : peer->chain_der) {
    auto certs = crypto::parse_certificates(der);
    if (!certs) continue;
    for (auto& c : *certs) {
      untrusted.push_back(c.get());
      sent.push_back(std::move(c));
    }
  }
  auto path =
      snapshot->check(leaf->front().get(), untrusted, clock_->now(), X509_PURPOSE_SSL_CLIENT);
  if (!path) return tl::unexpected(path.error());

  AdminIdentity who;
  who.organ_code = peer->organ_code;
  const auto cn = crypto::subject_values(leaf->front().get(), NID_commonName);
  who.common_name = cn.empty() ? "" : cn.front();
  who.fingerprint = peer->certificate_fingerprint;
  return who;
}

}  // namespace lienthong::front::admin
