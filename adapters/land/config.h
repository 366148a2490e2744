// [adapters.land] → a ready LandAdapter: its upstream client (mTLS, timeouts, retries, breaker),
// the strict verifier over the upstream trust directory, the commune code table and its mapping.
#pragma once

#include "adapters/registry.h"

namespace lienthong::adapters::land {

Result<exchange::Adapter::Ptr> build_from_config(const toml::table& table,
                                                 const AdapterContext& context);

}  // namespace lienthong::adapters::land
