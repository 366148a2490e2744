#include "adapters/land/commune_codes.h"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <sstream>

namespace lienthong::adapters::land {
namespace {

bool is_code(std::string_view s) {
  return s.size() == 5 &&
         std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

}  // namespace

Result<CommuneCodeTable> CommuneCodeTable::parse_csv(std::string_view text,
                                                     std::string_view source) {
  CommuneCodeTable table;
  int line_number = 0;
  while (!text.empty()) {
    const size_t end = text.find('\n');
    const std::string_view line = trim(text.substr(0, end));
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    ++line_number;
    if (line.empty() || line.front() == '#') continue;
    const size_t comma = line.find(',');
    const std::string_view old_code = trim(line.substr(0, comma));
    const std::string_view new_code =
        comma == std::string_view::npos ? std::string_view() : trim(line.substr(comma + 1));
    if (!is_code(old_code) || !is_code(new_code)) {
      return fail(ErrorCode::kBadRequest,
                  fmt::format("{}:{}: expected \"old,new\", two 5-digit commune codes", source,
                              line_number));
    }
    if (!table.successor_.emplace(old_code, new_code).second) {
      return fail(ErrorCode::kBadRequest, fmt::format("{}:{}: commune code {} is listed twice",
                                                      source, line_number, old_code));
    }
    table.current_.emplace(new_code);
  }
  if (table.successor_.empty()) {
    return fail(ErrorCode::kBadRequest, fmt::format("{}: no commune codes", source));
  }
  // A current code that is also a pre-merger code must be its own successor; otherwise the
  // code alone could name two units and only the date would tell them apart.
  for (const auto& code : table.current_) {
    auto it = table.successor_.find(code);
    if (it == table.successor_.end() || it->second != code) {
      return fail(ErrorCode::kBadRequest,
                  fmt::format("{}: current code {} must also be listed as \"{},{}\"", source, code,
                              code, code));
    }
  }
  return table;
}

Result<CommuneCodeTable> CommuneCodeTable::load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(ErrorCode::kBadRequest, fmt::format("cannot read {}", path));
  std::ostringstream text;
  text << in.rdbuf();
  return parse_csv(text.str(), path);
}

Result<std::string> CommuneCodeTable::resolve(std::string_view code,
                                              std::optional<std::string_view> as_of) const {
  auto it = successor_.find(code);
  if (it == successor_.end()) {
    return fail(ErrorCode::kBadRequest, fmt::format("unknown commune code {}", code));
  }
  if (as_of && *as_of >= kCommuneCodesChanged && it->second != code) {
    return fail(ErrorCode::kBadRequest,
                fmt::format("commune code {} was retired on {} (QĐ 19/2025); it is now {}", code,
                            kCommuneCodesChanged, it->second));
  }
  return it->second;
}

}  // namespace lienthong::adapters::land
