// adapters/business: the enterprise registry (CSDLQG về đăng ký doanh nghiệp), REST
// `GET …/apiCSDLDKDN/1.0/chiTietDoanhNghiep?msdn=<code>` behind the API manager's bearer token
// (FORMATS.md §4). The enterprise code is checked (check digit) before any call; the answer's
// detached JWS (X-JWS-Signature) must verify and come from a configured signer
// (adapters/rest/signed_json_call.h); both documented answer shapes are read through
// mappings/business.toml, and the record must be about the enterprise asked for.
#pragma once

#include <memory>

#include "adapters/rest/signed_rest_adapter.h"

namespace lienthong::adapters::business {

class BusinessAdapter final : public rest::SignedRestAdapter {
 public:
  static Result<std::shared_ptr<BusinessAdapter>> create(rest::SignedRestAdapterParts parts);

  // An enterprise code, "0100109106" or a branch's "0100109106-001"; BAD_REQUEST otherwise.
  Result<void> check_subject(std::string_view subject) const override;
  Result<Request> request_for(const exchange::AdapterQuery& query) const override;

 protected:
  Result<RecordFields> fields_of(const exchange::AdapterQuery& query,
                                 const nlohmann::json& answer) const override;

 private:
  explicit BusinessAdapter(rest::SignedRestAdapterParts parts)
      : SignedRestAdapter("business", std::move(parts)) {}
};

}  // namespace lienthong::adapters::business
