// The document routes of the HTTPS front (issue 6; schemas/http/openapi.yaml, tag documents):
//   POST /v1/documents                          send an edXML document (202 once accepted)
//   GET  /v1/documents/sent/{documentId}        its delivery state
//   GET  /v1/documents/received?after=&limit=   documents received for the caller's organ
//   GET  /v1/documents/received/{documentId}    one of them, the edXML bytes as received
//   POST /v1/documents/{documentId}/status      a status about a document (201)
//   GET  /v1/documents/{documentId}/status      its status history
// {documentId} is the edXML DocumentId percent-encoded as one path segment. Decoding, calling
// documents::DocumentService (which blocks: always on the executor, never on the connection's
// strand) and encoding; authentication, authorization and audit are the service's.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "gateway/core/clock.h"
#include "gateway/core/error.h"
#include "gateway/core/executor.h"
#include "gateway/core/lookup.h"
#include "gateway/documents/document_service.h"
#include "gateway/front/http/handler.h"
#include "gateway/front/http/http_types.h"

namespace lienthong::front::http {

inline constexpr std::string_view kDocumentsPath = "/v1/documents";
// A decoded DocumentId longer than this is refused (BAD_REQUEST) before the service sees it.
inline constexpr std::size_t kMaxDocumentIdBytes = 256;
// GET /v1/documents/received: `limit` when absent, and its largest value.
inline constexpr std::size_t kDefaultReceivedLimit = 100;
inline constexpr std::size_t kMaxReceivedLimit = 1000;

// True for "/v1/documents" and everything under it (the path without its query).
bool is_documents_path(std::string_view path);

// True for POST /v1/documents: the one request whose body may exceed max_body_bytes (up to
// max_document_bytes). The session asks this after reading the header.
bool is_document_send(const Request& header);

// One path segment, strictly: %XX escapes decoded; a bad escape, a raw byte outside printable
// ASCII, a decoded control character, an empty result or one over kMaxDocumentIdBytes is
// BAD_REQUEST.
Result<std::string> decode_document_id(std::string_view segment);

class DocumentRoutes {
 public:
  // `service` and `executor` non-null: the executor runs every service call.
  DocumentRoutes(documents::DocumentService::Ptr service, Executor::Ptr executor);

  // The route for `request` (whose path, without the query, is `path` and is_documents_path):
  // the response now for a refusal, else nullopt and `respond` follows from the executor.
  std::optional<Response> handle(Request& request, std::string_view path,
                                 const std::string& request_id, const Result<Member>& member,
                                 const Handler::Respond& respond) const;

 private:
  documents::DocumentService::Ptr service_;
  Executor::Ptr executor_;
};

}  // namespace lienthong::front::http
