#include "tools/lienthong-load/signed_bodies.h"

#include <fmt/format.h>
#include <openssl/err.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <thread>

#include "gateway/core/clock.h"
#include "gateway/crypto/jwk.h"
#include "gateway/crypto/jws_signer.h"
#include "gateway/crypto/key_material.h"

namespace lienthong::load {
namespace {

// Bodies one pre-signing thread takes at least (fewer: a thread costs more than it saves).
constexpr uint64_t kBodiesPerThread = 1000;

// 64 random bits in hex: jti values of two runs never meet, so a later run is not REPLAYED.
Result<std::string> random_run_id() {
  unsigned char bytes[8];
  if (RAND_bytes(bytes, sizeof bytes) != 1) {
    ERR_clear_error();
    return fail(ErrorCode::kInternal, "RAND_bytes failed");
  }
  std::string out;
  for (unsigned char b : bytes) out += fmt::format("{:02x}", b);
  return out;
}

// The signer of the member's key, refused unless it is the key of the --cert leaf.
Result<std::unique_ptr<const crypto::JwsSigner>> member_signer(const Options& options) {
  auto key = crypto::load_private_key(options.sign_key);
  if (!key) return fail(ErrorCode::kBadRequest, "--sign-key: " + key.error().detail);
  auto certs = crypto::load_certificates(options.cert);
  if (!certs || certs->empty()) {
    return fail(ErrorCode::kBadRequest, "--cert " + options.cert + ": " +
                                            (certs ? "no certificate" : certs.error().detail));
  }
  if (X509_check_private_key(certs->front().get(), key->get()) != 1) {
    ERR_clear_error();
    return fail(ErrorCode::kBadRequest, "--sign-key " + options.sign_key +
                                            " is not the key of the --cert leaf: the gateway "
                                            "verifies with the certificate's key");
  }
  auto jwk = crypto::Jwk::from_key(std::move(*key));
  if (!jwk) return fail(ErrorCode::kBadRequest, "--sign-key: " + jwk.error().detail);
  auto signer = crypto::JwsSigner::create(std::move(*jwk));
  if (!signer) return fail(ErrorCode::kBadRequest, "--sign-key: " + signer.error().detail);
  return signer;
}

}  // namespace

uint64_t default_presign_count(const Options& o) {
  uint64_t n = 0;
  if (o.open_loop()) {
    // Sends before the window closes, in both phases; a connection's own rounding can add one.
    const uint64_t slack = static_cast<uint64_t>(o.connections);
    const auto warmup = static_cast<uint64_t>(std::ceil(o.rate * o.warmup_s));
    n = o.requests > 0 ? o.requests + warmup + slack : kMaxPresign;
    if (const auto window = o.window_s()) {
      const auto timed = static_cast<uint64_t>(std::ceil(o.rate * (o.warmup_s + *window)));
      n = std::min(n, timed + slack);
    }
  } else if (o.requests > 0) {
    // The warm-up of a closed loop sends as fast as it is answered: no telling how many.
    n = o.warmup_s > 0 ? o.requests + kDefaultPresign : o.requests;
  } else {
    n = kDefaultPresign;
  }
  return std::clamp<uint64_t>(n, 1, kMaxPresign);
}

std::string signed_lookup_payload(std::string_view subject_id, std::string_view document_type,
                                  std::optional<int64_t> max_age_s, int64_t iat,
                                  std::string_view jti) {
  std::string payload = lookup_json_body(subject_id, document_type, max_age_s);
  payload.pop_back();  // the closing brace; jti is printable ASCII without '"' or '\'
  payload += fmt::format(R"(,"iat":{},"jti":"{}"}})", iat, jti);
  return payload;
}

Result<std::unique_ptr<SignedBodies>> SignedBodies::presign(const Options& options,
                                                            SubjectSource& subjects) {
  auto signer = member_signer(options);
  if (!signer) return tl::unexpected(signer.error());
  auto run_id = random_run_id();
  if (!run_id) return tl::unexpected(run_id.error());

  const uint64_t count = options.presign > 0 ? options.presign : default_presign_count(options);
  const auto started = SteadyClock::now();
  const int64_t iat = std::chrono::duration_cast<std::chrono::seconds>(
                          SystemClock::instance()->now().time_since_epoch())
                          .count();
  std::unique_ptr<SignedBodies> out(new SignedBodies());
  out->alg_ = crypto::jws_alg_name((*signer)->alg());
  // Subjects in request order first (SubjectSource counts them), then the signing in parallel.
  out->bodies_.reserve(count);
  for (uint64_t i = 0; i < count; ++i) out->bodies_.push_back(subjects.next());

  const uint64_t threads = std::clamp<uint64_t>(count / kBodiesPerThread, 1,
                                                std::max(1U, std::thread::hardware_concurrency()));
  std::vector<std::optional<Error>> errors(threads);
  std::vector<std::thread> pool;
  for (uint64_t t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      const crypto::JwsSigner& s = **signer;
      for (uint64_t i = t; i < count; i += threads) {
        std::string& body = out->bodies_[i];
        auto jws = s.sign(signed_lookup_payload(body, options.document_type, options.max_age_s, iat,
                                                fmt::format("{}-{}", *run_id, i)));
        if (!jws) {
          errors[t] = jws.error();
          return;
        }
        body = std::move(*jws);
      }
    });
  }
  for (auto& thread : pool) thread.join();
  for (const auto& error : errors) {
    if (error) return fail(error->code, "signing a request: " + error->detail);
  }
  out->presign_s_ = std::chrono::duration<double>(SteadyClock::now() - started).count();
  return out;
}

const std::string* SignedBodies::take() {
  const uint64_t n = next_.fetch_add(1, std::memory_order_relaxed);
  return n < bodies_.size() ? &bodies_[n] : nullptr;
}

SigningReport SignedBodies::report() const {
  const uint64_t taken = next_.load(std::memory_order_relaxed);
  return SigningReport{.alg = alg_,
                       .presigned = bodies_.size(),
                       .used = std::min<uint64_t>(taken, bodies_.size()),
                       .presign_s = presign_s_,
                       .exhausted = taken > bodies_.size()};
}

}  // namespace lienthong::load
