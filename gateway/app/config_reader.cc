#include "gateway/app/config_reader.h"

#include <fmt/format.h>

#include <algorithm>
#include <toml++/toml.h>

namespace lienthong::config {

TableReader::TableReader(const toml::table& table, std::string where,
                         std::filesystem::path base_dir)
    : table_(table), where_(std::move(where)), base_dir_(std::move(base_dir)) {}

void TableReader::problem(std::string_view key, std::string why) {
  if (!error_.empty()) return;
  const auto* node = table_.get(key);
  const auto line = node ? node->source().begin.line : table_.source().begin.line;
  error_ = fmt::format("line {}: {} {}: {}", line, where_, key, why);
}

std::optional<std::string> TableReader::string(std::string_view key, bool required) {
  known_.emplace_back(key);
  const auto* node = table_.get(key);
  if (!node) {
    if (required) problem(key, "is required");
    return std::nullopt;
  }
  if (!node->is_string()) {
    problem(key, "must be a string");
    return std::nullopt;
  }
  return std::string(**node->as_string());
}

std::optional<std::filesystem::path> TableReader::path(std::string_view key, bool required) {
  auto s = string(key, required);
  if (!s) return std::nullopt;
  if (s->empty()) {
    problem(key, "must not be empty");
    return std::nullopt;
  }
  std::filesystem::path p(*s);
  return p.is_absolute() ? p : base_dir_ / p;
}

std::optional<std::int64_t> TableReader::integer(std::string_view key, std::int64_t min,
                                                 std::int64_t max) {
  known_.emplace_back(key);
  const auto* node = table_.get(key);
  if (!node) return std::nullopt;
  if (!node->is_integer()) {
    problem(key, "must be an integer");
    return std::nullopt;
  }
  const std::int64_t v = **node->as_integer();
  if (v < min || v > max) {
    problem(key, fmt::format("must be between {} and {}", min, max));
    return std::nullopt;
  }
  return v;
}

std::optional<bool> TableReader::boolean(std::string_view key) {
  known_.emplace_back(key);
  const auto* node = table_.get(key);
  if (!node) return std::nullopt;
  if (!node->is_boolean()) {
    problem(key, "must be true or false");
    return std::nullopt;
  }
  return **node->as_boolean();
}

std::vector<std::string> TableReader::strings(std::string_view key, bool required) {
  known_.emplace_back(key);
  std::vector<std::string> out;
  const auto* node = table_.get(key);
  if (!node) {
    if (required) problem(key, "is required");
    return out;
  }
  const auto* array = node->as_array();
  if (!array) {
    problem(key, "must be a list of strings");
    return out;
  }
  for (const auto& item : *array) {
    if (!item.is_string()) {
      problem(key, "must be a list of strings");
      return {};
    }
    out.emplace_back(**item.as_string());
  }
  if (required && out.empty()) problem(key, "must not be empty");
  return out;
}

const toml::table* TableReader::table(std::string_view key) {
  known_.emplace_back(key);
  const auto* node = table_.get(key);
  if (!node) return nullptr;
  if (!node->is_table()) {
    problem(key, "must be a table");
    return nullptr;
  }
  return node->as_table();
}

Result<void> TableReader::finish() {
  for (const auto& [key, node] : table_) {
    if (std::find(known_.begin(), known_.end(), key.str()) == known_.end()) {
      problem(key.str(), "unknown key");
    }
  }
  if (!error_.empty()) return fail(ErrorCode::kBadRequest, error_);
  return {};
}

}  // namespace lienthong::config
