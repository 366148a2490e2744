// The catalogue `lienthong policy` reads from a gateway config's mappings, without building
// the adapters (no secrets, no upstream).
#include "adapters/catalogue.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include "adapters/registry.h"

namespace lienthong::adapters {
namespace {

const std::filesystem::path kSource = LIENTHONG_SOURCE_DIR;

toml::table adapters(std::string_view text) { return toml::parse(text); }

TEST(AdapterCatalogue, KnowsEveryRegisteredAdapter) {
  auto known = catalogued_adapters();
  for (const auto& entry : registry()) {
    EXPECT_NE(std::find(known.begin(), known.end(), entry.name), known.end())
        << entry.name << " is in registry.cc but not in adapters/catalogue.cc";
  }
}

TEST(AdapterCatalogue, ReadsTheMappingsOnly) {
  // Secrets and trust files named here do not exist: they are not read.
  auto table = adapters(R"(
[population]
mapping = "mappings/population.toml"
secret_file = "/nonexistent/secret"
[business]
mapping = "mappings/business.toml"
client_secret_file = "/nonexistent/secret"
[insurance]
mapping = "mappings/insurance.toml"
)");
  auto catalogue = catalogue_from_config(table, kSource);
  ASSERT_TRUE(catalogue) << catalogue.error().detail;
  ASSERT_EQ(catalogue->size(), 3u);
  std::map<std::string, policy::AccessPolicy::Catalogue> by_adapter;
  for (const auto& c : *catalogue) by_adapter[c.adapter] = c;
  const auto& population = by_adapter["population"];
  EXPECT_EQ(population.document_type, "CD01");
  EXPECT_NE(std::find(population.fields.begin(), population.fields.end(), "ho_va_ten"),
            population.fields.end());
  EXPECT_EQ(by_adapter["business"].document_type, "DN01");
  EXPECT_EQ(by_adapter["insurance"].document_type, "BH01");
}

TEST(AdapterCatalogue, RefusesUnknownAdapterAndMissingMapping) {
  auto unknown = catalogue_from_config(adapters("[weather]\nmapping = \"x.toml\"\n"), kSource);
  ASSERT_FALSE(unknown);
  EXPECT_NE(unknown.error().detail.find("unknown adapter 'weather'"), std::string::npos);
  auto none = catalogue_from_config(adapters("[population]\nurl = \"https://x\"\n"), kSource);
  ASSERT_FALSE(none);
  EXPECT_NE(none.error().detail.find("mapping"), std::string::npos);
  auto missing =
      catalogue_from_config(adapters("[population]\nmapping = \"nope.toml\"\n"), kSource);
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().detail.find("[adapters.population] mapping"), std::string::npos);
}

}  // namespace
}  // namespace lienthong::adapters
