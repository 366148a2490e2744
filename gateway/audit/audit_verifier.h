// Checks an audit directory (format: gateway/audit/README.md) in one streaming pass: every
// entry's hash, the chain of prev links and sequence numbers across segments, then HEAD.
// Reports the first broken point. Memory does not grow with the log.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "gateway/core/error.h"

namespace lienthong::audit {

struct VerifyBreak {
  std::string file;        // segment file name, or "HEAD"
  std::uint64_t line = 0;  // 1-based line in that file
  std::uint64_t seq = 0;   // the entry's seq there (as stored or as the file name implies)
  std::string problem;     // "hash mismatch: entry modified", …
};

struct VerifyReport {
  bool ok() const { return !broken.has_value(); }
  std::uint64_t entries = 0;  // entries verified (before the break, if any)
  std::size_t segments = 0;   // segment files in the directory
  std::uint64_t last_seq = 0;
  std::string head_hash;  // hash of the last verified entry (genesis when none)
  std::optional<VerifyBreak> broken;
  std::vector<std::string> notes;  // findings that are not breaks (e.g. HEAD behind after a crash)
};

// An error (INTERNAL) only when the directory cannot be read; a broken chain is a report whose
// ok() is false.
Result<VerifyReport> verify_directory(const std::filesystem::path& dir);

}  // namespace lienthong::audit
