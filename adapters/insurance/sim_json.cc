#include "adapters/insurance/sim_json.h"

#include <nlohmann/json.hpp>

namespace lienthong::insurance::sim {

std::string render_answer(const InsuredPerson& p) {
  using nlohmann::json;
  json periods = json::array();
  for (const auto& period : p.periods) {
    json item = {{"tuThang", period.from_month},
                 {"maDonVi", period.employer_code},
                 {"tenDonVi", period.employer_name},
                 {"chucVu", period.position},
                 {"mucLuong", period.salary},
                 {"tyLe", std::stod(period.rate)}};
    item["denThang"] = period.to_month.empty() ? json(nullptr) : json(period.to_month);
    periods.push_back(std::move(item));
  }
  const auto& c = p.citizen;
  json data = {{"maSoBHXH", p.insurance_code},
               {"soDinhDanh", c.personal_id},
               {"hoTen", c.name.full()},
               {"ngaySinh", c.birth_date},
               {"gioiTinh", c.gender},
               {"diaChi", c.permanent_residence.detail},
               {"quaTrinhDong", std::move(periods)}};
  return json{{"maKetQua", "000"}, {"data", std::move(data)}}.dump();
}

std::string render_not_found() { return R"({"maKetQua":"404","data":null})"; }

}  // namespace lienthong::insurance::sim
