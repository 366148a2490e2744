// Identifiers validated at the edge with their real rules (DESIGN.md §3, FORMATS.md §2–§3).
// Each parse_* returns the identifier or BAD_REQUEST with a reason that names no personal data.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "gateway/core/error.h"

namespace lienthong {

// Số định danh cá nhân: 12 digits. Digits 1–3: 0 + a province code, or a country code for
// births registered abroad. Digit 4: century and gender (century = d/2 + 19, even = male).
// Digits 5–6: the last two digits of the birth year. No check digit.
struct PersonalId {
  std::string digits;
  bool registered_abroad = false;  // the prefix is a country code, not 0 + province
  int birth_century = 0;           // 19 for 1900–1999, 20 for 2000–2099
  bool male = false;
  int birth_year = 0;  // full year, from the century digit and digits 5–6
};

Result<PersonalId> parse_personal_id(std::string_view text);

// The century/gender digit and the birth year must agree with what the population DB returns
// for the person. `birth_date` is "YYYY-MM-DD" or "YYYYMMDD" or "YYYY"; `gender` is "1" (male)
// or "2" (female) as in the population DB's GioiTinh, or empty when unknown.
Result<void> check_personal_id_consistency(const PersonalId& id, std::string_view birth_date,
                                           std::string_view gender);

// Organ code (mã định danh cơ quan, QCVN 102:2016 / QĐ 20/2020): NNN.NN.NN.ANN.
Result<std::string> parse_organ_code(std::string_view text);

// Dossier code (mã hồ sơ, TT 01/2018/TT-VPCP Art. 19): <organ code>-YYMMDD-NNNN, with a real
// calendar date and a sequence from 0001.
struct DossierCode {
  std::string text;
  std::string organ_code;
  std::chrono::year_month_day received;
  int sequence = 0;
};

Result<DossierCode> parse_dossier_code(std::string_view text);

// Enterprise code (mã số doanh nghiệp = tax code, TT 86/2024/TT-BTC; FORMATS.md §3): 10 digits
// whose last is a check digit, optionally "-NNN" for a dependent unit (branch). Check digit:
// r = Σ d_i·w_i mod 11 over the first nine digits with w = 31,29,23,19,17,13,7,5,3; the digit
// is 10 − r, so r = 10 gives 0; r = 0 would need a digit of 10, and such codes are never issued.
struct EnterpriseCode {
  std::string text;    // as given: "0306182043" or "0306182043-001"
  std::string base;    // the 10-digit code of the enterprise itself
  std::string branch;  // "001".."999", empty for the enterprise itself
};

Result<EnterpriseCode> parse_enterprise_code(std::string_view text);

// True when `code` is one of the 2-digit province codes in use before the 2025 reorganisation
// (QĐ 124/2004); personal IDs issued before and after it carry these prefixes.
bool is_province_code(std::string_view code);

}  // namespace lienthong
