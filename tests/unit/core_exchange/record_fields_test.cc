#include "gateway/core/record.h"

#include <gtest/gtest.h>

namespace lienthong {
namespace {

TEST(FieldTemplate, ElementNumbersBecomeTheCatalogueBrackets) {
  EXPECT_EQ(field_template("qua_trinh.2.tu_thang"), "qua_trinh[].tu_thang");
  EXPECT_EQ(field_template("dai_dien.10.ho_ten"), "dai_dien[].ho_ten");
  EXPECT_EQ(field_template("a.1.b.3.c"), "a[].b[].c");
  EXPECT_EQ(field_template("a.1"), "a[]");
  // Nothing numbered: unchanged, including names that merely contain digits.
  EXPECT_EQ(field_template("thuong_tru.ma_tinh"), "thuong_tru.ma_tinh");
  EXPECT_EQ(field_template("so_dinh_danh"), "so_dinh_danh");
  EXPECT_EQ(field_template("nam2.x1"), "nam2.x1");
  EXPECT_EQ(field_template("1.a"), "1.a");
  EXPECT_EQ(field_template(""), "");
}

TEST(FindField, FindsInSortedFields) {
  const RecordFields fields = {{"a", "1"}, {"b", "2"}};
  ASSERT_NE(find_field(fields, "b"), nullptr);
  EXPECT_EQ(*find_field(fields, "b"), "2");
  EXPECT_EQ(find_field(fields, "c"), nullptr);
}

}  // namespace
}  // namespace lienthong
