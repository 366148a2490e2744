// lienthong policy show: the policy as the gateway reads it, member by member.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <iostream>
#include <nlohmann/json.hpp>

#include "gateway/policy/policy_json.h"
#include "tools/lienthong/commands.h"
#include "tools/lienthong/policy_subcommands.h"

namespace lienthong::cli {
namespace {

void print_text(const policy::AccessPolicy& p) {
  std::cout << fmt::format("{}: {} member(s)\n", p.source(), p.members().size());
  for (const auto& m : p.members()) {
    std::cout << fmt::format("\n{}{}  line {}\n", m.organ_code,
                             m.subsystem.empty() ? "" : " subsystem '" + m.subsystem + "'", m.line);
    if (!m.name.empty()) std::cout << "  name: " << m.name << "\n";
    std::cout << "  request_signature: " << policy::request_signature_name(m.request_signature)
              << "\n";
    if (m.grants.empty()) std::cout << "  no grants (every lookup is refused)\n";
    for (const auto& g : m.grants) {
      std::cout << fmt::format("  grant {} {} fields {}  line {}\n", g.adapter,
                               fmt::join(g.document_types, ", "), fmt::join(g.fields, ", "),
                               g.line);
    }
  }
}

}  // namespace

int run_policy_show(const PolicyShowArgs& args) {
  auto loaded = load_policy(args.sources, false);
  if (!loaded) {
    std::cerr << "lienthong policy show: " << loaded.error().detail << "\n";
    return kExitUsage;
  }
  if (args.json) {
    print_json_line(policy::to_json(*loaded->policy)
                        .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  } else {
    print_text(*loaded->policy);
  }
  return kExitOk;
}

}  // namespace lienthong::cli
