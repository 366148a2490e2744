// The axis over the project's HTTP client and the bearer token of the API manager in front of
// it (AXIS_SIMULATOR.md; the paths are this project's assumption, hence configurable): the
// outbox's AxisSender (POST <documents_path>) and the receiver's AxisInbound (pending, fetch,
// ack, Status both ways).
//
// Outcomes of send(), as the deliverer reads them (gateway/outbox/backoff.h is_retryable):
//   201 / 200 duplicate        → AxisReceipt {id, duplicate}: a duplicate is a delivery
//   400, 409, 413, 415         → BAD_REQUEST: the axis refused the document itself; permanent
//   401                        → the token is dropped and a fresh one tried once; a second 401 is
//                                UPSTREAM_UNAVAILABLE (credentials: an operator fixes them)
//   429                        → RATE_LIMITED
//   5xx, other 4xx, transport  → UPSTREAM_UNAVAILABLE / UPSTREAM_TIMEOUT: retried later
// The AxisInbound calls map the same way except 404 → NOT_FOUND and 403 → ACCESS_DENIED (the
// caller asked about a document that is not there, or not its organ's). An answer that is too
// large or does not read (JSON beyond its limits, missing fields) is UPSTREAM_UNAVAILABLE.
// Error details name the status and the axis's error code, never the document's contents.
//
// Every call blocks its caller (a deliverer or receiver thread, a front's worker) until the
// HTTP client's callback has run; it must not be called from the HTTP client's own thread.
// The HTTP client's own UpstreamConfig::max_response_bytes must be at least
// max_document_bytes, or a large document fails in the client before it reaches the limit here.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/core/error.h"
#include "gateway/documents/axis_inbound.h"
#include "gateway/outbox/outbox_types.h"
#include "gateway/upstream/bearer_token.h"
#include "gateway/upstream/http_client.h"

namespace lienthong::edxml {

struct AxisClientConfig {
  std::string documents_path = "/documents";
  // `{id}` stands for the axis's document id (percent-encoded); `?organ=` is appended where the
  // call names an organ.
  std::string pending_path = "/documents/pending";
  std::string document_path = "/documents/{id}";
  std::string ack_path = "/documents/{id}/ack";
  std::string status_path = "/documents/{id}/status";
  std::size_t max_answer_bytes = 64 << 10;  // a receipt, an ack, a posted status
  // A pending list or a status history: about 200 bytes per entry.
  std::size_t max_list_bytes = std::size_t{4} << 20;
  std::size_t max_list_entries = 10'000;
  std::size_t max_document_bytes = std::size_t{32} << 20;  // the axis's own limit
};

class AxisClient final : public outbox::AxisSender, public documents::AxisInbound {
 public:
  // `tokens` may be null for an axis that takes no bearer token.
  static Result<std::shared_ptr<AxisClient>> create(
      upstream::HttpClient::Ptr http, std::shared_ptr<upstream::BearerTokenSource> tokens,
      AxisClientConfig config = {});

  Result<outbox::AxisReceipt> send(const outbox::OutboxEntry& entry) override;

  Result<std::vector<documents::PendingDocument>> pending(std::string_view organ) override;
  Result<std::string> fetch(std::string_view axis_id) override;
  Result<void> ack(std::string_view axis_id, std::string_view organ) override;
  // The record carries what the axis answers (status code, duplicate); the caller knows the
  // rest of the Status it signed.
  Result<documents::StatusRecord> post_status(std::string_view axis_id,
                                              const std::string& signed_status) override;
  Result<std::vector<documents::StatusRecord>> status_history(std::string_view axis_id) override;

 private:
  AxisClient(upstream::HttpClient::Ptr http, std::shared_ptr<upstream::BearerTokenSource> tokens,
             AxisClientConfig config);
  Result<std::string> token();
  // One request with the bearer token; a 401 drops the token and tries once more with a fresh
  // one. Any other status is returned for the caller to map.
  Result<upstream::HttpResponse> call(upstream::HttpRequest request);
  std::string document_url(const std::string& path, std::string_view axis_id) const;

  const upstream::HttpClient::Ptr http_;
  const std::shared_ptr<upstream::BearerTokenSource> tokens_;
  const AxisClientConfig config_;
};

// Reads a 200/201 answer of POST /documents. Public for tests.
Result<outbox::AxisReceipt> parse_axis_receipt(const upstream::HttpResponse& answer,
                                               std::string_view document_id, std::size_t max_bytes);

// Reads a 200 answer of GET /documents/pending and of GET /documents/{id}/status. Public for
// tests.
Result<std::vector<documents::PendingDocument>> parse_pending(const upstream::HttpResponse& answer,
                                                              std::size_t max_bytes,
                                                              std::size_t max_entries);
Result<std::vector<documents::StatusRecord>> parse_status_history(
    const upstream::HttpResponse& answer, std::size_t max_bytes, std::size_t max_entries);

}  // namespace lienthong::edxml
