// The outbox's AxisSender over the project's HTTP client: POST <documents_path> with the edXML
// bytes (application/xml) and the bearer token of the API manager in front of the axis
// (AXIS_SIMULATOR.md; the paths are this project's assumption, hence configurable).
//
// Outcomes, as the deliverer reads them (gateway/outbox/backoff.h is_retryable):
//   201 / 200 duplicate        → AxisReceipt {id, duplicate}: a duplicate is a delivery
//   400, 409, 413, 415         → BAD_REQUEST: the axis refused the document itself; permanent
//   401                        → the token is dropped and a fresh one tried once; a second 401 is
//                                UPSTREAM_UNAVAILABLE (credentials: an operator fixes them)
//   429                        → RATE_LIMITED
//   5xx, other 4xx, transport  → UPSTREAM_UNAVAILABLE / UPSTREAM_TIMEOUT: retried later
// Error details name the status and the axis's error code, never the document's contents.
//
// send() blocks its caller (a deliverer thread) until the HTTP client's callback has run; it
// must not be called from the HTTP client's own thread.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "gateway/core/error.h"
#include "gateway/outbox/outbox_types.h"
#include "gateway/upstream/bearer_token.h"
#include "gateway/upstream/http_client.h"

namespace lienthong::edxml {

struct AxisClientConfig {
  std::string documents_path = "/documents";
  std::size_t max_answer_bytes = 64 << 10;
};

class AxisClient final : public outbox::AxisSender {
 public:
  // `tokens` may be null for an axis that takes no bearer token.
  static Result<std::shared_ptr<AxisClient>> create(
      upstream::HttpClient::Ptr http, std::shared_ptr<upstream::BearerTokenSource> tokens,
      AxisClientConfig config = {});

  Result<outbox::AxisReceipt> send(const outbox::OutboxEntry& entry) override;

 private:
  AxisClient(upstream::HttpClient::Ptr http, std::shared_ptr<upstream::BearerTokenSource> tokens,
             AxisClientConfig config);
  Result<std::string> token();
  Result<upstream::HttpResponse> post(const outbox::OutboxEntry& entry, const std::string& token);

  const upstream::HttpClient::Ptr http_;
  const std::shared_ptr<upstream::BearerTokenSource> tokens_;
  const AxisClientConfig config_;
};

// Reads a 200/201 answer of POST /documents. Public for tests.
Result<outbox::AxisReceipt> parse_axis_receipt(const upstream::HttpResponse& answer,
                                               std::string_view document_id, std::size_t max_bytes);

}  // namespace lienthong::edxml
