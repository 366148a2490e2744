// The enterprise-registry SIMULATOR's answers to chiTietDoanhNghiep?msdn=, in the two shapes of
// ../shared/FORMATS.md §4 (schemas/json/business-answer.schema.json). Shape one puts
// `Representatives` as an object when there is one and an array when there are more, as the
// real registry is documented to do.
#pragma once

#include <string>

#include "adapters/business/enterprise_dataset.h"

namespace lienthong::business::sim {

enum class AnswerShape { kNested, kFlat };

std::string render_answer(const Enterprise& enterprise, AnswerShape shape = AnswerShape::kNested);

// No enterprise with that code: `{"Data":null}` (shape one) or `{}` (flat).
std::string render_not_found(AnswerShape shape = AnswerShape::kNested);

}  // namespace lienthong::business::sim
