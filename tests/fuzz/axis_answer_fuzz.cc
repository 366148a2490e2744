// Fuzz target for the axis's answers (STYLE.md §10): the bytes the document axis (or anything
// impersonating it) sends back to the gateway's AxisClient — a send receipt, a pending list, a
// status history — read by parse_axis_receipt, parse_pending and parse_status_history under
// their size and count limits. The first input byte picks the reader and the HTTP status.
//
// Invariants: nothing escapes or crashes; a refusal carries one of the axis client's codes and
// a detail; an accepted answer stays within the entry limit, and its ids are non-empty.
#include <cstdint>
#include <cstdio>
#include <exception>
#include <string>
#include <string_view>

#include "adapters/documents/axis_client.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

using namespace lienthong;

constexpr const char* kFuzzTarget = "axis_answer_fuzz";
constexpr std::size_t kMaxBytes = 64 << 10;
constexpr std::size_t kMaxEntries = 100;

void check_refusal(const Error& e) {
  FUZZ_CHECK(e.code == ErrorCode::kUpstreamUnavailable || e.code == ErrorCode::kBadRequest ||
                 e.code == ErrorCode::kNotFound || e.code == ErrorCode::kInternal,
             "refusal code");
  FUZZ_CHECK(!e.detail.empty(), "refusal detail");
}

void run(std::string_view input) {
  if (input.empty()) return;
  const unsigned char selector = static_cast<unsigned char>(input.front());
  upstream::HttpResponse answer;
  answer.status = (selector & 0x10) ? 201 : 200;
  answer.content_type = (selector & 0x20) ? "text/plain" : "application/json";
  answer.body = std::string(input.substr(1));
  switch (selector % 3) {
    case 0: {
      auto r = edxml::parse_axis_receipt(answer, "000.00.00.G22,2026/11/23,1/KT", kMaxBytes);
      if (!r) return check_refusal(r.error());
      FUZZ_CHECK(!r->axis_id.empty(), "receipt id");
      break;
    }
    case 1: {
      auto r = edxml::parse_pending(answer, kMaxBytes, kMaxEntries);
      if (!r) return check_refusal(r.error());
      FUZZ_CHECK(r->size() <= kMaxEntries, "pending entries");
      for (const auto& p : *r) FUZZ_CHECK(!p.axis_id.empty(), "pending id");
      break;
    }
    default: {
      auto r = edxml::parse_status_history(answer, kMaxBytes, kMaxEntries);
      if (!r) return check_refusal(r.error());
      FUZZ_CHECK(r->size() <= kMaxEntries, "history entries");
      break;
    }
  }
  if (lienthong::fuzz::verbose()) std::printf("accepted (reader %d)\n", selector % 3);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    run(std::string_view(reinterpret_cast<const char*>(data), size));
  } catch (const std::exception& e) {
    lienthong::fuzz::violated(kFuzzTarget, e.what(), "exception escaped");
  }
  return 0;
}
