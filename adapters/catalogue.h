// What the adapters of a gateway config offer (adapter, document type, fields), read from
// their mappings only: nothing is built, no secret, key or trust directory is read and no
// upstream is contacted. For `lienthong policy check|lint --config`; the gateway itself asks
// the built adapters (LookupPipeline::create), and the two agree because both come from the
// mapping's field_names().
#pragma once

#include <filesystem>
#include <vector>

#include <toml++/toml.h>

#include "gateway/core/error.h"
#include "gateway/policy/access_policy.h"

namespace lienthong::adapters {

// `adapters` is the [adapters] table of the gateway config; relative `mapping` paths are
// relative to `config_dir`. An adapter not in registry.cc, a missing `mapping` key or an
// unreadable mapping (or, for JSON upstreams, its schema) is an error naming it.
Result<std::vector<policy::AccessPolicy::Catalogue>> catalogue_from_config(
    const toml::table& adapters, const std::filesystem::path& config_dir);

// The adapters catalogue_from_config knows how to read, for a test that keeps it in step with
// registry().
std::vector<std::string> catalogued_adapters();

}  // namespace lienthong::adapters
