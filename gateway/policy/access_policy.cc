#include "gateway/policy/access_policy.h"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>
#include <toml++/toml.h>

#include "gateway/core/identifiers.h"

namespace lienthong::policy {
namespace {

std::string where(std::string_view source, const toml::node& node) {
  return fmt::format("{}:{}", source, node.source().begin.line);
}

Result<void> refuse_unknown_keys(std::string_view source, const toml::table& table,
                                 std::initializer_list<std::string_view> known) {
  for (const auto& [key, value] : table) {
    if (std::find(known.begin(), known.end(), key.str()) == known.end()) {
      return fail(ErrorCode::kBadRequest,
                  fmt::format("{}: unknown key '{}'", where(source, value), key.str()));
    }
  }
  return {};
}

Result<std::string> required_string(std::string_view source, const toml::table& table,
                                    std::string_view key) {
  const auto* node = table.get(key);
  if (!node || !node->is_string()) {
    return fail(ErrorCode::kBadRequest,
                fmt::format("{}:{}: '{}' must be a string", source,
                            table.source().begin.line, key));
  }
  return std::string(**node->as_string());
}

Result<std::vector<std::string>> string_list(std::string_view source, const toml::table& table,
                                             std::string_view key) {
  const auto* node = table.get(key);
  const auto* array = node ? node->as_array() : nullptr;
  if (!array || array->empty()) {
    return fail(ErrorCode::kBadRequest,
                fmt::format("{}:{}: '{}' must be a non-empty list of strings", source,
                            table.source().begin.line, key));
  }
  std::vector<std::string> out;
  for (const auto& item : *array) {
    if (!item.is_string()) {
      return fail(ErrorCode::kBadRequest,
                  fmt::format("{}: '{}' must contain strings only", where(source, item), key));
    }
    out.emplace_back(**item.as_string());
  }
  return out;
}

Result<Grant> parse_grant(std::string_view source, const toml::table& table) {
  if (auto ok = refuse_unknown_keys(source, table, {"adapter", "document_types", "fields"}); !ok) {
    return tl::unexpected(ok.error());
  }
  Grant grant;
  grant.line = static_cast<int>(table.source().begin.line);
  auto adapter = required_string(source, table, "adapter");
  if (!adapter) return tl::unexpected(adapter.error());
  grant.adapter = *adapter;
  auto types = string_list(source, table, "document_types");
  if (!types) return tl::unexpected(types.error());
  grant.document_types = *types;
  auto fields = string_list(source, table, "fields");
  if (!fields) return tl::unexpected(fields.error());
  grant.fields = *fields;
  return grant;
}

}  // namespace

bool field_matches(std::string_view pattern, std::string_view field) {
  if (pattern == "*") return true;
  if (pattern.size() >= 2 && pattern.substr(pattern.size() - 2) == ".*") {
    const auto prefix = pattern.substr(0, pattern.size() - 1);  // keeps the dot
    return field.substr(0, prefix.size()) == prefix;
  }
  return pattern == field;
}

Result<AccessPolicy::Ptr> AccessPolicy::parse(std::string_view text, std::string_view source) {
  toml::table root;
  try {
    root = toml::parse(text, source);
  } catch (const toml::parse_error& e) {
    return fail(ErrorCode::kBadRequest,
                fmt::format("{}:{}: {}", source, e.source().begin.line, e.description()));
  }
  if (auto ok = refuse_unknown_keys(source, root, {"member"}); !ok) {
    return tl::unexpected(ok.error());
  }
  auto policy = std::make_shared<AccessPolicy>();
  policy->source_ = std::string(source);
  const auto* members = root.get_as<toml::array>("member");
  if (!members) return policy;  // an empty policy refuses everyone
  std::set<std::pair<std::string, std::string>> seen;
  for (const auto& node : *members) {
    const auto* table = node.as_table();
    if (!table) {
      return fail(ErrorCode::kBadRequest,
                  fmt::format("{}: each [[member]] must be a table", where(source, node)));
    }
    if (auto ok = refuse_unknown_keys(source, *table,
                                     {"organ", "subsystem", "name", "request_signature", "grant"});
        !ok) {
      return tl::unexpected(ok.error());
    }
    MemberRule rule;
    rule.line = static_cast<int>(table->source().begin.line);
    auto organ = required_string(source, *table, "organ");
    if (!organ) return tl::unexpected(organ.error());
    if (auto code = parse_organ_code(*organ); !code) {
      return fail(ErrorCode::kBadRequest,
                  fmt::format("{}:{}: {}", source, rule.line, code.error().detail));
    }
    rule.organ_code = *organ;
    rule.subsystem = table->get_as<std::string>("subsystem")
                         ? std::string(**table->get_as<std::string>("subsystem"))
                         : "";
    rule.name = table->get_as<std::string>("name")
                    ? std::string(**table->get_as<std::string>("name"))
                    : "";
    if (const auto* mode = table->get("request_signature")) {
      const auto* text = mode->as_string();
      if (!text || (**text != "required" && **text != "optional")) {
        return fail(ErrorCode::kBadRequest,
                    fmt::format("{}: request_signature must be \"required\" or \"optional\"",
                                where(source, *mode)));
      }
      rule.request_signature =
          **text == "required" ? RequestSignature::kRequired : RequestSignature::kOptional;
    }
    if (!seen.emplace(rule.organ_code, rule.subsystem).second) {
      return fail(ErrorCode::kBadRequest,
                  fmt::format("{}:{}: member {} (subsystem '{}') is listed twice", source,
                              rule.line, rule.organ_code, rule.subsystem));
    }
    if (const auto* grants = table->get_as<toml::array>("grant")) {
      for (const auto& g : *grants) {
        const auto* gt = g.as_table();
        if (!gt) {
          return fail(ErrorCode::kBadRequest,
                      fmt::format("{}: each [[member.grant]] must be a table", where(source, g)));
        }
        auto grant = parse_grant(source, *gt);
        if (!grant) return tl::unexpected(grant.error());
        rule.grants.push_back(std::move(*grant));
      }
    }
    policy->members_.push_back(std::move(rule));
  }
  return policy;
}

Result<AccessPolicy::Ptr> AccessPolicy::load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(ErrorCode::kBadRequest, "cannot read access policy " + path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return parse(buffer.str(), path);
}

Result<void> AccessPolicy::check_against(const std::vector<Catalogue>& offered) const {
  for (const auto& member : members_) {
    for (const auto& grant : member.grants) {
      const auto at = fmt::format("{}:{}", source_, grant.line);
      bool adapter_known = false;
      for (const auto& type : grant.document_types) {
        const Catalogue* entry = nullptr;
        for (const auto& c : offered) {
          if (c.adapter == grant.adapter) adapter_known = true;
          if (c.adapter == grant.adapter && c.document_type == type) entry = &c;
        }
        if (!adapter_known) {
          return fail(ErrorCode::kBadRequest,
                      fmt::format("{}: unknown adapter '{}'", at, grant.adapter));
        }
        if (!entry) {
          return fail(ErrorCode::kBadRequest,
                      fmt::format("{}: adapter '{}' has no document type '{}'", at,
                                  grant.adapter, type));
        }
        for (const auto& pattern : grant.fields) {
          const bool matches_any =
              std::any_of(entry->fields.begin(), entry->fields.end(),
                          [&](const std::string& f) { return field_matches(pattern, f); });
          if (!matches_any) {
            return fail(ErrorCode::kBadRequest,
                        fmt::format("{}: field pattern '{}' matches no field of {}", at, pattern,
                                    type));
          }
        }
      }
    }
  }
  return {};
}

Result<Decision> AccessPolicy::authorize(const Member& member, std::string_view adapter,
                                         std::string_view document_type,
                                         const std::vector<std::string>& wanted,
                                         const std::vector<std::string>& available) const {
  // A rule for the exact subsystem wins over the organ-wide rule.
  const MemberRule* rule = nullptr;
  for (const auto& m : members_) {
    if (m.organ_code != member.organ_code) continue;
    if (!m.subsystem.empty() && m.subsystem == member.subsystem) {
      rule = &m;
      break;
    }
    if (m.subsystem.empty() && !rule) rule = &m;
  }
  if (!rule) {
    return fail(ErrorCode::kAccessDenied,
                fmt::format("member {} is not in the access policy", member.organ_code));
  }
  const Grant* grant = nullptr;
  for (const auto& g : rule->grants) {
    if (g.adapter == adapter && std::find(g.document_types.begin(), g.document_types.end(),
                                          document_type) != g.document_types.end()) {
      grant = &g;
      break;
    }
  }
  if (!grant) {
    return fail(ErrorCode::kAccessDenied,
                fmt::format("member {} has no grant for {} document type {}", member.organ_code,
                            adapter, document_type));
  }
  auto allowed = [&](const std::string& field) {
    return std::any_of(grant->fields.begin(), grant->fields.end(),
                       [&](const std::string& p) { return field_matches(p, field); });
  };
  Decision decision{rule, grant, {}, false};
  if (wanted.empty()) {
    for (const auto& f : available) {
      if (allowed(f)) decision.fields.push_back(f);
    }
  } else {
    for (const auto& f : wanted) {
      if (std::find(available.begin(), available.end(), f) == available.end()) {
        return fail(ErrorCode::kBadRequest,
                    fmt::format("document type {} has no field '{}'", document_type, f));
      }
      if (!allowed(f)) {
        return fail(ErrorCode::kAccessDenied,
                    fmt::format("member {} may not receive field '{}' of {}", member.organ_code,
                                f, document_type));
      }
      decision.fields.push_back(f);
    }
  }
  std::sort(decision.fields.begin(), decision.fields.end());
  decision.fields.erase(std::unique(decision.fields.begin(), decision.fields.end()),
                        decision.fields.end());
  decision.all_fields = decision.fields.size() == available.size();
  return decision;
}

}  // namespace lienthong::policy
