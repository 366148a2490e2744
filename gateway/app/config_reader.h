// Reading the gateway's TOML configuration strictly: unknown keys are refused with their line,
// required values named, relative paths resolved against the config file's folder. Used by
// gateway/app and the adapters' config parsers; startup only.
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/core/error.h"

#include <toml++/toml.h>

namespace lienthong::config {

class TableReader {
 public:
  // `where` names the table in messages, e.g. "[adapters.population]".
  TableReader(const toml::table& table, std::string where, std::filesystem::path base_dir);

  // Each getter records the key as known; finish() then refuses any other key.
  std::optional<std::string> string(std::string_view key, bool required = false);
  std::optional<std::filesystem::path> path(std::string_view key, bool required = false);
  std::optional<std::int64_t> integer(std::string_view key, std::int64_t min, std::int64_t max);
  std::optional<bool> boolean(std::string_view key);
  std::vector<std::string> strings(std::string_view key, bool required = false);
  const toml::table* table(std::string_view key);

  // The first problem met (a wrong type, a missing key, or an unknown key), or OK.
  Result<void> finish();

 private:
  void problem(std::string_view key, std::string why);

  const toml::table& table_;
  std::string where_;
  std::filesystem::path base_dir_;
  std::vector<std::string> known_;
  std::string error_;
};

}  // namespace lienthong::config
