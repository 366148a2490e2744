// Subcommands of the `lienthong` CLI. Each registers its options and returns the exit code.
// Exit codes are a contract: 0 success/valid, 1 verdict "not valid" or operation refused,
// 2 usage or I/O error.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

namespace lienthong::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitRefused = 1;
inline constexpr int kExitUsage = 2;

// Each returns the action to run when its subcommand was chosen.
std::function<int()> add_verify_xml(CLI::App& app);
std::function<int()> add_sign_xml(CLI::App& app);
std::function<int()> add_verify_jws(CLI::App& app);
std::function<int()> add_sign_jws(CLI::App& app);
std::function<int()> add_audit(CLI::App& app);  // audit verify
std::function<int()> add_policy(CLI::App& app);  // policy show | check | lint
std::function<int()> add_trust(CLI::App& app);   // trust list | add-anchor | pin-member | ...

}  // namespace lienthong::cli
