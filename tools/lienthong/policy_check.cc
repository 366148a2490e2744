// lienthong policy check: the gateway's own decision (AccessPolicy::authorize, through
// policy::explain) for one member, adapter and document type, with the rule that made it.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <iostream>
#include <nlohmann/json.hpp>

#include "gateway/core/identifiers.h"
#include "gateway/policy/policy_explain.h"
#include "tools/lienthong/commands.h"
#include "tools/lienthong/policy_subcommands.h"

namespace lienthong::cli {
namespace {

constexpr std::string_view kCmd = "lienthong policy check: ";

struct Report {
  policy::Explanation explanation;
  bool expanded = false;  // fields are real fields of the document type
  std::vector<std::string> patterns;
  std::vector<std::string> notes;
};

void print_text(const PolicyCheckArgs& args, const Report& r) {
  const auto& d = r.explanation.decision;
  const auto who = args.subsystem.empty()
                       ? args.member
                       : fmt::format("{} (subsystem '{}')", args.member, args.subsystem);
  if (d) {
    std::cout << fmt::format("ALLOWED: {} may ask {} for {}\n", who, args.adapter,
                             args.document_type);
  } else {
    std::cout << fmt::format("DENIED ({}): {}\n", error_code_name(d.error().code),
                             d.error().detail);
  }
  std::cout << "  rule: " << r.explanation.rule << "\n";
  if (d) {
    if (r.expanded) {
      std::cout << fmt::format("  fields ({}{}): {}\n", d->fields.size(),
                               d->all_fields ? ", every field" : "", fmt::join(d->fields, ", "));
    } else if (!args.fields.empty()) {
      std::cout << fmt::format("  fields: {} (not checked against the document type)\n",
                               fmt::join(d->fields, ", "));
    } else {
      std::cout << fmt::format(
          "  fields: could not be expanded without the catalogue "
          "(give --config GATEWAY_TOML); patterns: {}\n",
          fmt::join(r.patterns, ", "));
    }
  }
  for (const auto& note : r.notes) std::cout << "  note: " << note << "\n";
}

void print_json(const PolicyCheckArgs& args, const Report& r) {
  const auto& d = r.explanation.decision;
  nlohmann::json out{{"allowed", d.has_value()},
                     {"member", args.member},
                     {"subsystem", args.subsystem},
                     {"adapter", args.adapter},
                     {"document_type", args.document_type},
                     {"rule", r.explanation.rule},
                     {"line", r.explanation.line},
                     {"patterns", r.patterns},
                     {"fields_expanded", r.expanded},
                     {"notes", r.notes}};
  if (d) {
    out["fields"] =
        (r.expanded || !args.fields.empty()) ? nlohmann::json(d->fields) : nlohmann::json(nullptr);
    out["all_fields"] = r.expanded && d->all_fields;
  } else {
    out["fields"] = nlohmann::json::array();
    out["error"] = {{"code", error_code_name(d.error().code)}, {"detail", d.error().detail}};
  }
  print_json_line(out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

}  // namespace

int run_policy_check(const PolicyCheckArgs& args) {
  if (auto code = parse_organ_code(args.member); !code) {
    std::cerr << kCmd << "MEMBER: " << code.error().detail << "\n";
    return kExitUsage;
  }
  auto loaded = load_policy(args.sources, !args.sources.config_file.empty());
  if (!loaded) {
    std::cerr << kCmd << loaded.error().detail << "\n";
    return kExitUsage;
  }
  Report report;
  std::vector<std::string> available;
  if (loaded->catalogue) {
    const auto& catalogue = *loaded->catalogue;
    const auto entry = std::find_if(catalogue.begin(), catalogue.end(), [&](const auto& c) {
      return c.adapter == args.adapter && c.document_type == args.document_type;
    });
    if (entry != catalogue.end()) {
      available = entry->fields;
      report.expanded = true;
    } else {
      report.notes.push_back(
          fmt::format("{} does not configure adapter {} with document type "
                      "{}: the gateway would not serve it",
                      args.sources.config_file, args.adapter, args.document_type));
    }
    // The gateway refuses to start on these; say so rather than let the answer mislead.
    for (const auto& p : loaded->policy->check_all(catalogue)) {
      report.notes.push_back("the gateway would refuse this policy: " + p.text());
    }
  }
  if (!report.expanded) {
    // Without the catalogue the wanted fields are taken to exist: only the patterns decide.
    available = args.fields;
  }
  Member member;
  member.organ_code = args.member;
  member.subsystem = args.subsystem;
  report.explanation = policy::explain(*loaded->policy, member, args.adapter, args.document_type,
                                       args.fields, available);
  if (report.explanation.decision) {
    report.patterns = report.explanation.decision->grant->fields;
  } else if (const auto* rule = loaded->policy->find_member(member)) {
    if (const auto* grant =
            policy::AccessPolicy::find_grant(*rule, args.adapter, args.document_type)) {
      report.patterns = grant->fields;
    }
  }
  if (args.json) {
    print_json(args, report);
  } else {
    print_text(args, report);
  }
  return report.explanation.decision ? kExitOk : kExitRefused;
}

}  // namespace lienthong::cli
