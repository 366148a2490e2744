// What every fuzz target says when an invariant breaks or its setup fails. A target defines
// `constexpr const char* kFuzzTarget = "<name>_fuzz";` before using FUZZ_CHECK.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string>

namespace lienthong::fuzz {

// A broken invariant is a finding: trap, so libFuzzer saves the input.
[[noreturn]] inline void violated(const char* fuzz_target, const char* what, const char* where) {
  std::fprintf(stderr, "%s: invariant violated [%s]: %s\n", fuzz_target, where, what);
  __builtin_trap();
}

// The target could not start (a seed file, a key): not a finding, so abort, not trap.
[[noreturn]] inline void setup_failed(const char* fuzz_target, const std::string& what) {
  std::fprintf(stderr, "%s: setup failed: %s\n", fuzz_target, what.c_str());
  std::abort();
}

// LIENTHONG_FUZZ_VERBOSE set: targets may print what they saw (when replaying one input).
inline bool verbose() {
  static const bool on = std::getenv("LIENTHONG_FUZZ_VERBOSE") != nullptr;
  return on;
}

}  // namespace lienthong::fuzz

#define FUZZ_CHECK(cond, where)                                             \
  do {                                                                      \
    if (!(cond)) ::lienthong::fuzz::violated(kFuzzTarget, #cond, where);    \
  } while (0)
