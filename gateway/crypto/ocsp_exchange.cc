#include "gateway/crypto/ocsp_exchange.h"

#include <openssl/x509v3.h>

#include <algorithm>

#include "gateway/crypto/trust_store.h"

namespace lienthong::crypto {

namespace {

using OcspResponsePtr =
    std::unique_ptr<OCSP_RESPONSE, OpenSslDeleter<OCSP_RESPONSE, OCSP_RESPONSE_free>>;
using OcspBasicRespPtr =
    std::unique_ptr<OCSP_BASICRESP, OpenSslDeleter<OCSP_BASICRESP, OCSP_BASICRESP_free>>;
using X509StackPtr =
    std::unique_ptr<STACK_OF(X509), decltype([](STACK_OF(X509) * s) { sk_X509_free(s); })>;
using StringStackPtr =
    std::unique_ptr<STACK_OF(OPENSSL_STRING),
                    decltype([](STACK_OF(OPENSSL_STRING) * s) { X509_email_free(s); })>;

std::string hex(const ASN1_STRING* s) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  if (s == nullptr) return out;
  const unsigned char* data = ASN1_STRING_get0_data(s);
  for (int i = 0; i < ASN1_STRING_length(s); ++i) {
    out += digits[data[i] >> 4];
    out += digits[data[i] & 0xf];
  }
  return out;
}

// The OCSP library's reason for the last failure, and the whole queue (with the data strings
// OpenSSL attaches, such as the X509 verify error of the responder's certificate) as text.
struct OpenSslFailure {
  int ocsp_reason = 0;
  std::string text;
};

OpenSslFailure drain_failure() {
  OpenSslFailure failure;
  const char* data = nullptr;
  int flags = 0;
  unsigned long code = 0;
  while ((code = ERR_get_error_all(nullptr, nullptr, nullptr, &data, &flags)) != 0) {
    // The first OCSP reason is the cause; later ones are consequences (a delegated signer
    // without OCSPSigning is then also reported as "root ca not trusted").
    if (ERR_GET_LIB(code) == ERR_LIB_OCSP && failure.ocsp_reason == 0)
      failure.ocsp_reason = ERR_GET_REASON(code);
    char buf[256];
    ERR_error_string_n(code, buf, sizeof buf);
    if (!failure.text.empty()) failure.text += "; ";
    failure.text += buf;
    if ((flags & ERR_TXT_STRING) != 0 && data != nullptr && *data != '\0')
      failure.text += std::string(" (") + data + ")";
  }
  return failure;
}

std::string describe_signer_failure(const OpenSslFailure& failure, const X509* issuer) {
  const std::string ca = "'" + subject_dn(issuer) + "'";
  std::string why;
  switch (failure.ocsp_reason) {
    case OCSP_R_SIGNATURE_FAILURE:
      why = "the response signature does not verify";
      break;
    case OCSP_R_SIGNER_CERTIFICATE_NOT_FOUND:
      why =
          "the response was signed by a certificate it does not carry and that is not the "
          "issuing CA " +
          ca;
      break;
    case OCSP_R_CERTIFICATE_VERIFY_ERROR:
    case OCSP_R_ROOT_CA_NOT_TRUSTED:
      why = "the responder's certificate was not issued by the issuing CA " + ca +
            " (or is expired or unusable)";
      break;
    case OCSP_R_MISSING_OCSPSIGNING_USAGE:
    case OCSP_R_RESPONSE_CONTAINS_NO_REVOCATION_DATA:
      why = "responder not authorized: its certificate is neither the issuing CA " + ca +
            " nor a delegated responder issued by it with extendedKeyUsage OCSPSigning";
      break;
    default:
      why = "the response signature or its signer was refused";
  }
  return why + " [" + failure.text + "]";
}

std::string refused(const X509* leaf, const std::string& why) {
  return "OCSP response for '" + subject_dn(leaf) + "' refused: " + why;
}

}  // namespace

std::string_view cert_status_name(CertStatus status) {
  switch (status) {
    case CertStatus::kGood:
      return "good";
    case CertStatus::kRevoked:
      return "revoked";
    case CertStatus::kUnknown:
      return "unknown";
  }
  return "unknown";
}

std::string_view ocsp_source_name(OcspSource source) {
  switch (source) {
    case OcspSource::kFetched:
      return "fetched";
    case OcspSource::kCache:
      return "cache";
    case OcspSource::kGrace:
      return "grace";
  }
  return "fetched";
}

std::string revocation_reason_name(int reason) {
  // RFC 5280 §5.3.1 names; OpenSSL's OCSP_crl_reason_str gives prose ("Key Compromise").
  switch (reason) {
    case OCSP_REVOKED_STATUS_NOSTATUS:
      return "none";
    case OCSP_REVOKED_STATUS_UNSPECIFIED:
      return "unspecified";
    case OCSP_REVOKED_STATUS_KEYCOMPROMISE:
      return "keyCompromise";
    case OCSP_REVOKED_STATUS_CACOMPROMISE:
      return "cACompromise";
    case OCSP_REVOKED_STATUS_AFFILIATIONCHANGED:
      return "affiliationChanged";
    case OCSP_REVOKED_STATUS_SUPERSEDED:
      return "superseded";
    case OCSP_REVOKED_STATUS_CESSATIONOFOPERATION:
      return "cessationOfOperation";
    case OCSP_REVOKED_STATUS_CERTIFICATEHOLD:
      return "certificateHold";
    case OCSP_REVOKED_STATUS_REMOVEFROMCRL:
      return "removeFromCRL";
    case OCSP_REVOKED_STATUS_PRIVILEGEWITHDRAWN:
      return "privilegeWithdrawn";
    case OCSP_REVOKED_STATUS_AACOMPROMISE:
      return "aACompromise";
    default:
      return "reason " + std::to_string(reason);
  }
}

TimePoint ocsp_usable_until(const OcspStatus& status, std::chrono::seconds freshness) {
  const TimePoint by_age = status.this_update + freshness;
  return status.next_update ? std::min(*status.next_update, by_age) : by_age;
}

std::optional<std::string> ocsp_responder_from_aia(const X509* cert) {
  if (cert == nullptr) return std::nullopt;
  // X509_get1_ocsp is not const-correct; it only reads the extension.
  StringStackPtr urls(X509_get1_ocsp(const_cast<X509*>(cert)));
  if (!urls || sk_OPENSSL_STRING_num(urls.get()) == 0) return std::nullopt;
  return std::string(sk_OPENSSL_STRING_value(urls.get(), 0));
}

Result<OcspExchange> OcspExchange::create(const X509* leaf, const X509* issuer, bool send_nonce) {
  if (leaf == nullptr || issuer == nullptr)
    return fail(ErrorCode::kCertUntrusted, "OCSP check needs the certificate and its issuer");
  ERR_clear_error();
  OcspExchange exchange;
  exchange.leaf_ = share(const_cast<X509*>(leaf));  // up-ref only
  exchange.issuer_ = share(const_cast<X509*>(issuer));
  // SHA-1 CertID (dgst nullptr): the hash every responder answers for (RFC 5019 §2.1.1).
  exchange.cert_id_.reset(OCSP_cert_to_id(nullptr, leaf, issuer));
  if (!exchange.cert_id_)
    return fail(ErrorCode::kCertUntrusted, "cannot make an OCSP CertID for '" + subject_dn(leaf) +
                                               "': " + drain_openssl_errors());

  ASN1_OCTET_STRING* name_hash = nullptr;
  ASN1_OCTET_STRING* key_hash = nullptr;
  ASN1_INTEGER* serial = nullptr;
  OCSP_id_get0_info(&name_hash, nullptr, &key_hash, &serial, exchange.cert_id_.get());
  exchange.cert_id_key_ = hex(name_hash) + ":" + hex(key_hash) + ":" + hex(serial);

  exchange.request_.reset(OCSP_REQUEST_new());
  OcspCertIdPtr in_request(OCSP_CERTID_dup(exchange.cert_id_.get()));
  if (!exchange.request_ || !in_request ||
      OCSP_request_add0_id(exchange.request_.get(), in_request.get()) == nullptr)
    return fail(ErrorCode::kInternal, "cannot build an OCSP request: " + drain_openssl_errors());
  in_request.release();  // now owned by the request
  if (send_nonce && OCSP_request_add1_nonce(exchange.request_.get(), nullptr, -1) != 1)
    return fail(ErrorCode::kInternal, "cannot add an OCSP nonce: " + drain_openssl_errors());

  const int len = i2d_OCSP_REQUEST(exchange.request_.get(), nullptr);
  if (len <= 0)
    return fail(ErrorCode::kInternal, "cannot encode the OCSP request: " + drain_openssl_errors());
  exchange.request_der_.resize(static_cast<size_t>(len));
  auto* out = reinterpret_cast<unsigned char*>(exchange.request_der_.data());
  i2d_OCSP_REQUEST(exchange.request_.get(), &out);
  return exchange;
}

Result<OcspStatus> OcspExchange::verify_response(std::string_view der,
                                                 const OcspResponseChecks& checks) const {
  ERR_clear_error();
  const X509* leaf = leaf_.get();
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  OcspResponsePtr response(d2i_OCSP_RESPONSE(nullptr, &p, static_cast<long>(der.size())));
  if (!response || p != reinterpret_cast<const unsigned char*>(der.data() + der.size())) {
    ERR_clear_error();
    return fail(ErrorCode::kCertUntrusted, refused(leaf, "the answer is not a DER OCSP response"));
  }
  const int response_status = OCSP_response_status(response.get());
  if (response_status != OCSP_RESPONSE_STATUS_SUCCESSFUL)
    return fail(ErrorCode::kCertUntrusted,
                refused(leaf, std::string("the responder answered '") +
                                  OCSP_response_status_str(response_status) + "' (status " +
                                  std::to_string(response_status) + ")"));
  OcspBasicRespPtr basic(OCSP_response_get1_basic(response.get()));
  if (!basic) {
    ERR_clear_error();
    return fail(ErrorCode::kCertUntrusted, refused(leaf, "not a basic OCSP response"));
  }

  // The nonce first: an answer to someone else's question is refused whoever signed it.
  switch (OCSP_check_nonce(request_.get(), basic.get())) {
    case 0:
      return fail(ErrorCode::kCertUntrusted,
                  refused(leaf,
                          "its nonce does not match the request's (a replayed or "
                          "misrouted answer)"));
    case -1:
      if (!checks.accept_missing_nonce)
        return fail(ErrorCode::kCertUntrusted,
                    refused(leaf,
                            "it carries no nonce although the request had one (set "
                            "accept_missing_nonce for responders that pre-sign answers)"));
      break;
    default:  // 1 match, 2 none asked none given, 3 given unasked
      break;
  }

  int status = -1;
  int reason = -1;
  ASN1_GENERALIZEDTIME* revoked_at = nullptr;
  ASN1_GENERALIZEDTIME* this_update = nullptr;
  ASN1_GENERALIZEDTIME* next_update = nullptr;
  if (OCSP_resp_find_status(basic.get(), cert_id_.get(), &status, &reason, &revoked_at,
                            &this_update, &next_update) != 1)
    return fail(ErrorCode::kCertUntrusted,
                refused(leaf,
                        "it does not answer for this certificate (no matching CertID, "
                        "serial and issuer hashes)"));

  OcspStatus out;
  out.status = status == V_OCSP_CERTSTATUS_GOOD      ? CertStatus::kGood
               : status == V_OCSP_CERTSTATUS_REVOKED ? CertStatus::kRevoked
                                                     : CertStatus::kUnknown;
  if (out.status == CertStatus::kRevoked) {
    out.revocation_reason = reason;
    if (revoked_at != nullptr) out.revoked_at = to_time_point(revoked_at);
  }
  if (this_update == nullptr)
    return fail(ErrorCode::kCertUntrusted, refused(leaf, "it has no thisUpdate"));
  out.this_update = to_time_point(this_update);
  if (next_update != nullptr) out.next_update = to_time_point(next_update);
  out.produced_at = to_time_point(OCSP_resp_get0_produced_at(basic.get()));

  // OCSP_check_validity would read the wall clock; the same rules on our Clock instead.
  if (out.next_update && *out.next_update < out.this_update)
    return fail(ErrorCode::kCertUntrusted,
                refused(leaf, "its nextUpdate " + format_utc_time(*out.next_update) +
                                  " is before its thisUpdate " + format_utc_time(out.this_update)));
  if (out.this_update > checks.now + checks.clock_skew)
    return fail(
        ErrorCode::kCertUntrusted,
        refused(leaf, "its thisUpdate " + format_utc_time(out.this_update) +
                          " is in the future (now " + format_utc_time(checks.now) +
                          ", tolerated skew " + std::to_string(checks.clock_skew.count()) + " s)"));
  if (out.next_update && *out.next_update + checks.clock_skew < checks.now)
    return fail(
        ErrorCode::kCertUntrusted,
        refused(leaf, "its nextUpdate " + format_utc_time(*out.next_update) + " has passed (now " +
                          format_utc_time(checks.now) + ", tolerated skew " +
                          std::to_string(checks.clock_skew.count()) + " s)"));
  if (out.this_update + checks.freshness + checks.clock_skew < checks.now)
    return fail(ErrorCode::kCertUntrusted,
                refused(leaf, "its thisUpdate " + format_utc_time(out.this_update) +
                                  " is older than the freshness window of " +
                                  std::to_string(checks.freshness.count()) + " s"));
  // The signature last: the checks above only ever refuse, and when our clock is off an
  // operator learns more from "thisUpdate in the future" than from "responder certificate not
  // yet valid". Trust exactly one certificate: the issuing CA. Partial-chain lets a non-root
  // CA be the anchor; a delegated responder must chain to it, and OCSP_basic_verify then
  // demands id-kp-OCSPSigning on it. Validity is judged at our clock's time, not the wall's.
  X509StorePtr store(X509_STORE_new());
  X509StackPtr certs(sk_X509_new_null());
  X509* issuer = issuer_.get();
  if (!store || !certs || X509_STORE_add_cert(store.get(), issuer) != 1 ||
      sk_X509_push(certs.get(), issuer) <= 0)
    return fail(ErrorCode::kInternal, "cannot set up OCSP verification: " + drain_openssl_errors());
  X509_STORE_set_flags(store.get(), X509_V_FLAG_PARTIAL_CHAIN);
  X509_VERIFY_PARAM_set_time(X509_STORE_get0_param(store.get()),
                             std::chrono::system_clock::to_time_t(checks.now));
  if (OCSP_basic_verify(basic.get(), certs.get(), store.get(), 0) <= 0)
    return fail(ErrorCode::kCertUntrusted,
                refused(leaf, describe_signer_failure(drain_failure(), issuer)));

  return out;
}

}  // namespace lienthong::crypto
