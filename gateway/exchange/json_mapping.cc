#include "gateway/exchange/json_mapping.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <map>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

namespace lienthong::exchange {
namespace {

using nlohmann::json;

// One path segment: a member name, and whether it may hold an array of elements.
struct Segment {
  std::string name;
  bool each = false;  // written "name[]"
};

Result<std::vector<Segment>> split_path(std::string_view path) {
  std::vector<Segment> out;
  if (path.empty() || path == "/") return out;
  size_t start = 0;
  while (start <= path.size()) {
    const size_t end = path.find('/', start);
    std::string_view part =
        path.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    Segment s;
    if (part.ends_with("[]")) {
      s.each = true;
      part.remove_suffix(2);
    }
    if (part.empty() || part.find_first_of("[]") != std::string_view::npos)
      return fail(ErrorCode::kBadRequest, fmt::format("path '{}' has an empty or bad segment", path));
    s.name = std::string(part);
    out.push_back(std::move(s));
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return out;
}

size_t count_each(const std::vector<Segment>& segments) {
  return static_cast<size_t>(
      std::count_if(segments.begin(), segments.end(), [](const Segment& s) { return s.each; }));
}

// --- the schema check -------------------------------------------------------------------------

// The JSON types a schema node allows ("type" as a string or a list; none given: any).
std::set<std::string> schema_types(const json& node) {
  std::set<std::string> types;
  if (!node.is_object() || !node.contains("type")) return {"any"};
  const json& t = node["type"];
  if (t.is_string()) types.insert(t.get<std::string>());
  if (t.is_array())
    for (const auto& v : t)
      if (v.is_string()) types.insert(v.get<std::string>());
  return types;
}

// The schema alternatives a node stands for: itself, with local $refs followed and
// oneOf/anyOf/allOf expanded (bounded: a schema is configuration, but a cycle must not hang).
void alternatives(const json& root, const json& node, std::vector<const json*>& out, int depth = 0) {
  if (depth > 16 || !node.is_object()) return;
  if (node.contains("$ref") && node["$ref"].is_string()) {
    const std::string ref = node["$ref"].get<std::string>();
    if (ref.starts_with("#/")) {
      try {
        const json& target = root.at(json::json_pointer(ref.substr(1)));
        alternatives(root, target, out, depth + 1);
      } catch (const json::exception&) {
      }
    }
    return;
  }
  out.push_back(&node);
  for (const char* key : {"oneOf", "anyOf", "allOf"}) {
    if (node.contains(key) && node[key].is_array())
      for (const auto& alt : node[key]) alternatives(root, alt, out, depth + 1);
  }
}

// The schema nodes the value at `name` (below any of `parents`) may have; for "name[]", the
// elements' nodes as well as a single object's.
std::vector<const json*> step(const json& root, const std::vector<const json*>& parents,
                              const Segment& seg) {
  std::vector<const json*> found;
  for (const json* parent : parents) {
    std::vector<const json*> alts;
    alternatives(root, *parent, alts);
    for (const json* alt : alts) {
      if (!alt->contains("properties") || !(*alt)["properties"].is_object()) continue;
      const json& props = (*alt)["properties"];
      if (!props.contains(seg.name)) continue;
      std::vector<const json*> member;
      alternatives(root, props[seg.name], member);
      for (const json* m : member) {
        // "name[]" steps into an array's items; a single object stands for itself.
        if (seg.each && schema_types(*m).count("array")) {
          if (m->contains("items")) alternatives(root, (*m)["items"], found);
        } else {
          found.push_back(m);
        }
      }
    }
  }
  return found;
}

// Every shape the upstream may send there (null aside: that is an absent value) must be one the
// field's type can read; a schema node without "type" allows anything and is taken on trust.
bool holds(const std::set<std::string>& types, FieldType field) {
  const auto all_in = [&](std::initializer_list<std::string_view> readable) {
    return std::all_of(types.begin(), types.end(), [&](const std::string& t) {
      return t == "any" || t == "null" ||
             std::find(readable.begin(), readable.end(), t) != readable.end();
    });
  };
  switch (field) {
    case FieldType::kText: return all_in({"string", "number", "integer", "boolean"});
    case FieldType::kDigits: return all_in({"string", "integer"});
    case FieldType::kDecimal: return all_in({"string", "number", "integer"});
    case FieldType::kDate:
    case FieldType::kMonth: return all_in({"string"});
    case FieldType::kYear: return all_in({"string", "integer"});
  }
  return false;
}

Result<void> check_against_schema(const json& schema, std::string_view schema_name,
                                  const std::vector<Segment>& record, const FieldMapping& f,
                                  std::string_view source) {
  const auto refuse = [&](std::string why) {
    return fail(ErrorCode::kBadRequest, fmt::format("{}:{}: field '{}': {}", source, f.line, f.name, why));
  };
  std::vector<const json*> base = {&schema};
  for (const Segment& seg : record) base = step(schema, base, seg);
  if (base.empty()) return refuse(fmt::format("the record path is not in {}", schema_name));
  for (const std::string& path : f.paths) {
    auto segments = split_path(path);
    if (!segments) return refuse(segments.error().detail);
    std::vector<const json*> at = base;
    for (size_t i = 0; i < segments->size(); ++i) {
      const Segment& seg = (*segments)[i];
      at = step(schema, at, seg);
      if (at.empty()) {
        return refuse(fmt::format("path '{}' names '{}', which {} does not have", path, seg.name,
                                  schema_name));
      }
      // Stepping through a member that may be an array would silently find nothing in the
      // answers that carry one: the mapping must say "name[]".
      const bool inner = i + 1 < segments->size();
      if (inner && !seg.each &&
          std::any_of(at.begin(), at.end(), [](const json* n) { return schema_types(*n).count("array"); })) {
        return refuse(fmt::format("path '{}': '{}' may be an array in {}; write '{}[]'", path,
                                  seg.name, schema_name, seg.name));
      }
    }
    std::set<std::string> types;
    for (const json* node : at) {
      auto t = schema_types(*node);
      types.insert(t.begin(), t.end());
    }
    if (!holds(types, f.type)) {
      std::string listed;
      for (const auto& t : types) listed += (listed.empty() ? "" : ", ") + t;
      return refuse(fmt::format("path '{}' is {} in {}, which cannot hold a {}", path, listed,
                                schema_name, field_type_name(f.type)));
    }
  }
  return {};
}

// --- reading an answer ------------------------------------------------------------------------

// The leaf values at `segments` below `node`, grouped by the element of the (one) "[]" segment
// they came from: group 0 when the path has no "[]".
void collect(const json& node, const std::vector<Segment>& segments, size_t i, size_t group,
             std::vector<std::pair<size_t, const json*>>& out) {
  if (i == segments.size()) {
    out.emplace_back(group, &node);
    return;
  }
  if (!node.is_object()) return;
  const auto it = node.find(segments[i].name);
  if (it == node.end() || it->is_null()) return;
  if (segments[i].each && it->is_array()) {
    size_t n = 0;
    for (const auto& element : *it) collect(element, segments, i + 1, ++n, out);
  } else {
    collect(*it, segments, i + 1, segments[i].each ? 1 : group, out);
  }
}

Result<std::string> leaf_text(const json& v, const FieldMapping& f) {
  switch (v.type()) {
    case json::value_t::string: return v.get<std::string>();
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
    case json::value_t::number_float: return v.dump();
    case json::value_t::boolean:
      if (f.type == FieldType::kText) return std::string(v.get<bool>() ? "true" : "false");
      break;
    case json::value_t::null: return std::string();
    default: break;
  }
  return fail(ErrorCode::kUpstreamUnavailable,
              fmt::format("upstream field {} is not a single value", f.name));
}

// "qua_trinh[].tu_thang", 3 → "qua_trinh.3.tu_thang".
std::string numbered(const std::string& name, size_t n) {
  const size_t at = name.find("[]");
  return name.substr(0, at) + "." + std::to_string(n) + name.substr(at + 2);
}

}  // namespace

Result<std::shared_ptr<const JsonMapping>> JsonMapping::parse(std::string_view text,
                                                              std::string_view source,
                                                              std::string_view schema_text,
                                                              std::string_view schema_name) {
  auto spec = MappingSpec::parse(text, source, {"record", "schema"});
  if (!spec) return tl::unexpected(spec.error());
  json schema = json::parse(schema_text, nullptr, /*allow_exceptions=*/false);
  if (schema.is_discarded() || !schema.is_object()) {
    return fail(ErrorCode::kBadRequest,
                fmt::format("{}:{}: schema {} is not a JSON Schema object", source,
                            spec->format_keys.at("schema").line, schema_name));
  }
  auto mapping = std::make_shared<JsonMapping>();
  mapping->source = spec->source;
  mapping->document_type = spec->document_type;
  mapping->description = spec->description;
  mapping->ttl = spec->ttl;
  mapping->record_path = spec->format_keys.at("record").value;
  if (mapping->record_path == "/") mapping->record_path.clear();
  mapping->schema_file = std::string(schema_name);
  auto record = split_path(mapping->record_path);
  if (!record || count_each(*record) != 0) {
    return fail(ErrorCode::kBadRequest,
                fmt::format("{}:{}: record must be a plain '/'-separated path", source,
                            spec->format_keys.at("record").line));
  }
  for (const auto& f : spec->fields) {
    const auto opens = std::count(f.name.begin(), f.name.end(), '[');
    const auto closes = std::count(f.name.begin(), f.name.end(), ']');
    const size_t at = f.name.find("[]");
    const size_t name_groups = at == std::string::npos ? 0 : 1;
    // Exactly one "[]" (or none), not first: "qua_trinh[].tu_thang".
    const bool name_ok = opens == static_cast<long>(name_groups) &&
                         closes == static_cast<long>(name_groups) && at != 0;
    if (!name_ok) {
      return fail(ErrorCode::kBadRequest,
                  fmt::format("{}:{}: field name '{}' may hold one '[]' and no other bracket",
                              source, f.line, f.name));
    }
    for (const auto& path : f.paths) {
      auto segments = split_path(path);
      if (!segments) {
        return fail(ErrorCode::kBadRequest,
                    fmt::format("{}:{}: field '{}': {}", source, f.line, f.name, segments.error().detail));
      }
      if (count_each(*segments) > 1 || (name_groups == 1 && count_each(*segments) != 1)) {
        return fail(ErrorCode::kBadRequest,
                    fmt::format("{}:{}: field '{}': a path may hold one 'name[]' segment, and must "
                                "when the field name has '[]'",
                                source, f.line, f.name));
      }
    }
    if (name_groups == 1 && f.paths.size() != 1) {
      return fail(ErrorCode::kBadRequest,
                  fmt::format("{}:{}: field '{}': a numbered field takes one path", source, f.line,
                              f.name));
    }
    if (auto checked = check_against_schema(schema, schema_name, *record, f, source); !checked)
      return tl::unexpected(checked.error());
  }
  mapping->fields = std::move(spec->fields);
  return std::shared_ptr<const JsonMapping>(std::move(mapping));
}

Result<std::shared_ptr<const JsonMapping>> JsonMapping::load(const std::string& path) {
  auto text = MappingSpec::read_file(path);
  if (!text) return tl::unexpected(text.error());
  // The schema's name is only known after parsing [document]; parse it once for that.
  auto spec = MappingSpec::parse(*text, path, {"record", "schema"});
  if (!spec) return tl::unexpected(spec.error());
  const auto schema_path =
      (std::filesystem::path(path).parent_path() / spec->format_keys.at("schema").value).string();
  auto schema = MappingSpec::read_file(schema_path);
  if (!schema) {
    return fail(ErrorCode::kBadRequest, fmt::format("{}:{}: cannot read schema {}", path,
                                                    spec->format_keys.at("schema").line,
                                                    schema_path));
  }
  return parse(*text, path, *schema, schema_path);
}

std::vector<std::string> JsonMapping::field_names() const {
  return MappingSpec::sorted_names(fields);
}

Result<RecordFields> JsonMapping::apply(const json& answer) const {
  const json* record = &answer;
  auto segments = split_path(record_path);
  if (!segments) return fail(ErrorCode::kInternal, "record path");
  for (const Segment& seg : *segments) {
    if (!record->is_object()) return fail(ErrorCode::kNotFound, "no record in the answer");
    const auto it = record->find(seg.name);
    if (it == record->end() || it->is_null()) return fail(ErrorCode::kNotFound, "no record in the answer");
    record = &*it;
  }
  if (!record->is_object()) {
    return fail(ErrorCode::kUpstreamUnavailable,
                fmt::format("upstream answer's record ({}) is not an object", source));
  }

  RecordFields out;
  out.reserve(fields.size());
  for (const auto& f : fields) {
    const bool numbered_field = f.name.find("[]") != std::string::npos;
    // group → joined value (group 0 only, unless the field is numbered)
    std::vector<std::pair<size_t, std::string>> values;
    std::map<size_t, size_t> slot_of;  // group → index in values
    for (const auto& path : f.paths) {
      auto parts = split_path(path);
      if (!parts) return fail(ErrorCode::kInternal, "field path");
      std::vector<std::pair<size_t, const json*>> leaves;
      collect(*record, *parts, 0, 0, leaves);
      for (const auto& [group, leaf] : leaves) {
        auto text = leaf_text(*leaf, f);
        if (!text) return tl::unexpected(text.error());
        const std::string_view part = trim_whitespace(*text);
        if (part.empty()) continue;
        const size_t key = numbered_field ? group : 0;
        // Groups arrive in order for one path; a later path (paths = [...]) revisits them, so
        // the map keeps the lookup logarithmic for answers with thousands of elements.
        auto [slot, fresh] = slot_of.try_emplace(key, values.size());
        if (fresh) {
          values.emplace_back(key, std::string(part));
        } else {
          values[slot->second].second += f.join;
          values[slot->second].second += part;
        }
      }
    }
    if (values.empty()) {
      if (f.required) {
        return fail(ErrorCode::kUpstreamUnavailable,
                    fmt::format("upstream record lacks required field {} ({}:{})", f.name, source,
                                f.line));
      }
      continue;
    }
    for (auto& [group, value] : values) {
      auto normal = normalize_value(value, f);
      if (!normal) return tl::unexpected(normal.error());
      out.emplace_back(numbered_field ? numbered(f.name, group) : f.name, std::move(*normal));
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace lienthong::exchange
