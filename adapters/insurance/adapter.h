// adapters/insurance: social insurance (BHXH Việt Nam), REST
// `GET …/bhxh/1.0/traCuuQuaTrinhDong?maSoBHXH=<10 digits>` or `?soDinhDanh=<personal ID>`
// behind the API manager's bearer token; every call names the officer who asks in
// X-Officer-Id and X-Officer-Account (from the query, never from config). The answer's
// detached JWS must verify and come from a configured signer (adapters/rest/signed_json_call.h);
// it is read through mappings/insurance.toml and must be about the person asked for.
#pragma once

#include <memory>

#include "adapters/rest/signed_rest_adapter.h"

namespace lienthong::adapters::insurance {

class InsuranceAdapter final : public rest::SignedRestAdapter {
 public:
  static Result<std::shared_ptr<InsuranceAdapter>> create(rest::SignedRestAdapterParts parts);

  // A 10-digit social insurance code or a 12-digit personal ID; BAD_REQUEST otherwise.
  Result<void> check_subject(std::string_view subject) const override;
  // BAD_REQUEST when the officer's personal ID is not valid or the account is missing.
  Result<Request> request_for(const exchange::AdapterQuery& query) const override;

 protected:
  Result<RecordFields> fields_of(const exchange::AdapterQuery& query,
                                 const nlohmann::json& answer) const override;

 private:
  explicit InsuranceAdapter(rest::SignedRestAdapterParts parts)
      : SignedRestAdapter("insurance", std::move(parts)) {}
};

}  // namespace lienthong::adapters::insurance
