// The documents workload (lienthong-load --workload documents, and tests/bench/documents_bench):
// outgoing edXML envelopes for POST /v1/documents, each with its own DocumentId, one attachment
// of random bytes (base64 in the envelope), From the sending member's organ, To one recipient.
//
// Document n of a run has CodeNumber n and CodeNotation "LT-<run id>", so its DocumentId is
// "<From>,<yyyy/MM/dd>,<n>/LT-<run id>" (the rule edxml::validate() checks): unique within a run
// and, with a random run id, across runs (the outbox answers a DocumentId it has with another
// body as a conflict). The envelope is written once, with a marker where n goes, and split
// there: a request costs one string join, not a base64 of the attachment.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/documents/edxml_message.h"
#include "gateway/core/error.h"

namespace lienthong::load {

struct DocumentSpec {
  std::string from_organ;                     // the sender: the client certificate's organ
  std::string to_organ = "000.00.00.H20";     // one recipient
  std::size_t attachment_bytes = 100 * 1024;  // decoded size of the one attachment
  uint64_t attachment_seed = 20250701;        // the attachment's bytes (mt19937_64), fixed
  std::string run_id;                         // [A-Z0-9]{1,16}; random_run_id()
  std::string date;                           // yyyy/MM/dd: PromulgationDate, DocumentId
  std::string timestamp;                      // yyyy/MM/dd HH:mm:ss: the TraceHeader
};

// 8 random hex digits, uppercase.
std::string random_run_id();
// Today (UTC) as yyyy/MM/dd, and now as yyyy/MM/dd HH:mm:ss.
std::string edxml_date_now();
std::string edxml_timestamp_now();
// A spec for `from_organ`: random run id, today's date, now; other fields as declared.
DocumentSpec document_spec(std::string from_organ);

// The attachment's bytes: a pure function of (seed, size).
std::string attachment_bytes(uint64_t seed, std::size_t size);

// The message of document n; validate() accepts it.
edxml::EdxmlMessage benchmark_document(const DocumentSpec& spec, uint64_t n);
std::string benchmark_document_id(const DocumentSpec& spec, uint64_t n);

class DocumentBodies {
 public:
  // Writes the template and checks it: body(0) must parse (parse_edxml), validate and read back
  // as benchmark_document(spec, 0). BAD_REQUEST naming the problem otherwise (startup only).
  static Result<std::unique_ptr<DocumentBodies>> create(DocumentSpec spec);

  // to_edxml(benchmark_document(spec, n)), byte for byte.
  std::string body(uint64_t n) const;
  // Document 0, 1, 2, ... over the whole process; safe from several threads.
  std::string next() { return body(issued_.fetch_add(1, std::memory_order_relaxed)); }
  uint64_t issued() const { return issued_.load(std::memory_order_relaxed); }

  const DocumentSpec& spec() const { return spec_; }
  // The size of body(n) for an n of `digits` decimal digits.
  std::size_t body_size(std::size_t digits = 1) const;

 private:
  explicit DocumentBodies(DocumentSpec spec) : spec_(std::move(spec)) {}

  DocumentSpec spec_;
  std::vector<std::string> pieces_;  // body(n) = pieces_ joined by decimal n
  std::atomic<uint64_t> issued_{0};
};

}  // namespace lienthong::load
