// What an administrator may put in the trust directory (DESIGN.md §6): a certificate is
// refused with the reason when its key or signature is weak, when it is malformed, or when it
// does not fit the role it is added for (an anchor must be a CA, a pinned member must not be).
// The gateway refuses the same things when it loads a trust directory, so a file copied in by
// hand cannot bring in what the CLI would have refused.
#pragma once

#include <openssl/x509.h>

#include <string>

#include "gateway/core/clock.h"
#include "gateway/core/error.h"

namespace lienthong::crypto {

enum class CertificateRole { kAnchor, kIntermediate, kMember };

std::string_view role_name(CertificateRole role);

// BAD_REQUEST with the reason: RSA under 2048 bits, EC outside P-256/P-384/P-521, DSA, an MD5
// or SHA-1 signature (except on a self-signed anchor, whose own signature nobody relies on),
// a CA bit that does not fit the role, an anchor that is not self-issued and self-signed.
Result<void> check_certificate(const X509* cert, CertificateRole role);

// Seconds from `now` until notAfter (negative once expired).
long long seconds_to_expiry(const X509* cert, TimePoint now);

// For operators: "RSA-2048", "EC P-256", ...; the certificate's key.
std::string key_description(const X509* cert);

}  // namespace lienthong::crypto
