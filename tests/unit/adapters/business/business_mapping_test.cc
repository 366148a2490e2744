// mappings/business.toml against the schema it names and the simulator's answers: the shipped
// mapping loads, and reads back what the simulator put in, from both answer shapes.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "adapters/business/sim_json.h"
#include "gateway/exchange/json_mapping.h"

namespace lienthong::business::sim {
namespace {

std::shared_ptr<const exchange::JsonMapping> shipped_mapping() {
  static const auto mapping = [] {
    auto m = exchange::JsonMapping::load(std::string(LIENTHONG_SOURCE_DIR) + "/mappings/business.toml");
    if (!m) throw std::runtime_error(m.error().detail);
    return *m;
  }();
  return mapping;
}

const EnterpriseDataset& dataset() {
  static const EnterpriseDataset data(std::make_shared<const population::sim::CitizenDataset>());
  return data;
}

std::string field(const RecordFields& fields, const std::string& name) {
  for (const auto& [n, v] : fields)
    if (n == name) return v;
  return "<absent>";
}

// An enterprise with one representative and one with several: both shapes of Representatives.
std::pair<Enterprise, Enterprise> one_and_many() {
  std::optional<Enterprise> one, many;
  for (uint64_t i = 0; (!one || !many) && i < 1000; ++i) {
    Enterprise e = dataset().at(i);
    if (e.representatives.size() == 1 && !one) one = e;
    if (e.representatives.size() > 1 && !many) many = e;
  }
  return {*one, *many};
}

TEST(BusinessMapping, TheShippedMappingLoadsAgainstItsSchema) {
  auto m = shipped_mapping();
  EXPECT_EQ(m->document_type, "DN01");
  EXPECT_GE(m->fields.size(), 12u);
}

TEST(BusinessMapping, ReadsTheSimulatorsNestedAnswersWhateverRepresentativesIs) {
  auto m = shipped_mapping();
  const auto [one, many] = one_and_many();
  for (const Enterprise& e : {one, many}) {
    SCOPED_TRACE(e.code);
    auto fields = m->apply(nlohmann::json::parse(render_answer(e)));
    ASSERT_TRUE(fields) << fields.error().detail;
    EXPECT_EQ(field(*fields, "ma_so_doanh_nghiep"), e.code);
    EXPECT_EQ(field(*fields, "ten"), e.name);
    EXPECT_EQ(field(*fields, "loai_hinh.ten"), e.type_name);
    EXPECT_EQ(field(*fields, "tinh_trang"), e.status);
    EXPECT_EQ(field(*fields, "ngay_thanh_lap"), e.founding_date);
    EXPECT_EQ(field(*fields, "von_dieu_le"), std::to_string(e.capital));
    EXPECT_EQ(field(*fields, "tru_so.dia_chi"), e.address);
    std::string names;
    for (size_t i = 0; i < e.representatives.size(); ++i) {
      const auto& r = e.representatives[i];
      names += (i ? ", " : "") + r.full_name;
      const std::string n = std::to_string(i + 1);
      EXPECT_EQ(field(*fields, "dai_dien." + n + ".ho_ten"), r.full_name);
      EXPECT_EQ(field(*fields, "dai_dien." + n + ".chuc_danh"), r.position);
      EXPECT_EQ(field(*fields, "dai_dien." + n + ".so_dinh_danh"), r.personal_id);
    }
    EXPECT_EQ(field(*fields, "nguoi_dai_dien"), names);
    EXPECT_EQ(field(*fields, "nganh_nghe.1.ma"), e.activities[0].code);
  }
}

TEST(BusinessMapping, ReadsTheFlatShapeAndSaysNotFoundForNoRecord) {
  auto m = shipped_mapping();
  const Enterprise e = dataset().at(42);
  auto fields = m->apply(nlohmann::json::parse(render_answer(e, AnswerShape::kFlat)));
  ASSERT_TRUE(fields) << fields.error().detail;
  EXPECT_EQ(field(*fields, "ma_so_doanh_nghiep"), e.code);
  EXPECT_EQ(field(*fields, "ten"), e.name);
  EXPECT_EQ(field(*fields, "tru_so.dia_chi"), e.address);
  EXPECT_EQ(field(*fields, "nguoi_dai_dien"), "<absent>");  // not in the flat shape

  // Shape one without a record: the required code is missing. The adapter tells "not found"
  // from the answer's Data:null before mapping; the mapping alone calls it a broken answer.
  auto none = m->apply(nlohmann::json::parse(render_not_found()));
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code, ErrorCode::kUpstreamUnavailable);
}

}  // namespace
}  // namespace lienthong::business::sim
