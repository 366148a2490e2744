// What `lienthong policy` subcommands read: the policy (a file, or the one a gateway config
// names) and the adapters' catalogue (from the gateway config's mappings, nothing started).
// Each failure is a message for stderr; the callers exit 2 (usage or I/O error).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "gateway/core/error.h"
#include "gateway/policy/access_policy.h"

namespace lienthong::cli {

struct PolicySources {
  std::string policy_file;  // --policy
  std::string config_file;  // --config
};

struct LoadedPolicy {
  policy::AccessPolicy::Ptr policy;
  std::string file;  // the policy file read
  // With --config: every document type the configured adapters offer.
  std::optional<std::vector<policy::AccessPolicy::Catalogue>> catalogue;
};

// --policy wins over the config's [policy] file when both are given; the config still gives
// the catalogue.
Result<LoadedPolicy> load_policy(const PolicySources& sources, bool want_catalogue);

// The catalogue of a gateway config's adapters; reads the config and the mappings only.
Result<std::vector<policy::AccessPolicy::Catalogue>> load_catalogue(const std::string& config);

Result<std::string> read_text(const std::string& file);

}  // namespace lienthong::cli
