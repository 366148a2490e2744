// [adapters.population] → a ready PopulationAdapter: its upstream client (mTLS, timeouts,
// retries, breaker), the strict verifier over the upstream trust directory, and its mapping.
#pragma once

#include "adapters/registry.h"

namespace lienthong::adapters::population {

Result<exchange::Adapter::Ptr> build_from_config(const toml::table& table,
                                                 const AdapterContext& context);

}  // namespace lienthong::adapters::population
