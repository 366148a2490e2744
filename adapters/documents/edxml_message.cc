#include "adapters/documents/edxml_message.h"

#include <algorithm>
#include <iterator>

namespace lienthong::edxml {

bool is_status_code(std::string_view code) {
  return std::find(std::begin(kStatusCodes), std::end(kStatusCodes), code) !=
         std::end(kStatusCodes);
}

}  // namespace lienthong::edxml
