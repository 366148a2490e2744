#include "gateway/core/request_id.h"

#include <openssl/rand.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstring>

#include "gateway/core/log.h"

namespace lienthong {

namespace {

constexpr size_t kIdBytes = 16;
// One RAND_bytes call per 64 ids: the DRBG call costs far more than the copy.
constexpr size_t kBatch = 64;

struct RandomPool {
  std::array<unsigned char, kIdBytes * kBatch> bytes{};
  size_t used = bytes.size();
};

// Should the DRBG ever fail, ids stay unique (time, thread, counter) though guessable: they
// correlate logs, they authorise nothing.
void fallback_bytes(unsigned char* out) {
  static std::atomic<std::uint64_t> counter{0};
  const std::uint64_t a =
      static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
  const std::uint64_t b =
      counter.fetch_add(1, std::memory_order_relaxed) ^ reinterpret_cast<std::uintptr_t>(&counter);
  std::memcpy(out, &a, 8);
  std::memcpy(out + 8, &b, 8);
}

}  // namespace

std::string new_request_id() {
  thread_local RandomPool pool;
  unsigned char id[kIdBytes];
  if (pool.used == pool.bytes.size()) {
    if (RAND_bytes(pool.bytes.data(), static_cast<int>(pool.bytes.size())) == 1) {
      pool.used = 0;
    } else {
      LT_LOG(error, "RAND_bytes failed: request ids fall back to a counter");
    }
  }
  if (pool.used < pool.bytes.size()) {
    std::memcpy(id, pool.bytes.data() + pool.used, kIdBytes);
    std::memset(pool.bytes.data() + pool.used, 0, kIdBytes);  // each id is handed out once
    pool.used += kIdBytes;
  } else {
    fallback_bytes(id);
  }
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(kIdBytes * 2, '0');
  for (size_t i = 0; i < kIdBytes; ++i) {
    out[2 * i] = kDigits[id[i] >> 4];
    out[2 * i + 1] = kDigits[id[i] & 0xf];
  }
  return out;
}

}  // namespace lienthong
