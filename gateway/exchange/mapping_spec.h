// What every mappings/<adapter>.toml says, whatever the upstream's format (DESIGN.md §2
// mappings/): the document type it produces, how long a record stays fresh, and one [[field]]
// per canonical field with the upstream path(s) it comes from and the shape of its value.
// XmlMapping and JsonMapping add their format's own [document] keys and path rules on top.
// Every refusal names "<file>:<line>: why", at startup.
#pragma once

#include <chrono>
#include <initializer_list>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/core/error.h"

namespace lienthong::exchange {

enum class FieldType {
  kText,     // as written, whitespace trimmed
  kDigits,   // only ASCII digits (codes, identifiers)
  kDecimal,  // digits with at most one '.' and digits after it (amounts, rates)
  kDate,     // yyyyMMdd or yyyy-MM-dd upstream, a real calendar date → YYYY-MM-DD
  kMonth,    // yyyyMM or yyyy-MM upstream → YYYY-MM
  kYear,     // yyyy
};

std::string_view field_type_name(FieldType type);

struct FieldMapping {
  std::string name;                // canonical dotted name
  std::vector<std::string> paths;  // upstream paths, in the format's own syntax
  std::string join = " ";          // between the non-empty values of several paths
  FieldType type = FieldType::kText;
  bool required = false;
  int line = 0;  // of its [[field]] table, for messages
};

// A [document] key a format adds, with where it was written.
struct DocumentKey {
  std::string value;
  int line = 0;
};

struct MappingSpec {
  std::string source;         // file name, for messages
  std::string document_type;  // e.g. "CD01"
  std::string description;
  std::chrono::seconds ttl{0};
  std::map<std::string, DocumentKey> format_keys;  // the format's own [document] keys
  std::vector<FieldMapping> fields;

  // `required_keys` must be present and non-empty in [document]; `optional_keys` may be.
  // Any other key anywhere is refused.
  static Result<MappingSpec> parse(std::string_view toml, std::string_view source,
                                   std::initializer_list<std::string_view> required_keys,
                                   std::initializer_list<std::string_view> optional_keys = {});
  static Result<std::string> read_file(const std::string& path);

  std::vector<std::string> field_names() const { return sorted_names(fields); }

  static std::vector<std::string> sorted_names(const std::vector<FieldMapping>& fields);
};

// `s` without leading and trailing spaces, tabs, CR and LF.
std::string_view trim_whitespace(std::string_view s);

// Trims `raw` and checks it against the field's type, normalising dates and months. Empty
// after trimming: an empty string (absent). A value of the wrong shape is the upstream breaking
// its contract: UPSTREAM_UNAVAILABLE naming the field, never the value.
Result<std::string> normalize_value(std::string_view raw, const FieldMapping& field);

}  // namespace lienthong::exchange
