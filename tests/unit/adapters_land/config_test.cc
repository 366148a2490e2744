// [adapters.land] and mappings/land.toml are checked at startup: an unknown key or field is
// refused, a mapping the adapter cannot check answers with is refused, and the adapter is in
// the registry and the catalogue.
#include <gtest/gtest.h>

#include <fstream>

#include "adapters/catalogue.h"
#include "adapters/land/adapter.h"
#include "adapters/land/config.h"
#include "adapters/registry.h"
#include "tests/support/mocks.h"
#include "tests/support/test_pki.h"

namespace lienthong::adapters::land {
namespace {

std::string read(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

const std::string kMappingPath = std::string(LIENTHONG_SOURCE_DIR) + "/mappings/land.toml";

TEST(LandConfig, UnknownKeyIsRefused) {
  auto table = toml::parse(R"toml(
url = "https://127.0.0.1:1/dat-dai/TraCuuThuaDat"
mapping = "land.toml"
commune_codes = "communes.csv"
upstream_ca = "ca.crt"
client_certificate = "c.pem"
client_key = "c.key"
signer_trust = "trust"
trusted_signers = ["lienthong-sim land (SIMULATOR)"]
x_road_client = "VN/GOV/000.00.00.G22/LIENTHONG"
ma_dvc = "LIENTHONG-DEV"
so_dinh_danh_can_bo = "x"
)toml");
  AdapterContext context{"/nonexistent", std::make_shared<InlineExecutor>(),
                         SystemClock::instance()};
  auto built = build_from_config(table, context);
  ASSERT_FALSE(built);
  EXPECT_NE(built.error().detail.find("so_dinh_danh_can_bo"), std::string::npos)
      << built.error().detail;
}

TEST(LandConfig, MissingCommuneCodesIsRefused) {
  auto table = toml::parse(R"toml(
url = "https://127.0.0.1:1/dat-dai/TraCuuThuaDat"
mapping = "land.toml"
upstream_ca = "ca.crt"
client_certificate = "c.pem"
client_key = "c.key"
signer_trust = "trust"
trusted_signers = ["lienthong-sim land (SIMULATOR)"]
x_road_client = "VN/GOV/000.00.00.G22/LIENTHONG"
ma_dvc = "LIENTHONG-DEV"
)toml");
  AdapterContext context{"/nonexistent", std::make_shared<InlineExecutor>(),
                         SystemClock::instance()};
  auto built = build_from_config(table, context);
  ASSERT_FALSE(built);
  EXPECT_NE(built.error().detail.find("commune_codes"), std::string::npos) << built.error().detail;
}

TEST(LandMapping, LoadsAndOffersOneDocumentType) {
  auto mapping = exchange::XmlMapping::load(kMappingPath);
  ASSERT_TRUE(mapping) << mapping.error().detail;
  EXPECT_EQ((*mapping)->document_type, "DD01");
  EXPECT_EQ((*mapping)->ns, kLandNs);
  EXPECT_EQ((*mapping)->record_element, "HoSo");
}

TEST(LandMapping, UnknownKeyInAFieldIsRefused) {
  std::string text = read(kMappingPath);
  ASSERT_FALSE(text.empty());
  text += "\n[[field]]\nname = \"thua_dat.extra\"\npath = \"ThuaDat/Extra\"\nformat = \"x\"\n";
  auto mapping = exchange::XmlMapping::parse(text, "land.toml");
  ASSERT_FALSE(mapping);
  EXPECT_NE(mapping.error().detail.find("land.toml:"), std::string::npos);
}

TEST(LandMapping, TheAdapterRefusesAMappingWithoutTheKeyFields) {
  std::string text = read(kMappingPath);
  const size_t at = text.find("name = \"gcn.so_phat_hanh\"");
  ASSERT_NE(at, std::string::npos);
  text.replace(at, std::string_view("name = \"gcn.so_phat_hanh\"").size(), "name = \"gcn.serial\"");
  auto mapping = exchange::XmlMapping::parse(text, "land.toml");
  ASSERT_TRUE(mapping) << mapping.error().detail;
  auto config = std::make_shared<LandConfig>();
  config->url = "https://127.0.0.1:1/x";
  config->ma_dvc = "D";
  config->x_road_client = "C";
  config->trusted_signers = {"S"};
  auto communes = CommuneCodeTable::parse_csv("00001,00001\n", "t");
  ASSERT_TRUE(communes);
  crypto::XmlVerifierConfig vc;
  vc.trust = testing::trust_store("ec");
  auto verifier = crypto::XmlDsigVerifier::create(std::move(vc));
  ASSERT_TRUE(verifier);
  auto created =
      LandAdapter::create({config, std::make_shared<const CommuneCodeTable>(std::move(*communes)),
                           std::make_shared<testing::MockHttpClient>(), *verifier, *mapping,
                           std::make_shared<InlineExecutor>(), SystemClock::instance()});
  ASSERT_FALSE(created);
  EXPECT_NE(created.error().detail.find("gcn.so_phat_hanh"), std::string::npos);
}

TEST(LandRegistry, ListedInTheRegistryAndTheCatalogue) {
  bool registered = false;
  for (const auto& e : registry()) registered = registered || e.name == "land";
  EXPECT_TRUE(registered);
  auto names = catalogued_adapters();
  EXPECT_NE(std::find(names.begin(), names.end(), "land"), names.end());
  auto adapters = toml::parse("[land]\nmapping = \"" + kMappingPath + "\"\n");
  auto catalogue = catalogue_from_config(adapters, "/");
  ASSERT_TRUE(catalogue) << catalogue.error().detail;
  ASSERT_EQ(catalogue->size(), 1u);
  EXPECT_EQ(catalogue->front().document_type, "DD01");
}

}  // namespace
}  // namespace lienthong::adapters::land
