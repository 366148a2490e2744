// Who a certificate says it is, in the gateway's terms: the organ code (SAN URI
// urn:lienthong:organ:<code>, else a subject CN that is an organ code) and the subsystem (the
// first subject OU). Shared by the TLS front (who is this member?) and the trust directory
// (does this pin name the organ the certificate names?).
#pragma once

#include <openssl/x509.h>

#include <string>
#include <vector>

#include "gateway/core/error.h"

namespace lienthong::crypto {

// CERT_UNTRUSTED when the certificate names no organ code, more than one, or a malformed one.
Result<std::string> organ_code_of(const X509* cert);

// The first subject OU, or "" when there is none.
std::string subsystem_of(const X509* cert);

// Every value of one subject attribute (NID_commonName, NID_organizationalUnitName, ...), UTF-8.
std::vector<std::string> subject_values(const X509* cert, int nid);

}  // namespace lienthong::crypto
