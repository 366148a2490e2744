// lienthong policy show  [--policy FILE | --config GATEWAY_TOML] [--json]
// lienthong policy check MEMBER ADAPTER DOCTYPE [--field F]... [--subsystem S]
//                        (--policy FILE | --config GATEWAY_TOML) [--json]
// lienthong policy lint  FILE [--config GATEWAY_TOML] [--trust DIR] [--json]
// For administrators (docs/admin/policy.md). Exit 0 success/allowed/clean, 1 denied or problems
// found, 2 usage or I/O error.
#include <iostream>

#include "tools/lienthong/commands.h"
#include "tools/lienthong/policy_subcommands.h"

namespace lienthong::cli {
namespace {

void add_sources(CLI::App* cmd, PolicySources& sources) {
  cmd->add_option("--policy", sources.policy_file, "Access policy file (TOML)");
  cmd->add_option("--config", sources.config_file,
                  "Gateway config: its [policy] file, and its adapters' catalogue (mappings only; "
                  "nothing is started, no secret is read)");
}

}  // namespace

void print_json_line(const std::string& dumped) { std::cout << dumped << "\n"; }

std::function<int()> add_policy(CLI::App& app) {
  auto show_args = std::make_shared<PolicyShowArgs>();
  auto check_args = std::make_shared<PolicyCheckArgs>();
  auto lint_args = std::make_shared<PolicyLintArgs>();
  CLI::App* cmd = app.add_subcommand("policy", "Access policy: show, check, lint");
  cmd->require_subcommand(1);

  CLI::App* show = cmd->add_subcommand("show", "Every member and its grants");
  add_sources(show, show_args->sources);
  show->add_flag("--json", show_args->json, "Print one JSON object");

  CLI::App* check = cmd->add_subcommand(
      "check",
      "May MEMBER ask ADAPTER for DOCTYPE, which rule decides, which fields it gets "
      "(exit 0 allowed, 1 denied)");
  check->add_option("MEMBER", check_args->member, "Organ code NNN.NN.NN.ANN")->required();
  check->add_option("ADAPTER", check_args->adapter, "Adapter, e.g. population")->required();
  check->add_option("DOCTYPE", check_args->document_type, "Document type, e.g. CD01")->required();
  check->add_option("--field", check_args->fields, "A field the member asks for; repeatable");
  check->add_option("--subsystem", check_args->subsystem,
                    "The member's subsystem (its certificate's OU)");
  add_sources(check, check_args->sources);
  check->add_flag("--json", check_args->json, "Print one JSON object");

  CLI::App* lint = cmd->add_subcommand(
      "lint", "Every problem of a policy file as FILE:LINE: what (exit 0 clean, 1 problems)");
  lint->add_option("FILE", lint_args->file, "Access policy file (TOML)")->required();
  lint->add_option("--config", lint_args->config,
                   "Gateway config: check grants against its adapters' catalogue");
  lint->add_option("--trust", lint_args->trust,
                   "Trust directory: warn about members no certificate in it names");
  lint->add_flag("--json", lint_args->json, "Print one JSON object");

  return [show, check, lint, show_args, check_args, lint_args] {
    if (show->parsed()) return run_policy_show(*show_args);
    if (check->parsed()) return run_policy_check(*check_args);
    if (lint->parsed()) return run_policy_lint(*lint_args);
    return kExitUsage;
  };
}

}  // namespace lienthong::cli
