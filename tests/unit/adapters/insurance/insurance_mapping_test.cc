// mappings/insurance.toml against its schema and the simulator's answers.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "adapters/insurance/sim_json.h"
#include "gateway/exchange/json_mapping.h"

namespace lienthong::insurance::sim {
namespace {

std::string field(const RecordFields& fields, const std::string& name) {
  for (const auto& [n, v] : fields)
    if (n == name) return v;
  return "<absent>";
}

TEST(InsuranceMapping, ReadsBackThePersonAndEveryPeriod) {
  auto mapping =
      exchange::JsonMapping::load(std::string(LIENTHONG_SOURCE_DIR) + "/mappings/insurance.toml");
  ASSERT_TRUE(mapping) << mapping.error().detail;
  EXPECT_EQ((*mapping)->document_type, "BH01");

  const auto citizens = std::make_shared<const population::sim::CitizenDataset>();
  const InsuredDataset insured(citizens,
                               std::make_shared<const business::sim::EnterpriseDataset>(citizens));
  int checked_periods = 0;
  for (uint64_t i = 0; i < 400; ++i) {
    const InsuredPerson p = insured.at(i * 2477);
    auto fields = (*mapping)->apply(nlohmann::json::parse(render_answer(p)));
    ASSERT_TRUE(fields) << p.insurance_code << ": " << fields.error().detail;
    EXPECT_EQ(field(*fields, "ma_so_bhxh"), p.insurance_code);
    EXPECT_EQ(field(*fields, "so_dinh_danh"), p.citizen.personal_id);
    EXPECT_EQ(field(*fields, "ho_ten"), p.citizen.name.full());
    for (size_t k = 0; k < p.periods.size(); ++k) {
      const auto& period = p.periods[k];
      const std::string n = "qua_trinh." + std::to_string(k + 1) + ".";
      EXPECT_EQ(field(*fields, n + "tu_thang"), period.from_month);
      EXPECT_EQ(field(*fields, n + "den_thang"),
                period.to_month.empty() ? "<absent>" : period.to_month);
      EXPECT_EQ(field(*fields, n + "ma_don_vi"), period.employer_code);
      EXPECT_EQ(field(*fields, n + "muc_luong"), std::to_string(period.salary));
      EXPECT_EQ(field(*fields, n + "ty_le"), "0.32");
      ++checked_periods;
    }
    EXPECT_EQ(field(*fields, "qua_trinh." + std::to_string(p.periods.size() + 1) + ".tu_thang"),
              "<absent>");
  }
  EXPECT_GT(checked_periods, 300);

  auto none = (*mapping)->apply(nlohmann::json::parse(render_not_found()));
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code, ErrorCode::kNotFound);
}

}  // namespace
}  // namespace lienthong::insurance::sim
