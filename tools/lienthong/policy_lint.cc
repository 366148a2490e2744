// lienthong policy lint: every problem of a policy file (gateway/policy/policy_lint.h), each
// as "FILE:LINE: what". Warnings (members no certificate names) are printed and keep exit 0.
#include <fmt/format.h>

#include <algorithm>
#include <iostream>
#include <nlohmann/json.hpp>

#include "gateway/policy/policy_lint.h"
#include "gateway/policy/trust_members.h"
#include "tools/lienthong/commands.h"
#include "tools/lienthong/policy_subcommands.h"

namespace lienthong::cli {

int run_policy_lint(const PolicyLintArgs& args) {
  constexpr std::string_view kCmd = "lienthong policy lint: ";
  auto text = read_text(args.file);
  if (!text) {
    std::cerr << kCmd << "cannot read access policy " << args.file << "\n";
    return kExitUsage;
  }
  policy::LintInputs inputs;
  if (!args.config.empty()) {
    auto catalogue = load_catalogue(args.config);
    if (!catalogue) {
      std::cerr << kCmd << catalogue.error().detail << "\n";
      return kExitUsage;
    }
    inputs.catalogue = std::move(*catalogue);
  }
  if (!args.trust.empty()) {
    auto certified = policy::members_in_trust_directory(args.trust);
    if (!certified) {
      std::cerr << kCmd << certified.error().detail << "\n";
      return kExitUsage;
    }
    inputs.certified = std::move(*certified);
    inputs.trust_name = args.trust;
  }
  const auto findings = policy::lint(*text, args.file, inputs);
  const auto problems = static_cast<std::size_t>(
      std::count_if(findings.begin(), findings.end(), [](const auto& f) { return !f.warning; }));
  const auto warnings = findings.size() - problems;
  if (args.json) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& f : findings) {
      list.push_back({{"file", f.problem.source},
                      {"line", f.problem.line},
                      {"severity", f.warning ? "warning" : "error"},
                      {"message", f.problem.what},
                      {"text", f.problem.text()}});
    }
    nlohmann::json out{{"ok", problems == 0},
                       {"file", args.file},
                       {"problems", problems},
                       {"warnings", warnings},
                       {"findings", std::move(list)},
                       {"catalogue_checked", inputs.catalogue.has_value()},
                       {"trust_checked", inputs.certified.has_value()}};
    print_json_line(out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  } else {
    for (const auto& f : findings) std::cout << f.problem.text() << "\n";
    std::cout << fmt::format("{}: {}, {} problem(s), {} warning(s)\n", args.file,
                             problems == 0 ? "OK" : "NOT OK", problems, warnings);
  }
  return problems == 0 ? kExitOk : kExitRefused;
}

}  // namespace lienthong::cli
