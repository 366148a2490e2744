// Fuzz target for the land adapter's subjects (STYLE.md §10): the member's text, read before
// any upstream call by parse_land_subject, then resolved against the commune code table that
// ships with the simulator (adapters/land/communes-synthetic.csv), as the adapter does.
//
// Invariants: nothing escapes or crashes; a refusal is BAD_REQUEST with a detail; an accepted
// parcel has a 5-digit commune code, sheet 1–999 and parcel 1–9999, and reads back the same
// from its normalised form; an accepted serial is two capital letters and six digits; a
// resolved code is current in the table; a date is a day on the calendar. LIENTHONG_FUZZ_VERBOSE=1
// prints each verdict.
#include <cctype>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <string>
#include <string_view>

#include "adapters/land/adapter.h"
#include "adapters/land/commune_codes.h"
#include "tests/fuzz/fuzz_check.h"

#ifndef LIENTHONG_SOURCE_DIR
#error "LIENTHONG_SOURCE_DIR must name the source tree (tests/fuzz/CMakeLists.txt)"
#endif

namespace {

using namespace lienthong;
using adapters::land::CommuneCodeTable;
using adapters::land::LandSubject;

constexpr const char* kFuzzTarget = "land_subject_fuzz";

const CommuneCodeTable& table() {
  static const CommuneCodeTable t = [] {
    auto loaded = CommuneCodeTable::load(std::string(LIENTHONG_SOURCE_DIR) +
                                         "/adapters/land/communes-synthetic.csv");
    if (!loaded) fuzz::setup_failed(kFuzzTarget, loaded.error().detail);
    return *loaded;
  }();
  return t;
}

bool digits(std::string_view s) {
  for (char c : s)
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  return !s.empty();
}

void check_refusal(const Error& e) {
  FUZZ_CHECK(e.code == ErrorCode::kBadRequest, "refusal code");
  FUZZ_CHECK(!e.detail.empty(), "refusal detail");
}

void run(std::string_view input) {
  auto subject = adapters::land::parse_land_subject(input);
  if (!subject) {
    check_refusal(subject.error());
    if (fuzz::verbose()) std::printf("refused: %s\n", subject.error().detail.c_str());
    return;
  }
  if (subject->kind == LandSubject::Kind::kCertificate) {
    const std::string& s = subject->serial;
    FUZZ_CHECK(s.size() == 8 && std::isupper(static_cast<unsigned char>(s[0])) &&
                   std::isupper(static_cast<unsigned char>(s[1])) &&
                   digits(std::string_view(s).substr(2)),
               "serial shape");
    return;
  }
  FUZZ_CHECK(subject->commune_code.size() == 5 && digits(subject->commune_code), "commune code");
  FUZZ_CHECK(subject->sheet >= 1 && subject->sheet <= 999, "sheet range");
  FUZZ_CHECK(subject->parcel >= 1 && subject->parcel <= 9999, "parcel range");
  const std::string normal = subject->commune_code + "-" + std::to_string(subject->sheet) + "-" +
                             std::to_string(subject->parcel);
  auto again = adapters::land::parse_land_subject(normal);
  FUZZ_CHECK(again && again->kind == LandSubject::Kind::kParcel &&
                 again->commune_code == subject->commune_code && again->sheet == subject->sheet &&
                 again->parcel == subject->parcel,
             "normalised form reads back");
  std::optional<std::string_view> as_of;
  if (subject->as_of) {
    const std::string& d = *subject->as_of;
    FUZZ_CHECK(d.size() == 10, "date shape");
    int y = 0;
    unsigned m = 0, day = 0;
    FUZZ_CHECK(std::sscanf(d.c_str(), "%4d-%2u-%2u", &y, &m, &day) == 3, "date fields");
    FUZZ_CHECK(std::chrono::year_month_day(std::chrono::year{y}, std::chrono::month{m},
                                           std::chrono::day{day})
                   .ok(),
               "date on the calendar");
    as_of = d;
  }
  auto resolved = table().resolve(subject->commune_code, as_of);
  if (!resolved) {
    check_refusal(resolved.error());
  } else {
    FUZZ_CHECK(table().is_current(*resolved), "resolved code is current");
  }
  if (fuzz::verbose())
    std::printf("parcel %s -> %s\n", normal.c_str(),
                resolved ? resolved->c_str() : resolved.error().detail.c_str());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    run(std::string_view(reinterpret_cast<const char*>(data), size));
  } catch (const std::exception& e) {
    fuzz::violated(kFuzzTarget, e.what(), "exception escaped");
  }
  return 0;
}
