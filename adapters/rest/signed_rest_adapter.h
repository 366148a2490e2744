// The shape both JWS-signed REST adapters share (enterprise registry, social insurance): one
// document type from the JSON mapping, one signed GET per lookup (SignedJsonCall), and the
// verified record built from the mapped fields with the JWS as evidence. A subclass says only
// how a subject becomes a query and how an answer becomes fields about that subject.
#pragma once

#include <concepts>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/rest/signed_json_call.h"
#include "adapters/rest/signed_rest_config.h"
#include "gateway/exchange/adapter.h"
#include "gateway/exchange/json_mapping.h"

namespace lienthong::adapters::rest {

class SignedRestAdapter : public exchange::Adapter,
                          public std::enable_shared_from_this<SignedRestAdapter> {
 public:
  std::string_view name() const override { return name_; }
  const std::vector<exchange::DocumentTypeSpec>& document_types() const override { return types_; }
  // check_subject() first (no upstream call for a malformed subject), then request_for().
  void fetch(exchange::AdapterQuery query, exchange::RecordCallback done) override;
  std::string upstream_state() const override { return parts_.call->upstream_state(); }

  // The record of one verified answer (fields_of(), then code, times and evidence). Public for
  // tests.
  Result<VerifiedRecord> record_from(const exchange::AdapterQuery& query,
                                     SignedAnswer answer) const;

  struct Request {
    std::string query;  // "msdn=0100109106", without '?'
    Headers headers;
  };
  // Exposed for tests: what is sent for `query`; BAD_REQUEST refuses it before any call.
  virtual Result<Request> request_for(const exchange::AdapterQuery& query) const = 0;

 protected:
  // BAD_REQUEST when the mapping lacks a field in `needed` (the subject checks read them).
  SignedRestAdapter(std::string name, SignedRestAdapterParts parts);
  static Result<void> check_mapping(std::string_view name, const SignedRestAdapterParts& parts,
                                    const std::vector<std::string>& needed);

  // The canonical fields of a verified answer: NOT_FOUND when the upstream knows no such
  // subject, UPSTREAM_UNAVAILABLE when the answer is about another one or breaks the mapping.
  virtual Result<RecordFields> fields_of(const exchange::AdapterQuery& query,
                                         const nlohmann::json& answer) const = 0;

  const exchange::JsonMapping& mapping() const { return *parts_.mapping; }

 private:
  std::string name_;
  SignedRestAdapterParts parts_;
  std::vector<exchange::DocumentTypeSpec> types_;
};

// [adapters.<name>] → a ready adapter of type A (A::create(SignedRestAdapterParts)).
template <class A>
requires std::derived_from<A, SignedRestAdapter> Result<exchange::Adapter::Ptr>
build_signed_rest_adapter(const toml::table& table, std::string_view name,
                          const AdapterContext& context) {
  auto parts = read_signed_rest_config(table, name, context);
  if (!parts) return tl::unexpected(parts.error());
  auto adapter = A::create(std::move(*parts));
  if (!adapter) return tl::unexpected(adapter.error());
  return exchange::Adapter::Ptr(std::move(*adapter));
}

}  // namespace lienthong::adapters::rest
