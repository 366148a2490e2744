// lienthong audit verify DIR [--json]
// Checks an audit directory's hash chain and HEAD (gateway/audit/README.md).
// Exit 0 intact, 1 broken (the first break is printed), 2 usage or I/O error.
#include <iostream>
#include <nlohmann/json.hpp>

#include "gateway/audit/audit_verifier.h"
#include "tools/lienthong/commands.h"

namespace lienthong::cli {

namespace {

struct AuditVerifyArgs {
  std::string dir;
  bool json = false;
};

int print_report(const audit::VerifyReport& report, bool as_json) {
  if (as_json) {
    nlohmann::json out;
    out["ok"] = report.ok();
    out["entries"] = report.entries;
    out["segments"] = report.segments;
    out["last_seq"] = report.last_seq;
    out["head"] = report.head_hash;
    if (report.broken) {
      out["break"] = {{"file", report.broken->file},
                      {"line", report.broken->line},
                      {"seq", report.broken->seq},
                      {"problem", report.broken->problem}};
    }
    out["notes"] = report.notes;
    std::cout << out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  } else if (report.ok()) {
    std::cout << "audit OK: " << report.entries << " entries in " << report.segments
              << " segments, head " << report.head_hash << "\n";
  } else {
    const auto& b = *report.broken;
    std::cout << "audit BROKEN: " << b.file << " line " << b.line << " (seq " << b.seq
              << "): " << b.problem << "\n"
              << "  " << report.entries << " entries verified before the break\n";
  }
  if (!as_json)
    for (const auto& note : report.notes) std::cout << "note: " << note << "\n";
  return report.ok() ? kExitOk : kExitRefused;
}

int run_verify(const AuditVerifyArgs& args) {
  auto report = audit::verify_directory(args.dir);
  if (!report) {
    std::cerr << "lienthong audit verify: " << report.error().detail << "\n";
    return kExitUsage;
  }
  return print_report(*report, args.json);
}

}  // namespace

std::function<int()> add_audit(CLI::App& app) {
  auto verify_args = std::make_shared<AuditVerifyArgs>();
  CLI::App* cmd = app.add_subcommand("audit", "Audit log tools");
  cmd->require_subcommand(1);
  CLI::App* verify = cmd->add_subcommand(
      "verify", "Check an audit directory's hash chain and HEAD (exit 0 intact, 1 broken)");
  verify->add_option("DIR", verify_args->dir, "Audit directory (segments and HEAD)")->required();
  verify->add_flag("--json", verify_args->json, "Print one JSON object");
  return [verify, verify_args] {
    if (verify->parsed()) return run_verify(*verify_args);
    return kExitUsage;
  };
}

}  // namespace lienthong::cli
