#include "adapters/insurance/config.h"

#include "adapters/insurance/adapter.h"

namespace lienthong::adapters::insurance {

Result<exchange::Adapter::Ptr> build_from_config(const toml::table& table,
                                                 const AdapterContext& context) {
  return rest::build_signed_rest_adapter<InsuranceAdapter>(table, "insurance", context);
}

}  // namespace lienthong::adapters::insurance
