// Declarative upstream-field → canonical-field maps for JSON upstreams (DESIGN.md §2 mappings/):
// the enterprise registry and social insurance. Adding a field to a record is a change to
// mappings/<adapter>.toml only.
//
// [document] adds to mapping_spec.h:
//   record = "Data"                    path of the object that holds one record ("/" = the root)
//   schema = "business.schema.json"    JSON Schema of the upstream's answer, relative to the
//                                      mapping file
// Paths are '/'-separated member names below the record. A segment written "name[]" accepts
// an array there (every element) or a single object (one element): upstreams send
// `Representatives` either way. A canonical name with "[]" (e.g. "qua_trinh[].tu_thang", path
// "QuaTrinh[]/TuThang") gives one field per element, numbered from 1 ("qua_trinh.1.tu_thang");
// without it, the values of every element are joined with `join`.
//
// At load every path is checked against the schema: a path naming a member the upstream does
// not have, or a value whose schema type cannot hold the field's type (an object for "digits"),
// is refused with "<file>:<line>: why". The schema is read for that only; answers are checked by
// apply(), value by value.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/core/error.h"
#include "gateway/core/record.h"
#include "gateway/exchange/mapping_spec.h"

namespace lienthong::exchange {

struct JsonMapping {
  std::string source;
  std::string document_type;
  std::string description;
  std::chrono::seconds ttl{0};
  std::string record_path;  // '/'-separated; empty = the root
  std::string schema_file;  // as resolved at load
  std::vector<FieldMapping> fields;

  // `schema_text`: the JSON Schema the paths are checked against, `schema_name` its name in
  // messages. load() reads the mapping and the schema its [document] names.
  static Result<std::shared_ptr<const JsonMapping>> parse(std::string_view toml,
                                                          std::string_view source,
                                                          std::string_view schema_text,
                                                          std::string_view schema_name);
  static Result<std::shared_ptr<const JsonMapping>> load(const std::string& path);

  // Canonical names, sorted; "[]" names as written (the policy grants them by prefix).
  std::vector<std::string> field_names() const;

  // Reads the fields of one answer (already verified). A missing required field, or a value
  // of the wrong shape, is the upstream breaking its contract: UPSTREAM_UNAVAILABLE naming the
  // field, never its value. NOT_FOUND when the record path is absent or null.
  Result<RecordFields> apply(const nlohmann::json& answer) const;
};

}  // namespace lienthong::exchange
