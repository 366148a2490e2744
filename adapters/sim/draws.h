// Deterministic randomness for the SIMULATORS' data sets: every record is a pure function of
// (seed, index), so a data set of millions is computed on demand and never stored. Not for
// anything security-relevant.
#pragma once

#include <cstdint>
#include <numeric>
#include <utility>

namespace lienthong::sim {

// SplitMix64's finaliser: a bijection of 64-bit values that mixes every input bit.
constexpr uint64_t mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

constexpr uint64_t mix(uint64_t a, uint64_t b) { return mix(a ^ mix(b)); }

// The draws of one record, in a fixed order: the record is a function of the starting state.
class Draws {
 public:
  explicit Draws(uint64_t state) : state_(state) {}
  uint64_t next() { return mix(state_ += 0x632be59bd9b4e019ULL); }
  uint32_t below(uint32_t n) { return static_cast<uint32_t>(next() % n); }
  bool percent(uint32_t p) { return below(100) < p; }

 private:
  uint64_t state_;
};

// A keyed bijection of [0, n) (n ≤ 2^31): x → (a·x + b) mod n with a coprime to n. Lets a data
// set turn an index into an identifier that looks random and back again in O(1).
class AffinePermutation {
 public:
  AffinePermutation(uint64_t n, uint64_t key) : n_(n), b_(mix(key, 0xb) % n) {
    a_ = (mix(key, 0xa) % n) | 1;
    while (std::gcd(a_, n_) != 1) a_ = (a_ + 2) % n_;
    a_inverse_ = inverse(a_, n_);
  }
  uint64_t forward(uint64_t x) const { return (a_ * x + b_) % n_; }
  uint64_t backward(uint64_t y) const { return (a_inverse_ * ((y + n_ - b_) % n_)) % n_; }

 private:
  static uint64_t inverse(uint64_t a, uint64_t m) {
    int64_t t = 0, new_t = 1;
    int64_t r = static_cast<int64_t>(m), new_r = static_cast<int64_t>(a % m);
    while (new_r != 0) {
      const int64_t q = r / new_r;
      t = std::exchange(new_t, t - q * new_t);
      r = std::exchange(new_r, r - q * new_r);
    }
    return static_cast<uint64_t>(t < 0 ? t + static_cast<int64_t>(m) : t);
  }

  uint64_t n_;
  uint64_t a_ = 1;
  uint64_t b_;
  uint64_t a_inverse_ = 1;
};

}  // namespace lienthong::sim
