#include "gateway/crypto/trust_store.h"

#include <openssl/x509_vfy.h>

#include <algorithm>
#include <ctime>

#include "gateway/crypto/key_material.h"

namespace lienthong::crypto {

namespace {

using X509StackPtr =
    std::unique_ptr<STACK_OF(X509), decltype([](STACK_OF(X509) * s) { sk_X509_free(s); })>;
using CrlStackPtr = std::unique_ptr<STACK_OF(X509_CRL),
                                    decltype([](STACK_OF(X509_CRL) * s) { sk_X509_CRL_free(s); })>;

// One problem X509_verify_cert reported on the path.
struct Finding {
  int error;
  int depth;
  X509Ptr cert;
};

// What the verify callback collects. OpenSSL stops at the first problem it meets, and it
// meets CRL problems before expiry: collecting every problem lets us report the one an
// operator needs (an untrusted path before a revocation, a revocation before an expiry, an
// expiry before a stale CRL). Any finding at all means the path is refused.
struct VerifyState {
  CrlMode crl_mode;
  std::vector<Finding> findings;
};

int state_index() {
  static const int index = X509_STORE_CTX_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return index;
}

int verify_callback(int ok, X509_STORE_CTX* ctx) {
  if (ok) return ok;
  auto* state = static_cast<VerifyState*>(X509_STORE_CTX_get_ex_data(ctx, state_index()));
  if (state == nullptr) return ok;  // not one of ours: keep OpenSSL's verdict
  const int err = X509_STORE_CTX_get_error(ctx);
  // "Check a CRL where we have one" is not an OpenSSL mode: with CRL checking on, a missing
  // CRL is an error. In kIfAvailable mode that one error is forgiven.
  if (!(state->crl_mode == CrlMode::kIfAvailable && err == X509_V_ERR_UNABLE_TO_GET_CRL))
    state->findings.push_back(Finding{err, X509_STORE_CTX_get_error_depth(ctx),
                                      share(X509_STORE_CTX_get_current_cert(ctx))});
  X509_STORE_CTX_set_error(ctx, X509_V_OK);
  return 1;  // keep walking the path; the findings decide
}

int rank(int error) {
  switch (error) {
    case X509_V_ERR_CERT_REVOKED:
      return 1;
    case X509_V_ERR_CERT_HAS_EXPIRED:
    case X509_V_ERR_CERT_NOT_YET_VALID:
      return 2;
    case X509_V_ERR_UNABLE_TO_GET_CRL:
    case X509_V_ERR_CRL_HAS_EXPIRED:
    case X509_V_ERR_CRL_NOT_YET_VALID:
    case X509_V_ERR_CRL_SIGNATURE_FAILURE:
    case X509_V_ERR_UNABLE_TO_GET_CRL_ISSUER:
    case X509_V_ERR_DIFFERENT_CRL_SCOPE:
      return 3;
    default:
      return 0;  // the path itself is not trusted
  }
}

Result<void> load_folder(const std::filesystem::path& dir, bool crls, TrustMaterial& out,
                         std::vector<X509Ptr>* certs) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) return {};
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec))
    if (entry.is_regular_file() && entry.path().filename().string().front() != '.')
      files.push_back(entry.path());
  std::sort(files.begin(), files.end());  // deterministic order for operators and tests
  for (const auto& file : files) {
    if (crls) {
      auto loaded = load_crls(file);
      if (!loaded) return tl::unexpected(loaded.error());
      for (auto& c : *loaded) out.crls.push_back(std::move(c));
    } else {
      auto loaded = load_certificates(file);
      if (!loaded) return tl::unexpected(loaded.error());
      for (auto& c : *loaded) certs->push_back(std::move(c));
    }
  }
  return {};
}

// The start of every "revocation status unknown" refusal (revocation_unknown() reads it).
constexpr std::string_view kRevocationUnknown = "revocation status of ";

std::string describe(const X509* cert) {
  return cert != nullptr ? "'" + subject_dn(cert) + "'" : "certificate";
}

}  // namespace

bool revocation_unknown(const Error& error) {
  return error.code == ErrorCode::kCertUntrusted &&
         error.detail.compare(0, kRevocationUnknown.size(), kRevocationUnknown) == 0;
}

TimePoint to_time_point(const ASN1_TIME* t) {
  std::tm tm{};
  if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) return TimePoint{};
  return std::chrono::system_clock::from_time_t(timegm(&tm));
}

Result<TrustMaterial> TrustMaterial::from_directory(const std::filesystem::path& dir) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir / "anchors", ec))
    return fail(
        ErrorCode::kBadRequest,
        dir.string() + ": not a trust directory (expected anchors/, intermediates/, crls/)");
  TrustMaterial material;
  if (auto r = load_folder(dir / "anchors", false, material, &material.anchors); !r)
    return tl::unexpected(r.error());
  if (auto r = load_folder(dir / "intermediates", false, material, &material.intermediates); !r)
    return tl::unexpected(r.error());
  if (auto r = load_folder(dir / "crls", true, material, nullptr); !r)
    return tl::unexpected(r.error());
  if (material.anchors.empty())
    return fail(ErrorCode::kBadRequest, dir.string() + "/anchors: no certificate");
  return material;
}

Result<TrustStore::Ptr> X509TrustStore::from_directory(const std::filesystem::path& dir,
                                                       CrlMode crl_mode) {
  auto material = TrustMaterial::from_directory(dir);
  if (!material) return tl::unexpected(material.error());
  return create(std::move(*material), crl_mode);
}

Result<TrustStore::Ptr> X509TrustStore::create(TrustMaterial material, CrlMode crl_mode) {
  X509StorePtr store(X509_STORE_new());
  if (!store) return fail(ErrorCode::kInternal, "X509_STORE_new failed");
  for (const auto& anchor : material.anchors)
    if (X509_STORE_add_cert(store.get(), anchor.get()) != 1)
      return fail(ErrorCode::kBadRequest, "cannot add anchor: " + drain_openssl_errors());
  for (const auto& crl : material.crls)
    if (X509_STORE_add_crl(store.get(), crl.get()) != 1)
      return fail(ErrorCode::kBadRequest, "cannot add CRL: " + drain_openssl_errors());
  X509_STORE_set_verify_cb(store.get(), verify_callback);
  return Ptr(new X509TrustStore(std::move(material), crl_mode, std::move(store)));
}

X509TrustStore::X509TrustStore(TrustMaterial material, CrlMode crl_mode, X509StorePtr store)
    : material_(std::move(material)), crl_mode_(crl_mode), store_(std::move(store)) {
  crls_valid_until_ = TimePoint::max();
  for (const auto& crl : material_.crls) {
    const ASN1_TIME* next = X509_CRL_get0_nextUpdate(crl.get());
    if (next != nullptr) crls_valid_until_ = std::min(crls_valid_until_, to_time_point(next));
  }
}

Result<ValidatedPath> X509TrustStore::validate(const PathCheck& check) const {
  if (check.leaf == nullptr) return fail(ErrorCode::kCertUntrusted, "no certificate to validate");

  X509StackPtr untrusted(sk_X509_new_null());
  for (const auto& cert : material_.intermediates) sk_X509_push(untrusted.get(), cert.get());
  for (X509* cert : check.untrusted) sk_X509_push(untrusted.get(), cert);

  X509StoreCtxPtr ctx(X509_STORE_CTX_new());
  if (!ctx || X509_STORE_CTX_init(ctx.get(), store_.get(), const_cast<X509*>(check.leaf),
                                  untrusted.get()) != 1)
    return fail(ErrorCode::kInternal, "X509_STORE_CTX_init: " + drain_openssl_errors());

  CrlStackPtr document_crls;
  if (!check.crls.empty()) {
    document_crls.reset(sk_X509_CRL_new_null());
    for (X509_CRL* crl : check.crls) sk_X509_CRL_push(document_crls.get(), crl);
    X509_STORE_CTX_set0_crls(ctx.get(), document_crls.get());
  }

  X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(ctx.get());
  X509_VERIFY_PARAM_set_time(param, std::chrono::system_clock::to_time_t(check.at));
  X509_VERIFY_PARAM_set_auth_level(param, check.security_level);
  // Every anchor is a trust anchor even when it is not self-signed (a pinned member cert).
  unsigned long flags = X509_V_FLAG_PARTIAL_CHAIN;
  if (check.security_level >= 2) flags |= X509_V_FLAG_X509_STRICT;
  const bool have_crls = !material_.crls.empty() || !check.crls.empty();
  if (have_crls || crl_mode_ == CrlMode::kRequired)
    flags |= X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL;
  X509_VERIFY_PARAM_set_flags(param, flags);
  if (check.purpose != 0) X509_STORE_CTX_set_purpose(ctx.get(), check.purpose);
  VerifyState state{crl_mode_, {}};
  X509_STORE_CTX_set_ex_data(ctx.get(), state_index(), &state);

  const int verified = X509_verify_cert(ctx.get());
  if (verified != 1 && state.findings.empty())  // failed outside the callback's reach
    state.findings.push_back(Finding{X509_STORE_CTX_get_error(ctx.get()),
                                     X509_STORE_CTX_get_error_depth(ctx.get()),
                                     share(X509_STORE_CTX_get_current_cert(ctx.get()))});
  if (!state.findings.empty()) {
    ERR_clear_error();
    const Finding* worst = &state.findings.front();
    for (const auto& f : state.findings)
      if (rank(f.error) < rank(worst->error)) worst = &f;
    const X509* at = worst->cert.get();
    const std::string reason = X509_verify_cert_error_string(worst->error);
    switch (worst->error) {
      case X509_V_ERR_CERT_HAS_EXPIRED:
        return fail(ErrorCode::kCertExpired,
                    describe(at) + " expired at " +
                        format_utc_time(to_time_point(X509_get0_notAfter(at))) + " (checked at " +
                        format_utc_time(check.at) + ")");
      case X509_V_ERR_CERT_NOT_YET_VALID:
        return fail(ErrorCode::kCertExpired,
                    describe(at) + " is not valid before " +
                        format_utc_time(to_time_point(X509_get0_notBefore(at))) + " (checked at " +
                        format_utc_time(check.at) + ")");
      case X509_V_ERR_CERT_REVOKED:
        return fail(ErrorCode::kCertRevoked, describe(at) + " is revoked by its issuer's CRL");
      default:
        if (rank(worst->error) == 3)
          return fail(ErrorCode::kCertUntrusted,
                      std::string(kRevocationUnknown) + describe(at) + " unknown: " + reason);
        return fail(ErrorCode::kCertUntrusted,
                    describe(at) + ": " + reason + " (depth " + std::to_string(worst->depth) + ")");
    }
  }

  ValidatedPath path;
  path.valid_from = TimePoint::min();
  path.valid_until = have_crls ? crls_valid_until_ : TimePoint::max();
  STACK_OF(X509)* chain = X509_STORE_CTX_get0_chain(ctx.get());
  for (int i = 0; i < sk_X509_num(chain); ++i) {
    X509* cert = sk_X509_value(chain, i);
    path.valid_from = std::max(path.valid_from, to_time_point(X509_get0_notBefore(cert)));
    path.valid_until = std::min(path.valid_until, to_time_point(X509_get0_notAfter(cert)));
    path.chain.push_back(share(cert));
  }
  for (X509_CRL* crl : check.crls) {
    const ASN1_TIME* next = X509_CRL_get0_nextUpdate(crl);
    if (next != nullptr) path.valid_until = std::min(path.valid_until, to_time_point(next));
  }
  return path;
}

}  // namespace lienthong::crypto
