#include "gateway/core/identifiers.h"

#include <algorithm>
#include <array>
#include <charconv>

namespace lienthong {
namespace {

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

int to_int(std::string_view digits) {
  int value = 0;
  std::from_chars(digits.data(), digits.data() + digits.size(), value);
  return value;
}

// Province codes before 1 July 2025 (FORMATS.md §2). The 2025 merger kept old numbers for the
// 34 provinces, and IDs already issued keep their prefix, so the older, longer list is the one
// a prefix must belong to.
constexpr std::array<std::string_view, 63> kProvinceCodes = {
    "01", "02", "04", "06", "08", "10", "11", "12", "14", "15", "17", "19", "20",
    "22", "24", "25", "26", "27", "30", "31", "33", "34", "35", "36", "37", "38",
    "40", "42", "44", "45", "46", "48", "49", "51", "52", "54", "56", "58", "60",
    "62", "64", "66", "67", "68", "70", "72", "74", "75", "77", "79", "80", "82",
    "83", "84", "86", "87", "89", "91", "92", "93", "94", "95", "96"};

}  // namespace

bool is_province_code(std::string_view code) {
  return std::find(kProvinceCodes.begin(), kProvinceCodes.end(), code) != kProvinceCodes.end();
}

Result<PersonalId> parse_personal_id(std::string_view text) {
  if (text.size() != 12 || !all_digits(text)) {
    return fail(ErrorCode::kBadRequest, "personal ID must be exactly 12 digits");
  }
  PersonalId id;
  id.digits = std::string(text);
  if (text[0] == '0') {
    if (!is_province_code(text.substr(1, 2))) {
      return fail(ErrorCode::kBadRequest, "personal ID prefix is not a province code");
    }
  } else {
    // A country code (ISO 3166-1 numeric, 100–999 here since it does not start with 0).
    id.registered_abroad = true;
  }
  const int century_gender = text[3] - '0';
  // 0/1: born 1900–1999, 2/3: 2000–2099, 4/5: 2100–2199 ... Nobody is born in the 2100s yet.
  id.birth_century = 19 + century_gender / 2;
  id.male = century_gender % 2 == 0;
  if (id.birth_century > 20) {
    return fail(ErrorCode::kBadRequest, "personal ID century digit names a future century");
  }
  id.birth_year = id.birth_century * 100 + to_int(text.substr(4, 2));
  return id;
}

Result<void> check_personal_id_consistency(const PersonalId& id, std::string_view birth_date,
                                           std::string_view gender) {
  if (birth_date.size() < 4 || !all_digits(birth_date.substr(0, 4))) {
    return fail(ErrorCode::kUpstreamBadSignature,
                "upstream record has no usable birth year to check the personal ID against");
  }
  const int year = to_int(birth_date.substr(0, 4));
  if (year != id.birth_year) {
    return fail(ErrorCode::kBadRequest,
                "personal ID century/year digits disagree with the recorded birth year");
  }
  if (!gender.empty()) {
    const bool male = gender == "1";
    if (gender != "1" && gender != "2") {
      return fail(ErrorCode::kBadRequest, "recorded gender is neither 1 nor 2");
    }
    if (male != id.male) {
      return fail(ErrorCode::kBadRequest,
                  "personal ID gender digit disagrees with the recorded gender");
    }
  }
  return {};
}

Result<std::string> parse_organ_code(std::string_view text) {
  // NNN.NN.NN.ANN
  const bool shape = text.size() == 13 && all_digits(text.substr(0, 3)) && text[3] == '.' &&
                     all_digits(text.substr(4, 2)) && text[6] == '.' &&
                     all_digits(text.substr(7, 2)) && text[9] == '.' && text[10] >= 'A' &&
                     text[10] <= 'Z' && all_digits(text.substr(11, 2));
  if (!shape) return fail(ErrorCode::kBadRequest, "organ code must have the form NNN.NN.NN.ANN");
  return std::string(text);
}

Result<DossierCode> parse_dossier_code(std::string_view text) {
  if (text.size() != 13 + 1 + 6 + 1 + 4 || text[13] != '-' || text[20] != '-') {
    return fail(ErrorCode::kBadRequest, "dossier code must have the form <organ code>-YYMMDD-NNNN");
  }
  auto organ = parse_organ_code(text.substr(0, 13));
  if (!organ) return fail(ErrorCode::kBadRequest, "dossier code: " + organ.error().detail);
  const auto date = text.substr(14, 6);
  const auto seq = text.substr(21, 4);
  if (!all_digits(date) || !all_digits(seq)) {
    return fail(ErrorCode::kBadRequest, "dossier code date and sequence must be digits");
  }
  const std::chrono::year_month_day ymd{std::chrono::year(2000 + to_int(date.substr(0, 2))),
                                        std::chrono::month(to_int(date.substr(2, 2))),
                                        std::chrono::day(to_int(date.substr(4, 2)))};
  if (!ymd.ok()) return fail(ErrorCode::kBadRequest, "dossier code date is not a calendar date");
  const int sequence = to_int(seq);
  if (sequence == 0) return fail(ErrorCode::kBadRequest, "dossier code sequence starts at 0001");
  return DossierCode{std::string(text), *organ, ymd, sequence};
}

Result<EnterpriseCode> parse_enterprise_code(std::string_view text) {
  const bool shape = (text.size() == 10 && all_digits(text)) ||
                     (text.size() == 14 && all_digits(text.substr(0, 10)) && text[10] == '-' &&
                      all_digits(text.substr(11, 3)));
  if (!shape) {
    return fail(ErrorCode::kBadRequest,
                "enterprise code must be 10 digits, optionally followed by -NNN for a branch");
  }
  static constexpr int kWeights[9] = {31, 29, 23, 19, 17, 13, 7, 5, 3};
  int sum = 0;
  for (int i = 0; i < 9; ++i) sum += (text[i] - '0') * kWeights[i];
  const int remainder = sum % 11;
  if (remainder == 0 || text[9] - '0' != 10 - remainder) {
    return fail(ErrorCode::kBadRequest, "enterprise code check digit does not match");
  }
  EnterpriseCode code{std::string(text), std::string(text.substr(0, 10)), {}};
  if (text.size() == 14) {
    code.branch = std::string(text.substr(11, 3));
    if (code.branch == "000")
      return fail(ErrorCode::kBadRequest, "enterprise branch suffix starts at -001");
  }
  return code;
}

}  // namespace lienthong
