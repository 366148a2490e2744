#include "gateway/core/record.h"

#include <algorithm>

namespace lienthong {

const std::string* find_field(const RecordFields& fields, std::string_view name) {
  auto it = std::lower_bound(fields.begin(), fields.end(), name,
                             [](const auto& field, std::string_view n) { return field.first < n; });
  return it != fields.end() && it->first == name ? &it->second : nullptr;
}

}  // namespace lienthong
