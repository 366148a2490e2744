#include "gateway/exchange/xml_mapping.h"

#include <fmt/format.h>

#include <algorithm>

#include "gateway/crypto/xml_nodes.h"

namespace lienthong::exchange {
namespace xml = crypto::xml;
namespace {

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

}  // namespace

Result<std::shared_ptr<const XmlMapping>> XmlMapping::parse(std::string_view text,
                                                            std::string_view source) {
  auto spec = MappingSpec::parse(text, source, {"namespace", "record"});
  if (!spec) return tl::unexpected(spec.error());
  for (const auto& f : spec->fields) {
    if (f.name.find_first_of("[]") != std::string::npos) {
      return fail(ErrorCode::kBadRequest,
                  fmt::format("{}:{}: field name '{}' must be lower-case [a-z0-9_.]", source,
                              f.line, f.name));
    }
  }
  auto mapping = std::make_shared<XmlMapping>();
  mapping->source = spec->source;
  mapping->document_type = spec->document_type;
  mapping->description = spec->description;
  mapping->ttl = spec->ttl;
  mapping->ns = spec->format_keys.at("namespace").value;
  mapping->record_element = spec->format_keys.at("record").value;
  mapping->fields = std::move(spec->fields);
  return std::shared_ptr<const XmlMapping>(std::move(mapping));
}

Result<std::shared_ptr<const XmlMapping>> XmlMapping::load(const std::string& path) {
  auto text = MappingSpec::read_file(path);
  if (!text) return tl::unexpected(text.error());
  return parse(*text, path);
}

std::vector<std::string> XmlMapping::field_names() const {
  return MappingSpec::sorted_names(fields);
}

Result<RecordFields> XmlMapping::apply(const xmlNode* record) const {
  RecordFields out;
  out.reserve(fields.size());
  for (const auto& f : fields) {
    std::string value;
    for (const auto& path : f.paths) {
      const xmlNode* node = follow(record, ns, path);
      if (!node) continue;
      const std::string text = xml::text(node);
      const std::string_view part = trim_whitespace(text);
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
    auto normal = normalize_value(value, f);
    if (!normal) return tl::unexpected(normal.error());
    value = std::move(*normal);
    out.emplace_back(f.name, std::move(value));
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace lienthong::exchange
