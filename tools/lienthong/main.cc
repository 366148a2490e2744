// `lienthong`: the operator's and integrator's tool (DESIGN.md §2).
#include <iostream>
#include <map>

#include "tools/lienthong/commands.h"

namespace {

int run(int argc, char** argv) {
  CLI::App app{"lienthong: tools for the lienthong data-exchange gateway"};
  app.require_subcommand(1);
  app.set_help_all_flag("--help-all", "Show help for every subcommand");
  std::map<std::string, std::function<int()>> actions;
  actions["verify-xml"] = lienthong::cli::add_verify_xml(app);
  actions["sign-xml"] = lienthong::cli::add_sign_xml(app);
  actions["verify-jws"] = lienthong::cli::add_verify_jws(app);
  actions["sign-jws"] = lienthong::cli::add_sign_jws(app);
  actions["audit"] = lienthong::cli::add_audit(app);
  actions["policy"] = lienthong::cli::add_policy(app);
  actions["trust"] = lienthong::cli::add_trust(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? 0 : lienthong::cli::kExitUsage;
  }
  for (auto* sub : app.get_subcommands()) {
    auto it = actions.find(sub->get_name());
    if (it != actions.end()) {
      try {
        return it->second();
      } catch (const std::exception& e) {
        std::cerr << "lienthong " << sub->get_name() << ": " << e.what() << "\n";
        return lienthong::cli::kExitUsage;
      }
    }
  }
  return lienthong::cli::kExitUsage;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {  // startup and the CLI may throw; report, do not abort
    std::cerr << "lienthong: " << e.what() << "\n";
    return lienthong::cli::kExitUsage;
  }
}
