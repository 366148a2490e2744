#include "adapters/registry.h"

#include <fmt/format.h>

#include <toml++/toml.h>

#include "adapters/business/config.h"
#include "adapters/insurance/config.h"
#include "adapters/land/config.h"
#include "adapters/population/config.h"

namespace lienthong::adapters {

const std::vector<AdapterEntry>& registry() {
  static const std::vector<AdapterEntry> entries = {
      {"population", &population::build_from_config},
      {"business", &business::build_from_config},
      {"insurance", &insurance::build_from_config},
      {"land", &land::build_from_config},
  };
  return entries;
}

Result<std::vector<exchange::Adapter::Ptr>> build_adapters(const toml::table& adapters,
                                                           const AdapterContext& context) {
  std::vector<exchange::Adapter::Ptr> built;
  for (const auto& [name, node] : adapters) {
    const auto* table = node.as_table();
    if (!table) {
      return fail(ErrorCode::kBadRequest,
                  fmt::format("line {}: [adapters.{}] must be a table", node.source().begin.line,
                              name.str()));
    }
    const AdapterEntry* entry = nullptr;
    for (const auto& e : registry()) {
      if (e.name == name.str()) entry = &e;
    }
    if (!entry) {
      return fail(ErrorCode::kBadRequest, fmt::format("line {}: unknown adapter '{}'",
                                                      node.source().begin.line, name.str()));
    }
    auto adapter = entry->build(*table, context);
    if (!adapter) return tl::unexpected(adapter.error());
    built.push_back(std::move(*adapter));
  }
  return built;
}

}  // namespace lienthong::adapters
