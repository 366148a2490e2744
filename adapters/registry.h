// The one explicit list of adapters (STYLE.md §2): each line names an adapter and the function
// that builds it from its [adapters.<name>] table. No self-registering statics.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "gateway/core/clock.h"
#include "gateway/core/executor.h"
#include "gateway/exchange/adapter.h"

#include <toml++/toml.h>

namespace lienthong::adapters {

// What every adapter may be given besides its own table.
struct AdapterContext {
  std::filesystem::path config_dir;  // relative paths in the table are relative to this
  Executor::Ptr executor;
  Clock::Ptr clock;
};

using AdapterFactory =
    std::function<Result<exchange::Adapter::Ptr>(const toml::table&, const AdapterContext&)>;

struct AdapterEntry {
  std::string name;
  AdapterFactory build;
};

const std::vector<AdapterEntry>& registry();

// Builds every adapter that has a table under [adapters]; an unknown name is refused.
Result<std::vector<exchange::Adapter::Ptr>> build_adapters(const toml::table& adapters,
                                                           const AdapterContext& context);

}  // namespace lienthong::adapters
