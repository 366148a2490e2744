#include "gateway/core/record.h"

#include <algorithm>

namespace lienthong {

const std::string* find_field(const RecordFields& fields, std::string_view name) {
  auto it = std::lower_bound(fields.begin(), fields.end(), name,
                             [](const auto& field, std::string_view n) { return field.first < n; });
  return it != fields.end() && it->first == name ? &it->second : nullptr;
}

std::string field_template(std::string_view name) {
  std::string out;
  out.reserve(name.size() + 4);
  size_t start = 0;
  while (start <= name.size()) {
    const size_t dot = name.find('.', start);
    const std::string_view segment =
        name.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    const bool number = !segment.empty() && start > 0 &&
                        std::all_of(segment.begin(), segment.end(),
                                    [](char c) { return c >= '0' && c <= '9'; });
    if (number) {
      out += "[]";  // replaces ".<n>": the dot before it was already written; drop it
      out.erase(out.size() - 3, 1);
    } else {
      out.append(segment);
    }
    if (dot == std::string_view::npos) break;
    out += '.';
    start = dot + 1;
  }
  return out;
}

}  // namespace lienthong
