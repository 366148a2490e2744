// The three `lienthong policy` subcommands (policy_command.cc registers them). Each returns the
// exit code of commands.h: 0 success/allowed/clean, 1 denied/problems found, 2 usage or I/O.
#pragma once

#include <string>
#include <vector>

#include "tools/lienthong/policy_inputs.h"

namespace lienthong::cli {

struct PolicyShowArgs {
  PolicySources sources;
  bool json = false;
};
int run_policy_show(const PolicyShowArgs& args);

struct PolicyCheckArgs {
  std::string member, adapter, document_type, subsystem;
  std::vector<std::string> fields;
  PolicySources sources;
  bool json = false;
};
int run_policy_check(const PolicyCheckArgs& args);

struct PolicyLintArgs {
  std::string file, config, trust;
  bool json = false;
};
int run_policy_lint(const PolicyLintArgs& args);

// One JSON object on one line, as every `lienthong` command prints it.
void print_json_line(const std::string& dumped);

}  // namespace lienthong::cli
