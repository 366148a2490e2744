// Deterministic randomness for the SIMULATORS' data sets: every record is a pure function of
// (seed, index), so a data set of millions is computed on demand and never stored. Not for
// anything security-relevant.
#pragma once

#include <cstdint>

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

}  // namespace lienthong::sim
