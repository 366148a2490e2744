// The social-insurance SIMULATOR's answers (schemas/json/insurance-answer.schema.json).
#pragma once

#include <string>

#include "adapters/insurance/insured_dataset.h"

namespace lienthong::insurance::sim {

std::string render_answer(const InsuredPerson& person);

// No insured person under that code or personal ID.
std::string render_not_found();

}  // namespace lienthong::insurance::sim
