// Fuzz target: the edXML envelope reader (adapters/documents/edxml_parse.h), for envelopes
// and Status messages from the document-exchange axis. Each input goes to both readers.
// Invariants: no crash, no hang, no exception; a refusal has a detail; an accepted envelope
// can be validated, and writing it then reading it back gives the same value (the writer and
// the reader agree on every field the reader accepts).
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "adapters/documents/edxml_parse.h"
#include "adapters/documents/edxml_validate.h"
#include "adapters/documents/edxml_write.h"
#include "tests/fuzz/fuzz_check.h"

namespace {
constexpr const char* kFuzzTarget = "edxml_parse_fuzz";
}  // namespace

namespace edxml = lienthong::edxml;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  // Small limits, so that mutations reach them.
  edxml::EdxmlLimits limits;
  limits.max_document_bytes = 1 << 20;
  limits.max_attachment_bytes = 4 << 10;
  limits.max_attachments = 8;
  limits.max_recipients = 8;

  auto message = edxml::parse_edxml(bytes, limits);
  if (message) {
    const auto valid = edxml::validate(*message);
    FUZZ_CHECK(valid || !valid.error().detail.empty(), "message validate");
    auto again = edxml::parse_edxml(edxml::to_edxml(*message), limits);
    FUZZ_CHECK(again.has_value(), "message reread");
    FUZZ_CHECK(*again == *message, "message round trip");
  } else {
    FUZZ_CHECK(!message.error().detail.empty(), "message refusal");
  }

  auto status = edxml::parse_edxml_status(bytes, limits);
  if (status) {
    FUZZ_CHECK(edxml::is_status_code(status->status_code), "status code");
    const auto valid = edxml::validate(*status);
    FUZZ_CHECK(valid || !valid.error().detail.empty(), "status validate");
    auto again = edxml::parse_edxml_status(edxml::to_edxml(*status), limits);
    FUZZ_CHECK(again.has_value(), "status reread");
    FUZZ_CHECK(*again == *status, "status round trip");
  } else {
    FUZZ_CHECK(!status.error().detail.empty(), "status refusal");
  }
  return 0;
}
