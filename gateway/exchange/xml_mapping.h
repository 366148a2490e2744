// Declarative upstream-field → canonical-field maps for XML upstreams (DESIGN.md §2 mappings/).
// Adding a field to a record is a change to mappings/<adapter>.toml only. The loader refuses an
// unknown key, type or duplicate name with "<file>:<line>: why", at startup (mapping_spec.h).
// XML adds to [document]: `namespace` (of every element the paths name) and `record` (local
// name of the element holding one record); paths are '/'-separated local names below it.
#pragma once

#include <libxml/tree.h>

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/core/error.h"
#include "gateway/core/record.h"
#include "gateway/exchange/mapping_spec.h"

namespace lienthong::exchange {

struct XmlMapping {
  std::string source;          // file name, for messages
  std::string document_type;   // e.g. "CD01"
  std::string description;
  std::chrono::seconds ttl{0};
  std::string ns;              // namespace of every element the paths name
  std::string record_element;  // local name of the element that holds one record
  std::vector<FieldMapping> fields;

  static Result<std::shared_ptr<const XmlMapping>> parse(std::string_view toml,
                                                         std::string_view source_name);
  static Result<std::shared_ptr<const XmlMapping>> load(const std::string& path);

  // Canonical names, sorted.
  std::vector<std::string> field_names() const;

  // Reads the fields below `record` (an element named record_element in ns). The bytes were
  // signed, so a missing required field or a value of the wrong shape means the upstream broke
  // its contract: UPSTREAM_UNAVAILABLE, with a detail naming the field (never its value).
  Result<RecordFields> apply(const xmlNode* record) const;
};

}  // namespace lienthong::exchange
