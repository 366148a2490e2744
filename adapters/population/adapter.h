// adapters/population: the national population database (CSDLQG về dân cư), SOAP 1.1
// `TraCuuThongTinCongDan` ("API 037", ../shared/FORMATS.md §4). Builds the request naming the
// officer, sends it through the upstream client (libcurl multi, mTLS), verifies the answer's
// XML-DSig with the strict policy, reads only the node the signature covers, and maps it
// through mappings/population.toml to the canonical citizen record.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "gateway/core/clock.h"
#include "gateway/core/executor.h"
#include "gateway/crypto/xml_verifier.h"
#include "gateway/exchange/adapter.h"
#include "gateway/exchange/xml_mapping.h"
#include "gateway/upstream/http_client.h"

namespace lienthong::adapters::population {

struct PopulationConfig {
  std::string url;  // https://…/dancu/TraCuuThongTinCongDan
  // The API's own credentials (besides mTLS): Basic auth over a SHA-256 of these.
  std::string username;
  std::string secret;
  std::string api_key;
  std::string auth_url = "https://lienthong-sim/xacthuc";  // url_xacthuc in the hash
  std::string x_road_client;                                // the gateway's subsystem id
  std::string ma_dvc;  // the gateway's service code (MaDVC)
  // Subject CNs of the certificates allowed to sign answers. Every member certificate chains
  // to the same national CA, so a valid chain alone must not make a signer the population DB.
  std::vector<std::string> trusted_signers;

  Result<void> validate() const;
};

struct PopulationParts {
  std::shared_ptr<const PopulationConfig> config;
  upstream::HttpClient::Ptr http;
  crypto::XmlVerifier::Ptr verifier;  // strict policy, upstream trust directory
  std::shared_ptr<const exchange::XmlMapping> mapping;
  Executor::Ptr executor;
  Clock::Ptr clock;
};

class PopulationAdapter final : public exchange::Adapter,
                                public std::enable_shared_from_this<PopulationAdapter> {
 public:
  static Result<std::shared_ptr<PopulationAdapter>> create(PopulationParts parts);

  std::string_view name() const override { return "population"; }
  const std::vector<exchange::DocumentTypeSpec>& document_types() const override {
    return types_;
  }
  Result<void> check_subject(std::string_view subject) const override;
  void fetch(exchange::AdapterQuery query, exchange::RecordCallback done) override;
  std::string upstream_state() const override { return parts_.http->breaker_state(); }

  // Exposed for unit tests: the SOAP request, and the reading of an answer.
  Result<upstream::HttpRequest> build_request(const exchange::AdapterQuery& query) const;
  Result<VerifiedRecord> read_answer(const exchange::AdapterQuery& query,
                                     const upstream::HttpResponse& response) const;

 private:
  explicit PopulationAdapter(PopulationParts parts);

  PopulationParts parts_;
  std::vector<exchange::DocumentTypeSpec> types_;
};

}  // namespace lienthong::adapters::population
