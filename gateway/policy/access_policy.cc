#include "gateway/policy/access_policy.h"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <toml++/toml.h>

#include "gateway/core/identifiers.h"

namespace lienthong::policy {
namespace {

int line_of(const toml::node& node) { return static_cast<int>(node.source().begin.line); }

// Collects the problems of one file; every reader below records and goes on, so that `policy
// lint` reports them all and parse() still refuses on the first.
class Problems {
 public:
  explicit Problems(std::string_view source) : source_(source) {}
  void add(int line, std::string what) { list_.push_back({source_, line, std::move(what)}); }
  std::size_t count() const { return list_.size(); }
  std::vector<Problem> take() { return std::move(list_); }
  const std::string& source() const { return source_; }

 private:
  std::string source_;
  std::vector<Problem> list_;
};

void refuse_unknown_keys(Problems& problems, const toml::table& table,
                         std::initializer_list<std::string_view> known) {
  for (const auto& [key, value] : table) {
    if (std::find(known.begin(), known.end(), key.str()) == known.end()) {
      problems.add(line_of(value), fmt::format("unknown key '{}'", key.str()));
    }
  }
}

// The key's own line when it is there, else the table's.
int line_of_key(const toml::table& table, std::string_view key) {
  const auto* node = table.get(key);
  return node ? line_of(*node) : line_of(table);
}

std::optional<std::string> required_string(Problems& problems, const toml::table& table,
                                           std::string_view key) {
  const auto* node = table.get(key);
  if (!node || !node->is_string()) {
    problems.add(line_of_key(table, key), fmt::format("'{}' must be a string", key));
    return std::nullopt;
  }
  return std::string(**node->as_string());
}

std::optional<std::vector<std::string>> string_list(Problems& problems, const toml::table& table,
                                                    std::string_view key) {
  const auto* node = table.get(key);
  const auto* array = node ? node->as_array() : nullptr;
  if (!array || array->empty()) {
    problems.add(line_of_key(table, key),
                 fmt::format("'{}' must be a non-empty list of strings", key));
    return std::nullopt;
  }
  std::vector<std::string> out;
  for (const auto& item : *array) {
    if (!item.is_string()) {
      problems.add(line_of(item), fmt::format("'{}' must contain strings only", key));
      return std::nullopt;
    }
    out.emplace_back(**item.as_string());
  }
  return out;
}

std::string optional_string(Problems& problems, const toml::table& table, std::string_view key) {
  const auto* node = table.get(key);
  if (!node) return "";
  if (!node->is_string()) {
    problems.add(line_of(*node), fmt::format("'{}' must be a string", key));
    return "";
  }
  return std::string(**node->as_string());
}

// A grant with a problem of its own is left out (nothing to check it against).
std::optional<Grant> parse_grant(Problems& problems, const toml::table& table) {
  const auto before = problems.count();
  refuse_unknown_keys(problems, table, {"adapter", "document_types", "fields"});
  Grant grant;
  grant.line = line_of(table);
  auto adapter = required_string(problems, table, "adapter");
  auto types = string_list(problems, table, "document_types");
  auto fields = string_list(problems, table, "fields");
  if (problems.count() != before) return std::nullopt;
  grant.adapter = std::move(*adapter);
  grant.document_types = std::move(*types);
  grant.fields = std::move(*fields);
  return grant;
}

}  // namespace

std::string Problem::text() const { return fmt::format("{}:{}: {}", source, line, what); }

bool field_matches(std::string_view pattern, std::string_view field) {
  if (pattern == "*") return true;
  if (pattern.size() >= 2 && pattern.substr(pattern.size() - 2) == ".*") {
    const auto prefix = pattern.substr(0, pattern.size() - 1);  // keeps the dot
    return field.substr(0, prefix.size()) == prefix;
  }
  return pattern == field;
}

AccessPolicy::ParseReport AccessPolicy::parse_all(std::string_view text, std::string_view source) {
  Problems problems(source);
  toml::table root;
  try {
    root = toml::parse(text, source);
  } catch (const toml::parse_error& e) {
    // toml++ stops at the first syntax error: nothing after it can be read.
    problems.add(static_cast<int>(e.source().begin.line), std::string(e.description()));
    return {nullptr, problems.take()};
  }
  refuse_unknown_keys(problems, root, {"member"});
  auto policy = std::make_shared<AccessPolicy>();
  policy->source_ = std::string(source);
  const auto* member_node = root.get("member");
  const auto* members = member_node ? member_node->as_array() : nullptr;
  if (member_node && !members) {
    problems.add(line_of(*member_node), "'member' must be an array of tables ([[member]])");
  }
  if (!members) return {policy, problems.take()};  // an empty policy refuses everyone
  std::map<std::pair<std::string, std::string>, int> seen;  // → line of the first
  for (const auto& node : *members) {
    const auto* table = node.as_table();
    if (!table) {
      problems.add(line_of(node), "each [[member]] must be a table");
      continue;
    }
    refuse_unknown_keys(problems, *table,
                        {"organ", "subsystem", "name", "request_signature", "grant"});
    MemberRule rule;
    rule.line = line_of(*table);
    if (auto organ = required_string(problems, *table, "organ")) {
      if (auto code = parse_organ_code(*organ); !code) {
        problems.add(line_of_key(*table, "organ"), code.error().detail);
      }
      rule.organ_code = std::move(*organ);
    }
    rule.subsystem = optional_string(problems, *table, "subsystem");
    rule.name = optional_string(problems, *table, "name");
    if (const auto* mode = table->get("request_signature")) {
      const auto* value = mode->as_string();
      if (!value || (**value != "required" && **value != "optional")) {
        problems.add(line_of(*mode), "request_signature must be \"required\" or \"optional\"");
      } else {
        rule.request_signature =
            **value == "required" ? RequestSignature::kRequired : RequestSignature::kOptional;
      }
    }
    if (!rule.organ_code.empty()) {
      auto [first, inserted] = seen.emplace(std::pair{rule.organ_code, rule.subsystem}, rule.line);
      if (!inserted) {
        problems.add(rule.line,
                     fmt::format("member {} (subsystem '{}') is listed twice (first at line {})",
                                 rule.organ_code, rule.subsystem, first->second));
      }
    }
    if (const auto* grant_node = table->get("grant")) {
      const auto* grants = grant_node->as_array();
      if (!grants) {
        problems.add(line_of(*grant_node), "'grant' must be an array of tables ([[member.grant]])");
      } else {
        for (const auto& g : *grants) {
          const auto* gt = g.as_table();
          if (!gt) {
            problems.add(line_of(g), "each [[member.grant]] must be a table");
            continue;
          }
          if (auto grant = parse_grant(problems, *gt)) rule.grants.push_back(std::move(*grant));
        }
      }
    }
    policy->members_.push_back(std::move(rule));
  }
  return {policy, problems.take()};
}

Result<AccessPolicy::Ptr> AccessPolicy::parse(std::string_view text, std::string_view source) {
  auto report = parse_all(text, source);
  if (!report.problems.empty()) {
    return fail(ErrorCode::kBadRequest, report.problems.front().text());
  }
  return report.policy;
}

Result<AccessPolicy::Ptr> AccessPolicy::load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(ErrorCode::kBadRequest, "cannot read access policy " + path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return parse(buffer.str(), path);
}

std::vector<Problem> AccessPolicy::check_all(const std::vector<Catalogue>& offered) const {
  std::vector<Problem> problems;
  auto add = [&](int line, std::string what) {
    problems.push_back({source_, line, std::move(what)});
  };
  for (const auto& member : members_) {
    for (const auto& grant : member.grants) {
      const bool adapter_known = std::any_of(offered.begin(), offered.end(), [&](const auto& c) {
        return c.adapter == grant.adapter;
      });
      if (!adapter_known) {
        add(grant.line, fmt::format("unknown adapter '{}'", grant.adapter));
        continue;
      }
      for (const auto& type : grant.document_types) {
        const auto entry = std::find_if(offered.begin(), offered.end(), [&](const auto& c) {
          return c.adapter == grant.adapter && c.document_type == type;
        });
        if (entry == offered.end()) {
          add(grant.line,
              fmt::format("adapter '{}' has no document type '{}'", grant.adapter, type));
          continue;
        }
        for (const auto& pattern : grant.fields) {
          const bool matches_any =
              std::any_of(entry->fields.begin(), entry->fields.end(),
                          [&](const std::string& f) { return field_matches(pattern, f); });
          if (!matches_any) {
            add(grant.line,
                fmt::format("field pattern '{}' matches no field of {}", pattern, type));
          }
        }
      }
    }
  }
  return problems;
}

Result<void> AccessPolicy::check_against(const std::vector<Catalogue>& offered) const {
  auto problems = check_all(offered);
  if (!problems.empty()) return fail(ErrorCode::kBadRequest, problems.front().text());
  return {};
}

const MemberRule* AccessPolicy::find_member(const Member& member) const {
  // A rule for the exact subsystem wins over the organ-wide rule.
  const MemberRule* rule = nullptr;
  for (const auto& m : members_) {
    if (m.organ_code != member.organ_code) continue;
    if (!m.subsystem.empty() && m.subsystem == member.subsystem) return &m;
    if (m.subsystem.empty() && !rule) rule = &m;
  }
  return rule;
}

const Grant* AccessPolicy::find_grant(const MemberRule& rule, std::string_view adapter,
                                      std::string_view document_type) {
  for (const auto& g : rule.grants) {
    if (g.adapter == adapter && std::find(g.document_types.begin(), g.document_types.end(),
                                          document_type) != g.document_types.end()) {
      return &g;
    }
  }
  return nullptr;
}

Result<Decision> AccessPolicy::authorize(const Member& member, std::string_view adapter,
                                         std::string_view document_type,
                                         const std::vector<std::string>& wanted,
                                         const std::vector<std::string>& available) const {
  const MemberRule* rule = find_member(member);
  if (!rule) {
    return fail(ErrorCode::kAccessDenied,
                fmt::format("member {} is not in the access policy", member.organ_code));
  }
  const Grant* grant = find_grant(*rule, adapter, document_type);
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
