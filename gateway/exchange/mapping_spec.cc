#include "gateway/exchange/mapping_spec.h"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>
#include <toml++/toml.h>

namespace lienthong::exchange {
namespace {

tl::unexpected<Error> bad(std::string_view source, const toml::node& node, std::string why) {
  return fail(ErrorCode::kBadRequest, fmt::format("{}:{}: {}", source, node.source().begin.line, why));
}

Result<void> only_keys(std::string_view source, const toml::table& t,
                       const std::vector<std::string_view>& known) {
  for (const auto& [key, value] : t) {
    if (std::find(known.begin(), known.end(), key.str()) == known.end())
      return bad(source, value, fmt::format("unknown key '{}'", key.str()));
  }
  return {};
}

std::optional<std::chrono::seconds> parse_duration(std::string_view text) {
  if (text.size() < 2) return std::nullopt;
  const char unit = text.back();
  long long n = 0;
  for (char c : text.substr(0, text.size() - 1)) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + (c - '0');
    if (n > 10'000'000) return std::nullopt;
  }
  switch (unit) {
    case 's': return std::chrono::seconds(n);
    case 'm': return std::chrono::minutes(n);
    case 'h': return std::chrono::hours(n);
    case 'd': return std::chrono::hours(24 * n);
    default: return std::nullopt;
  }
}

std::optional<FieldType> parse_type(std::string_view name) {
  for (FieldType t : {FieldType::kText, FieldType::kDigits, FieldType::kDecimal, FieldType::kDate,
                      FieldType::kMonth, FieldType::kYear}) {
    if (field_type_name(t) == name) return t;
  }
  return std::nullopt;
}

bool digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// "YYYY-MM-DD" with a real calendar date.
bool calendar_date(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-' || !digits(s.substr(0, 4)) ||
      !digits(s.substr(5, 2)) || !digits(s.substr(8, 2)))
    return false;
  const auto n = [&](size_t at, size_t len) {
    int v = 0;
    for (char c : s.substr(at, len)) v = v * 10 + (c - '0');
    return v;
  };
  const std::chrono::year_month_day ymd{std::chrono::year(n(0, 4)),
                                        std::chrono::month(static_cast<unsigned>(n(5, 2))),
                                        std::chrono::day(static_cast<unsigned>(n(8, 2)))};
  return ymd.ok();
}

std::optional<std::string> as_date(std::string_view v) {
  std::string out;
  if (v.size() == 8 && digits(v)) {  // yyyyMMdd
    out = fmt::format("{}-{}-{}", v.substr(0, 4), v.substr(4, 2), v.substr(6, 2));
  } else {
    out = std::string(v);
  }
  if (!calendar_date(out)) return std::nullopt;
  return out;
}

std::optional<std::string> as_month(std::string_view v) {
  std::string out;
  if (v.size() == 6 && digits(v)) {  // yyyyMM
    out = fmt::format("{}-{}", v.substr(0, 4), v.substr(4, 2));
  } else {
    out = std::string(v);
  }
  if (out.size() != 7 || out[4] != '-' || !digits(out.substr(0, 4)) || !digits(out.substr(5, 2)))
    return std::nullopt;
  const int month = (out[5] - '0') * 10 + (out[6] - '0');
  if (month < 1 || month > 12) return std::nullopt;
  return out;
}

bool decimal(std::string_view v) {
  const size_t dot = v.find('.');
  if (dot == std::string_view::npos) return digits(v);
  return digits(v.substr(0, dot)) && digits(v.substr(dot + 1));
}

}  // namespace

std::string_view trim_whitespace(std::string_view s) {
  const auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return s;
}

std::string_view field_type_name(FieldType type) {
  switch (type) {
    case FieldType::kText: return "text";
    case FieldType::kDigits: return "digits";
    case FieldType::kDecimal: return "decimal";
    case FieldType::kDate: return "date";
    case FieldType::kMonth: return "month";
    case FieldType::kYear: return "year";
  }
  return "text";
}

Result<MappingSpec> MappingSpec::parse(std::string_view text, std::string_view source,
                                       std::initializer_list<std::string_view> required_keys,
                                       std::initializer_list<std::string_view> optional_keys) {
  toml::table root;
  try {
    root = toml::parse(text, source);
  } catch (const toml::parse_error& e) {
    return fail(ErrorCode::kBadRequest,
                fmt::format("{}:{}: {}", source, e.source().begin.line, e.description()));
  }
  if (auto ok = only_keys(source, root, {"document", "field"}); !ok) return tl::unexpected(ok.error());
  MappingSpec spec;
  spec.source = std::string(source);
  const auto* doc = root.get_as<toml::table>("document");
  if (!doc) return fail(ErrorCode::kBadRequest, fmt::format("{}: missing [document]", source));
  std::vector<std::string_view> known = {"type", "description", "ttl"};
  known.insert(known.end(), required_keys.begin(), required_keys.end());
  known.insert(known.end(), optional_keys.begin(), optional_keys.end());
  if (auto ok = only_keys(source, *doc, known); !ok) return tl::unexpected(ok.error());

  const auto string_key = [&](std::string_view key) -> Result<std::optional<DocumentKey>> {
    const toml::node* node = doc->get(key);
    if (node == nullptr) return std::optional<DocumentKey>{};
    const auto* value = node->as_string();
    if (value == nullptr) return bad(source, *node, fmt::format("'{}' must be a string", key));
    return std::optional<DocumentKey>(
        DocumentKey{**value, static_cast<int>(node->source().begin.line)});
  };
  std::vector<std::string_view> needed = {"type", "description"};
  needed.insert(needed.end(), required_keys.begin(), required_keys.end());
  for (std::string_view key : needed) {
    auto value = string_key(key);
    if (!value) return tl::unexpected(value.error());
    if (!*value || (**value).value.empty()) {
      return fail(ErrorCode::kBadRequest, fmt::format("{}:{}: [document] needs a non-empty '{}'",
                                                      source, doc->source().begin.line, key));
    }
    if (key == "type") spec.document_type = (**value).value;
    else if (key == "description") spec.description = (**value).value;
    else spec.format_keys[std::string(key)] = **value;
  }
  for (std::string_view key : optional_keys) {
    auto value = string_key(key);
    if (!value) return tl::unexpected(value.error());
    if (*value) spec.format_keys[std::string(key)] = **value;
  }
  const auto* ttl = doc->get_as<std::string>("ttl");
  const auto seconds = ttl ? parse_duration(**ttl) : std::nullopt;
  if (!seconds || seconds->count() <= 0) {
    return fail(ErrorCode::kBadRequest,
                fmt::format("{}:{}: [document] ttl must be a duration like \"24h\", \"30m\", \"7d\"",
                            source, doc->source().begin.line));
  }
  spec.ttl = *seconds;

  const auto* fields = root.get_as<toml::array>("field");
  if (!fields || fields->empty())
    return fail(ErrorCode::kBadRequest, fmt::format("{}: no [[field]] entries", source));
  std::set<std::string> names;
  for (const auto& node : *fields) {
    const auto* t = node.as_table();
    if (!t) return bad(source, node, "[[field]] must be a table");
    if (auto ok = only_keys(source, *t, {"name", "path", "paths", "join", "type", "required"}); !ok)
      return tl::unexpected(ok.error());
    FieldMapping f;
    f.line = static_cast<int>(t->source().begin.line);
    const auto* name = t->get_as<std::string>("name");
    if (!name || (**name).empty()) return bad(source, *t, "field needs a 'name'");
    f.name = **name;
    const bool name_ok = std::all_of(f.name.begin(), f.name.end(), [](char c) {
      return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '[' ||
             c == ']';
    });
    if (!name_ok)
      return bad(source, *t, fmt::format("field name '{}' must be lower-case [a-z0-9_.]", f.name));
    if (!names.insert(f.name).second)
      return bad(source, *t, fmt::format("field '{}' is mapped twice", f.name));
    if (const auto* path = t->get_as<std::string>("path")) {
      f.paths.push_back(**path);
    } else if (const auto* paths = t->get_as<toml::array>("paths")) {
      for (const auto& p : *paths) {
        if (!p.is_string()) return bad(source, p, "'paths' must hold strings");
        f.paths.emplace_back(**p.as_string());
      }
    }
    if (f.paths.empty() ||
        std::any_of(f.paths.begin(), f.paths.end(), [](const std::string& p) { return p.empty(); }))
      return bad(source, *t, fmt::format("field '{}' needs 'path' or 'paths'", f.name));
    if (const auto* join = t->get_as<std::string>("join")) f.join = **join;
    if (const auto* type = t->get_as<std::string>("type")) {
      const auto parsed = parse_type(**type);
      if (!parsed) {
        return bad(source, *t,
                   fmt::format("unknown type '{}' (text, digits, decimal, date, month, year)", **type));
      }
      f.type = *parsed;
    } else if (t->contains("type")) {
      return bad(source, *t, "'type' must be a string");
    }
    if (const auto* required = t->get("required")) {
      if (!required->is_boolean()) return bad(source, *required, "'required' must be true or false");
      f.required = **required->as_boolean();
    }
    spec.fields.push_back(std::move(f));
  }
  return spec;
}

Result<std::string> MappingSpec::read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(ErrorCode::kBadRequest, "cannot read mapping " + path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

std::vector<std::string> MappingSpec::sorted_names(const std::vector<FieldMapping>& fields) {
  std::vector<std::string> names;
  names.reserve(fields.size());
  for (const auto& f : fields) names.push_back(f.name);
  std::sort(names.begin(), names.end());
  return names;
}

Result<std::string> normalize_value(std::string_view raw, const FieldMapping& field) {
  const std::string_view v = trim_whitespace(raw);
  if (v.empty()) return std::string();
  const auto wrong = [&](std::string_view what) {
    return fail(ErrorCode::kUpstreamUnavailable,
                fmt::format("upstream field {} is not {}", field.name, what));
  };
  switch (field.type) {
    case FieldType::kText:
      return std::string(v);
    case FieldType::kDigits:
      if (!digits(v)) return wrong("digits");
      return std::string(v);
    case FieldType::kDecimal:
      if (!decimal(v)) return wrong("a decimal number");
      return std::string(v);
    case FieldType::kYear:
      if (v.size() != 4 || !digits(v)) return wrong("a year");
      return std::string(v);
    case FieldType::kDate: {
      auto date = as_date(v);
      if (!date) return wrong("a date");
      return *date;
    }
    case FieldType::kMonth: {
      auto month = as_month(v);
      if (!month) return wrong("a month");
      return *month;
    }
  }
  return std::string(v);
}

}  // namespace lienthong::exchange
