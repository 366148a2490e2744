// Commune codes with their effective date. QĐ 19/2025/QĐ-TTg merged communes from 2025-07-01
// (two levels, 3,321 communes, still 5 digits), so a parcel recorded or written on a form before
// then may carry a retired code. This table maps every pre-merger code to the code in force
// now; the adapter normalises a subject with it before asking, so one parcel has one key.
//
// The table is read from a CSV file named by [adapters.land] commune_codes. The file shipped in
// this folder (communes-synthetic.csv) is the SIMULATOR's synthetic table, not the official one.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "gateway/core/error.h"

namespace lienthong::adapters::land {

// The first day the post-merger codes are in force.
inline constexpr std::string_view kCommuneCodesChanged = "2025-07-01";

class CommuneCodeTable {
 public:
  // Lines "old,new" (two 5-digit codes); '#' starts a comment line; blank lines are skipped.
  // A code that is current must map to itself (QĐ 19/2025 kept one merged commune's code), so
  // every current code appears as some old code's target. BAD_REQUEST "<source>:<line>: why".
  static Result<CommuneCodeTable> parse_csv(std::string_view text, std::string_view source);
  static Result<CommuneCodeTable> load(const std::string& path);

  // The code in force now for `code` read as of `as_of` (YYYY-MM-DD), or as of any date when
  // nullopt:
  //  - as_of before 2025-07-01: `code` must be a pre-merger code; its successor is returned;
  //  - as_of on or after 2025-07-01: `code` must be current; a retired one is refused naming
  //    its successor (the caller said the code was in force when it was not);
  //  - no date: either kind is accepted. Unambiguous here because a reused code maps to itself.
  // BAD_REQUEST for an unknown code.
  Result<std::string> resolve(std::string_view code,
                              std::optional<std::string_view> as_of = std::nullopt) const;

  bool is_current(std::string_view code) const { return current_.count(std::string(code)) > 0; }
  size_t old_codes() const { return successor_.size(); }
  size_t current_codes() const { return current_.size(); }

 private:
  std::map<std::string, std::string, std::less<>> successor_;  // every pre-merger code
  std::set<std::string, std::less<>> current_;
};

}  // namespace lienthong::adapters::land
