#include "adapters/business/config.h"

#include "adapters/business/adapter.h"

namespace lienthong::adapters::business {

Result<exchange::Adapter::Ptr> build_from_config(const toml::table& table,
                                                 const AdapterContext& context) {
  return rest::build_signed_rest_adapter<BusinessAdapter>(table, "business", context);
}

}  // namespace lienthong::adapters::business
