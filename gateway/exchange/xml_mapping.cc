#include "gateway/exchange/xml_mapping.h"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>
#include <toml++/toml.h>

#include "gateway/crypto/xml_nodes.h"

namespace lienthong::exchange {
namespace xml = crypto::xml;
namespace {

Result<void> bad(std::string_view source, const toml::node& node, std::string why) {
  return fail(ErrorCode::kBadRequest, fmt::format("{}:{}: {}", source, node.source().begin.line, why));
}

Result<void> only_keys(std::string_view source, const toml::table& t,
                       std::initializer_list<std::string_view> known) {
  for (const auto& [key, value] : t) {
    if (std::find(known.begin(), known.end(), key.str()) == known.end()) {
      return bad(source, value, fmt::format("unknown key '{}'", key.str()));
    }
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

std::string trim(std::string s) {
  const auto not_space = [](unsigned char c) { return c != ' ' && c != '\t' && c != '\n' && c != '\r'; };
  s.erase(s.begin(), std::find_if(s.begin(), s.end(), not_space));
  s.erase(std::find_if(s.rbegin(), s.rend(), not_space).base(), s.end());
  return s;
}

const xmlNode* child(const xmlNode* parent, std::string_view ns, std::string_view local) {
  for (const xmlNode* c = xml::first_element(parent); c; c = xml::next_element(c)) {
    if (xml::is(c, ns, local)) return c;
  }
  return nullptr;
}

const xmlNode* follow(const xmlNode* record, std::string_view ns, std::string_view path) {
  const xmlNode* node = record;
  size_t start = 0;
  while (node && start <= path.size()) {
    const size_t end = path.find('/', start);
    node = child(node, ns, path.substr(start, end == std::string_view::npos ? path.npos : end - start));
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return node;
}

bool is_date(std::string_view s) {
  return s.size() == 10 && s[4] == '-' && s[7] == '-' &&
         std::all_of(s.begin(), s.end(), [](char c) { return c == '-' || (c >= '0' && c <= '9'); });
}

}  // namespace

Result<std::shared_ptr<const XmlMapping>> XmlMapping::parse(std::string_view text,
                                                            std::string_view source) {
  toml::table root;
  try {
    root = toml::parse(text, source);
  } catch (const toml::parse_error& e) {
    return fail(ErrorCode::kBadRequest,
                fmt::format("{}:{}: {}", source, e.source().begin.line, e.description()));
  }
  if (auto ok = only_keys(source, root, {"document", "field"}); !ok) return tl::unexpected(ok.error());
  auto mapping = std::make_shared<XmlMapping>();
  mapping->source = std::string(source);
  const auto* doc = root.get_as<toml::table>("document");
  if (!doc) return fail(ErrorCode::kBadRequest, fmt::format("{}: missing [document]", source));
  if (auto ok = only_keys(source, *doc, {"type", "description", "ttl", "namespace", "record"}); !ok) {
    return tl::unexpected(ok.error());
  }
  for (auto [key, target] : {std::pair{"type", &mapping->document_type},
                             std::pair{"description", &mapping->description},
                             std::pair{"namespace", &mapping->ns},
                             std::pair{"record", &mapping->record_element}}) {
    const auto* value = doc->get_as<std::string>(key);
    if (!value || (**value).empty()) {
      return fail(ErrorCode::kBadRequest, fmt::format("{}:{}: [document] needs a non-empty '{}'",
                                                      source, doc->source().begin.line, key));
    }
    *target = **value;
  }
  const auto* ttl = doc->get_as<std::string>("ttl");
  const auto seconds = ttl ? parse_duration(**ttl) : std::nullopt;
  if (!seconds || seconds->count() <= 0) {
    return fail(ErrorCode::kBadRequest,
                fmt::format("{}:{}: [document] ttl must be a duration like \"24h\", \"30m\", \"7d\"",
                            source, doc->source().begin.line));
  }
  mapping->ttl = *seconds;

  const auto* fields = root.get_as<toml::array>("field");
  if (!fields || fields->empty()) {
    return fail(ErrorCode::kBadRequest, fmt::format("{}: no [[field]] entries", source));
  }
  std::set<std::string> names;
  for (const auto& node : *fields) {
    const auto* t = node.as_table();
    if (!t) return tl::unexpected(bad(source, node, "[[field]] must be a table").error());
    if (auto ok = only_keys(source, *t, {"name", "path", "paths", "join", "type", "required"}); !ok) {
      return tl::unexpected(ok.error());
    }
    FieldMapping f;
    f.line = static_cast<int>(t->source().begin.line);
    const auto* name = t->get_as<std::string>("name");
    if (!name || (**name).empty()) return tl::unexpected(bad(source, *t, "field needs a 'name'").error());
    f.name = **name;
    const bool name_ok = std::all_of(f.name.begin(), f.name.end(), [](char c) {
      return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.';
    });
    if (!name_ok) {
      return tl::unexpected(
          bad(source, *t, fmt::format("field name '{}' must be lower-case [a-z0-9_.]", f.name)).error());
    }
    if (!names.insert(f.name).second) {
      return tl::unexpected(bad(source, *t, fmt::format("field '{}' is mapped twice", f.name)).error());
    }
    if (const auto* path = t->get_as<std::string>("path")) {
      f.paths.push_back(**path);
    } else if (const auto* paths = t->get_as<toml::array>("paths")) {
      for (const auto& p : *paths) {
        if (!p.is_string()) return tl::unexpected(bad(source, p, "'paths' must hold strings").error());
        f.paths.emplace_back(**p.as_string());
      }
    }
    if (f.paths.empty() || std::any_of(f.paths.begin(), f.paths.end(),
                                       [](const std::string& p) { return p.empty(); })) {
      return tl::unexpected(bad(source, *t, fmt::format("field '{}' needs 'path' or 'paths'", f.name)).error());
    }
    if (const auto* join = t->get_as<std::string>("join")) f.join = **join;
    if (const auto* type = t->get_as<std::string>("type")) {
      const std::string_view ty = **type;
      if (ty == "text") f.type = FieldType::kText;
      else if (ty == "digits") f.type = FieldType::kDigits;
      else if (ty == "date") f.type = FieldType::kDate;
      else if (ty == "year") f.type = FieldType::kYear;
      else {
        return tl::unexpected(bad(source, *t, fmt::format("unknown type '{}' (text, digits, date, year)", ty)).error());
      }
    } else if (t->contains("type")) {
      return tl::unexpected(bad(source, *t, "'type' must be a string").error());
    }
    if (const auto* required = t->get("required")) {
      if (!required->is_boolean()) return tl::unexpected(bad(source, *required, "'required' must be true or false").error());
      f.required = **required->as_boolean();
    }
    mapping->fields.push_back(std::move(f));
  }
  return std::shared_ptr<const XmlMapping>(std::move(mapping));
}

Result<std::shared_ptr<const XmlMapping>> XmlMapping::load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(ErrorCode::kBadRequest, "cannot read mapping " + path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return parse(buffer.str(), path);
}

std::vector<std::string> XmlMapping::field_names() const {
  std::vector<std::string> names;
  for (const auto& f : fields) names.push_back(f.name);
  std::sort(names.begin(), names.end());
  return names;
}

Result<RecordFields> XmlMapping::apply(const xmlNode* record) const {
  RecordFields out;
  out.reserve(fields.size());
  for (const auto& f : fields) {
    std::string value;
    for (const auto& path : f.paths) {
      const xmlNode* node = follow(record, ns, path);
      if (!node) continue;
      std::string part = trim(xml::text(node));
      if (part.empty()) continue;
      if (!value.empty()) value += f.join;
      value += part;
    }
    if (value.empty()) {
      if (f.required) {
        return fail(ErrorCode::kUpstreamUnavailable,
                    fmt::format("upstream record lacks required field {} ({}:{})", f.name, source, f.line));
      }
      continue;
    }
    switch (f.type) {
      case FieldType::kText:
        break;
      case FieldType::kDigits:
        if (!std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
          return fail(ErrorCode::kUpstreamUnavailable,
                      fmt::format("upstream field {} is not digits", f.name));
        }
        break;
      case FieldType::kYear:
        if (value.size() != 4 || !std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
          return fail(ErrorCode::kUpstreamUnavailable, fmt::format("upstream field {} is not a year", f.name));
        }
        break;
      case FieldType::kDate:
        if (value.size() == 8 && std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
          value = value.substr(0, 4) + "-" + value.substr(4, 2) + "-" + value.substr(6, 2);
        }
        if (!is_date(value)) {
          return fail(ErrorCode::kUpstreamUnavailable, fmt::format("upstream field {} is not a date", f.name));
        }
        break;
    }
    out.emplace_back(f.name, std::move(value));
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace lienthong::exchange
