// The audit record (DESIGN.md §6): who asked about whom, for which dossier, with what outcome.
// Never record contents. Written through AuditSink; the log file format is in audit/README.md.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "gateway/core/clock.h"
#include "gateway/core/error.h"

namespace lienthong::audit {

struct AuditEntry {
  TimePoint at;
  std::string request_id;
  std::string client_request_id;  // the caller's correlation id, when it sent one
  std::string request_jti;        // the jti of a signed (JWS) request, when it was signed
  std::string front;         // thrift, http-json, http-xml
  std::string member;        // organ code from the client certificate
  std::string member_certificate;  // its SHA-256 fingerprint
  std::string officer_id;    // officer's personal ID
  std::string officer_account;
  std::string subject;       // whose record was asked for
  std::string document_type;
  std::string dossier_code;
  std::string procedure_code;
  std::string adapter;
  std::string outcome;       // "OK" or an ErrorCode name
  bool cache_hit = false;
  std::int64_t latency_us = 0;
};

using DurableCallback = std::function<void(Result<void>)>;

class AuditSink {
 public:
  using Ptr = std::shared_ptr<AuditSink>;
  virtual ~AuditSink() = default;
  // Queues the entry; `durable` runs (on the writer's thread) once the entry is on disk per the
  // configured fsync policy, or with an error when it could not be written. The pipeline answers
  // the caller only after that, so an answered request is always in the audit.
  virtual void append(AuditEntry entry, DurableCallback durable) = 0;
};

}  // namespace lienthong::audit
