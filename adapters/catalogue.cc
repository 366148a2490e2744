#include "adapters/catalogue.h"

#include <fmt/format.h>

#include <algorithm>
#include <string_view>

#include "gateway/exchange/json_mapping.h"
#include "gateway/exchange/xml_mapping.h"

namespace lienthong::adapters {
namespace {

// Which kind of mapping each adapter of registry.cc loads from its `mapping` key.
enum class MappingKind { kXml, kJson };

struct Entry {
  std::string_view name;
  MappingKind kind;
};

constexpr Entry kEntries[] = {
    {"population", MappingKind::kXml},
    {"business", MappingKind::kJson},
    {"insurance", MappingKind::kJson},
    {"land", MappingKind::kXml},
};

template <class Mapping>
Result<policy::AccessPolicy::Catalogue> read(std::string_view adapter,
                                             const std::filesystem::path& file) {
  auto mapping = Mapping::load(file.string());
  if (!mapping) return tl::unexpected(mapping.error());
  return policy::AccessPolicy::Catalogue{std::string(adapter), (*mapping)->document_type,
                                         (*mapping)->field_names()};
}

}  // namespace

std::vector<std::string> catalogued_adapters() {
  std::vector<std::string> out;
  for (const auto& e : kEntries) out.emplace_back(e.name);
  return out;
}

Result<std::vector<policy::AccessPolicy::Catalogue>> catalogue_from_config(
    const toml::table& adapters, const std::filesystem::path& config_dir) {
  std::vector<policy::AccessPolicy::Catalogue> out;
  for (const auto& [name, node] : adapters) {
    const int line = static_cast<int>(node.source().begin.line);
    const auto* table = node.as_table();
    if (!table) {
      return fail(ErrorCode::kBadRequest,
                  fmt::format("line {}: [adapters.{}] must be a table", line, name.str()));
    }
    const auto* entry = std::find_if(std::begin(kEntries), std::end(kEntries),
                                     [&](const Entry& e) { return e.name == name.str(); });
    if (entry == std::end(kEntries)) {
      return fail(ErrorCode::kBadRequest,
                  fmt::format("line {}: unknown adapter '{}'", line, name.str()));
    }
    const auto* mapping = table->get_as<std::string>("mapping");
    if (!mapping) {
      return fail(ErrorCode::kBadRequest,
                  fmt::format("line {}: [adapters.{}] mapping (a file name) is required", line,
                              name.str()));
    }
    std::filesystem::path file(**mapping);
    if (file.is_relative()) file = config_dir / file;
    auto entry_catalogue = entry->kind == MappingKind::kXml
                               ? read<exchange::XmlMapping>(entry->name, file)
                               : read<exchange::JsonMapping>(entry->name, file);
    if (!entry_catalogue) {
      return fail(entry_catalogue.error().code, fmt::format("[adapters.{}] mapping: {}", name.str(),
                                                            entry_catalogue.error().detail));
    }
    out.push_back(std::move(*entry_catalogue));
  }
  return out;
}

}  // namespace lienthong::adapters
