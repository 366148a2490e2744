#include "adapters/business/sim_json.h"

#include <nlohmann/json.hpp>

namespace lienthong::business::sim {
namespace {

using nlohmann::json;

json activities_of(const Enterprise& e) {
  json out = json::array();
  for (const auto& a : e.activities)
    out.push_back({{"CODE", a.code}, {"IS_MAIN", a.main}, {"NAME", a.name}});
  return out;
}

}  // namespace

std::string render_answer(const Enterprise& e, AnswerShape shape) {
  if (shape == AnswerShape::kFlat) {
    json flat = {{"ENTERPRISE_ID", std::to_string(e.index + 1)},
                 {"NAME", e.name},
                 {"ENTERPRISE_GDT_CODE", e.code},
                 {"ENTERPRISE_TYPE_ID", e.type_id},
                 {"ENTERPRISE_TYPE_NAME", e.type_name},
                 {"FOUNDING_DATE", e.founding_date},
                 {"CAPITAL_AMOUNT", e.capital},
                 {"DiaChiTruSoChinh", {{"AddressFullText", e.address}}},
                 {"businessActivity", activities_of(e)}};
    return flat.dump();
  }
  json reps = json::array();
  for (const auto& r : e.representatives)
    reps.push_back({{"FULL_NAME", r.full_name}, {"POSITION", r.position}, {"ID_NUMBER", r.personal_id}});
  json data = {{"MainInformation",
                {{"NAME", e.name},
                 {"ENTERPRISE_GDT_CODE", e.code},
                 {"ENTERPRISE_TYPE_ID", e.type_id},
                 {"ENTERPRISE_TYPE_NAME", e.type_name},
                 {"ENTERPRISE_STATUS_NAME", e.status},
                 {"FOUNDING_DATE", e.founding_date},
                 {"CAPITAL_AMOUNT", e.capital}}},
               {"HOAdress", {{"AddressFullText", e.address}}},
               {"Representatives", reps.size() == 1 ? reps[0] : reps},
               {"businessActivity", activities_of(e)}};
  return json{{"Data", data}}.dump();
}

std::string render_not_found(AnswerShape shape) {
  return shape == AnswerShape::kFlat ? "{}" : R"({"Data":null})";
}

}  // namespace lienthong::business::sim
