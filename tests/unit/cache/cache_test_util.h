// A realistic verified record for the cache tests.
#pragma once

#include <chrono>
#include <string>

#include "gateway/core/record.h"
#include "tests/support/sample_record.h"

namespace lienthong::cache::testing {

inline VerifiedRecord make_record(const std::string& subject = "001203004510",
                                  const std::string& doc_type = "CD01") {
  VerifiedRecord r;
  r.subject = subject;
  r.doc_type = doc_type;
  r.code = record_code(subject, doc_type);
  r.fields = {{"gioi_tinh", "2"},
              {"ho_va_ten", "Nguyễn Thị Minh Khai"},
              {"ngay_sinh", "2003-04-15"},
              {"thuong_tru.chi_tiet", "Số 12, ngõ 34 phố Đội Cấn, phường Ba Đình"},
              {"thuong_tru.ma_tinh", "01"}};
  r.source = "csdlqg-dc";
  r.evidence.kind = "xmldsig";
  r.evidence.signed_bytes = lienthong::testing::sample_record(3);
  r.evidence.signed_bytes += std::string("\0\xff\xfe binary tail", 16);
  r.evidence.signer = "CN=CSDLQG-DC,O=Bo Cong an,C=VN";
  r.evidence.signer_fingerprint = std::string(64, 'f');
  r.verified_at = std::chrono::sys_days{std::chrono::year{2026} / 11 / 22} + std::chrono::hours{8};
  r.expires_at = r.verified_at + std::chrono::hours{24 * 365};
  return r;
}

inline void expect_same(const VerifiedRecord& a, const VerifiedRecord& b) {
  EXPECT_EQ(a.code, b.code);
  EXPECT_EQ(a.subject, b.subject);
  EXPECT_EQ(a.doc_type, b.doc_type);
  EXPECT_EQ(a.fields, b.fields);
  EXPECT_EQ(a.source, b.source);
  EXPECT_EQ(a.evidence.kind, b.evidence.kind);
  EXPECT_EQ(a.evidence.signed_bytes, b.evidence.signed_bytes);
  EXPECT_EQ(a.evidence.signer, b.evidence.signer);
  EXPECT_EQ(a.evidence.signer_fingerprint, b.evidence.signer_fingerprint);
  EXPECT_EQ(a.verified_at, b.verified_at);
  EXPECT_EQ(a.expires_at, b.expires_at);
}

}  // namespace lienthong::cache::testing
