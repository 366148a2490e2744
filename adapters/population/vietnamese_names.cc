#include "adapters/population/vietnamese_names.h"

#include <array>
#include <string>
#include <utility>

namespace lienthong::population::sim::vn {
namespace {

// Family names, weighted by their approximate share of the population (per mille).
constexpr Weighted kFamily[] = {
    {"Nguyễn", 380}, {"Trần", 110}, {"Lê", 95},    {"Phạm", 70}, {"Hoàng", 41}, {"Huỳnh", 10},
    {"Phan", 45},    {"Vũ", 25},    {"Võ", 14},    {"Đặng", 21}, {"Bùi", 20},   {"Đỗ", 14},
    {"Hồ", 13},      {"Ngô", 13},   {"Dương", 10}, {"Lý", 5},    {"Đinh", 8},   {"Trương", 8},
    {"Lâm", 5},      {"Mai", 5},    {"Đoàn", 5},   {"Trịnh", 5}, {"Lương", 4},  {"Cao", 4},
    {"Hà", 4},       {"Tạ", 3},     {"Tô", 3},     {"Châu", 2},  {"La", 2},
};

constexpr Weighted kMiddleMale[] = {
    {"Văn", 300},  {"Hữu", 60},   {"Đức", 60},   {"Minh", 80},  {"Quang", 50}, {"Công", 40},
    {"Thanh", 40}, {"Xuân", 30},  {"Ngọc", 30},  {"Duy", 30},   {"Quốc", 40},  {"Anh", 30},
    {"Gia", 40},   {"Hoàng", 30}, {"Trung", 20}, {"Tuấn", 20},  {"Mạnh", 20},  {"Thành", 20},
    {"Bảo", 30},   {"Đình", 40},  {"Tiến", 15},  {"Trọng", 25}, {"Việt", 20},  {"Đăng", 15},
};

constexpr Weighted kMiddleFemale[] = {
    {"Thị", 450},     {"Ngọc", 60},      {"Thu", 40},     {"Thanh", 40}, {"Minh", 40},
    {"Thùy", 30},     {"Phương", 25},    {"Kim", 30},     {"Bích", 20},  {"Hồng", 30},
    {"Mai", 20},      {"Khánh", 25},     {"Bảo", 25},     {"Diệu", 15},  {"Hoài", 15},
    {"Như", 15},      {"Quỳnh", 15},     {"Tuyết", 10},   {"Hải", 10},   {"Thị Thu", 15},
    {"Thị Ngọc", 15}, {"Thị Thanh", 10}, {"Thị Kim", 10},
};

constexpr Weighted kGivenMale[] = {
    {"Anh", 20},   {"Bảo", 10},  {"Bình", 10},  {"Cường", 10}, {"Dũng", 15},  {"Đạt", 10},
    {"Đức", 10},   {"Dương", 8}, {"Hải", 12},   {"Hiếu", 10},  {"Hoàng", 8},  {"Hùng", 15},
    {"Huy", 15},   {"Khang", 8}, {"Khoa", 8},   {"Khôi", 8},   {"Kiên", 8},   {"Lâm", 6},
    {"Long", 12},  {"Lộc", 8},   {"Minh", 20},  {"Nam", 12},   {"Nghĩa", 8},  {"Phong", 10},
    {"Phúc", 10},  {"Quân", 10}, {"Quang", 10}, {"Sơn", 12},   {"Tài", 8},    {"Thắng", 10},
    {"Thành", 12}, {"Thịnh", 8}, {"Tiến", 8},   {"Toàn", 8},   {"Trung", 10}, {"Tuấn", 15},
    {"Tùng", 10},  {"Việt", 8},  {"Vinh", 8},   {"Vũ", 8},     {"Hưng", 10},  {"Hậu", 6},
    {"Khải", 6},   {"Nhân", 6},  {"Thái", 6},   {"Trí", 8},    {"Đông", 6},   {"Lực", 4},
};

constexpr Weighted kGivenFemale[] = {
    {"An", 8},      {"Anh", 20},   {"Châu", 8},  {"Chi", 10},  {"Dung", 10},  {"Giang", 10},
    {"Hà", 12},     {"Hạnh", 10},  {"Hằng", 12}, {"Hiền", 10}, {"Hoa", 12},   {"Hương", 15},
    {"Huyền", 12},  {"Lan", 12},   {"Linh", 18}, {"Loan", 8},  {"Ly", 8},     {"Mai", 12},
    {"My", 10},     {"Nga", 10},   {"Ngân", 8},  {"Ngọc", 10}, {"Nhung", 10}, {"Oanh", 8},
    {"Phương", 12}, {"Quyên", 6},  {"Tâm", 8},   {"Thảo", 15}, {"Thơ", 6},    {"Thu", 10},
    {"Thủy", 12},   {"Trang", 18}, {"Trinh", 8}, {"Tuyết", 8}, {"Uyên", 8},   {"Vân", 10},
    {"Vy", 10},     {"Xuân", 8},   {"Yến", 10},  {"Hồng", 10}, {"Liên", 8},   {"Nhi", 10},
    {"Diệp", 4},    {"Khuê", 4},   {"Ánh", 6},   {"Duyên", 6},
};

// 01 Kinh, 02 Tày, 03 Thái, 04 Hoa, 05 Khơ-me, 06 Mường, 07 Nùng, 08 Mông, 09 Dao, 10 Gia-rai,
// 12 Ê-đê, 13 Ba-na, 14 Xơ-đăng, 15 Sán Chay, 16 Cơ-ho, 17 Chăm, 18 Sán Dìu.
constexpr Weighted kEthnic[] = {
    {"01", 850}, {"02", 20}, {"03", 20}, {"04", 10}, {"05", 15}, {"06", 15},
    {"07", 12},  {"08", 12}, {"09", 10}, {"10", 5},  {"12", 4},  {"13", 3},
    {"14", 2},   {"15", 2},  {"16", 2},  {"17", 2},  {"18", 2},
};

// 00 none, 01 Phật giáo, 02 Công giáo, 03 Tin lành, 04 Cao Đài, 05 Phật giáo Hòa Hảo,
// 06 Hồi giáo. The simulator's list; the population DB's own catalogue is not public.
constexpr Weighted kReligion[] = {
    {"00", 860}, {"01", 70}, {"02", 50}, {"03", 10}, {"04", 6}, {"05", 3}, {"06", 1},
};

// --- Administrative units (pre-2025 codes) ---------------------------------------------------

// 01 Thành phố Hà Nội
constexpr Commune kBaDinh[] = {
    {"00001", "Phường Phúc Xá"},    {"00004", "Phường Trúc Bạch"}, {"00008", "Phường Liễu Giai"},
    {"00013", "Phường Quán Thánh"}, {"00016", "Phường Ngọc Hà"},   {"00022", "Phường Đội Cấn"},
    {"00025", "Phường Ngọc Khánh"}, {"00028", "Phường Kim Mã"},    {"00031", "Phường Giảng Võ"},
};
constexpr std::string_view kBaDinhStreets[] = {"phố Đội Cấn", "phố Kim Mã", "phố Liễu Giai",
                                               "phố Quán Thánh", "phố Giảng Võ"};
constexpr Commune kHoanKiem[] = {
    {"00040", "Phường Đồng Xuân"}, {"00049", "Phường Hàng Đào"},   {"00061", "Phường Hàng Bạc"},
    {"00064", "Phường Hàng Gai"},  {"00070", "Phường Hàng Trống"}, {"00079", "Phường Tràng Tiền"},
    {"00076", "Phường Hàng Bông"},
};
constexpr std::string_view kHoanKiemStreets[] = {"phố Hàng Bạc", "phố Hàng Gai", "phố Tràng Tiền",
                                                 "phố Hàng Bông", "phố Hàng Đào"};
constexpr Commune kCauGiay[] = {
    {"00157", "Phường Nghĩa Đô"},  {"00160", "Phường Nghĩa Tân"}, {"00163", "Phường Mai Dịch"},
    {"00166", "Phường Dịch Vọng"}, {"00169", "Phường Quan Hoa"},  {"00172", "Phường Yên Hoà"},
    {"00175", "Phường Trung Hoà"},
};
constexpr std::string_view kCauGiayStreets[] = {"đường Cầu Giấy", "phố Trần Thái Tông",
                                                "đường Xuân Thủy", "phố Hoàng Quốc Việt"};
constexpr Commune kDongDa[] = {
    {"00178", "Phường Cát Linh"},  {"00181", "Phường Văn Miếu"},   {"00187", "Phường Láng Thượng"},
    {"00190", "Phường Ô Chợ Dừa"}, {"00199", "Phường Láng Hạ"},    {"00202", "Phường Khâm Thiên"},
    {"00229", "Phường Kim Liên"},  {"00232", "Phường Phương Mai"},
};
constexpr std::string_view kDongDaStreets[] = {"phố Tôn Đức Thắng", "phố Láng Hạ", "phố Khâm Thiên",
                                               "phố Chùa Bộc", "phố Xã Đàn"};
constexpr Commune kSocSon[] = {
    {"00376", "Thị trấn Sóc Sơn"}, {"00379", "Xã Bắc Sơn"},  {"00382", "Xã Minh Trí"},
    {"00385", "Xã Hồng Kỳ"},       {"00388", "Xã Nam Sơn"},  {"00391", "Xã Trung Giã"},
    {"00397", "Xã Minh Phú"},      {"00400", "Xã Phù Linh"},
};
constexpr Commune kDongAnh[] = {
    {"00454", "Thị trấn Đông Anh"}, {"00457", "Xã Xuân Nộn"},  {"00463", "Xã Bắc Hồng"},
    {"00466", "Xã Nguyên Khê"},     {"00475", "Xã Vân Hà"},    {"00478", "Xã Uy Nỗ"},
    {"00490", "Xã Kim Nỗ"},         {"00493", "Xã Kim Chung"},
};
constexpr District kHaNoi[] = {
    {"001", "Quận Ba Đình", kBaDinh, kBaDinhStreets},
    {"002", "Quận Hoàn Kiếm", kHoanKiem, kHoanKiemStreets},
    {"005", "Quận Cầu Giấy", kCauGiay, kCauGiayStreets},
    {"006", "Quận Đống Đa", kDongDa, kDongDaStreets},
    {"016", "Huyện Sóc Sơn", kSocSon, {}},
    {"017", "Huyện Đông Anh", kDongAnh, {}},
};

// 79 Thành phố Hồ Chí Minh
constexpr Commune kQuan1[] = {
    {"26734", "Phường Tân Định"},         {"26737", "Phường Đa Kao"},
    {"26740", "Phường Bến Nghé"},         {"26743", "Phường Bến Thành"},
    {"26746", "Phường Nguyễn Thái Bình"}, {"26749", "Phường Phạm Ngũ Lão"},
    {"26752", "Phường Cầu Ông Lãnh"},     {"26755", "Phường Cô Giang"},
    {"26758", "Phường Nguyễn Cư Trinh"},  {"26761", "Phường Cầu Kho"},
};
constexpr std::string_view kQuan1Streets[] = {"đường Lê Lợi",       "đường Nguyễn Huệ",
                                              "đường Đồng Khởi",    "đường Hai Bà Trưng",
                                              "đường Lê Thánh Tôn", "đường Trần Hưng Đạo"};
constexpr Commune kQuan12[] = {
    {"26764", "Phường Thạnh Xuân"},
    {"26767", "Phường Thạnh Lộc"},
    {"26770", "Phường Hiệp Thành"},
    {"26773", "Phường Thới An"},
};
constexpr std::string_view kQuan12Streets[] = {"đường Hà Huy Giáp", "đường Nguyễn Ảnh Thủ",
                                               "đường Lê Văn Khương"};
constexpr Commune kQuan10[] = {
    {"27184", "Phường 01"},
    {"27190", "Phường 02"},
};
constexpr std::string_view kQuan10Streets[] = {"đường Ba Tháng Hai", "đường Sư Vạn Hạnh",
                                               "đường Thành Thái"};
constexpr District kHoChiMinh[] = {
    {"760", "Quận 1", kQuan1, kQuan1Streets},
    {"761", "Quận 12", kQuan12, kQuan12Streets},
    {"771", "Quận 10", kQuan10, kQuan10Streets},
};

// 48 Thành phố Đà Nẵng
constexpr Commune kLienChieu[] = {
    {"20194", "Phường Hòa Hiệp Bắc"},  {"20195", "Phường Hòa Hiệp Nam"},
    {"20197", "Phường Hòa Khánh Bắc"}, {"20198", "Phường Hòa Khánh Nam"},
    {"20200", "Phường Hòa Minh"},
};
constexpr std::string_view kLienChieuStreets[] = {"đường Tôn Đức Thắng", "đường Nguyễn Lương Bằng",
                                                  "đường Âu Cơ"};
constexpr Commune kHaiChau[] = {
    {"20227", "Phường Thanh Bình"},    {"20230", "Phường Thuận Phước"},
    {"20233", "Phường Thạch Thang"},   {"20236", "Phường Hải Châu I"},
    {"20239", "Phường Hải Châu II"},   {"20242", "Phường Phước Ninh"},
    {"20248", "Phường Nam Dương"},     {"20251", "Phường Bình Hiên"},
    {"20257", "Phường Hòa Cường Bắc"},
};
constexpr std::string_view kHaiChauStreets[] = {"đường Bạch Đằng", "đường Trần Phú",
                                                "đường Lê Duẩn", "đường Nguyễn Văn Linh",
                                                "đường Hùng Vương"};
constexpr Commune kSonTra[] = {
    {"20263", "Phường Thọ Quang"},  {"20266", "Phường Nại Hiên Đông"}, {"20269", "Phường Mân Thái"},
    {"20272", "Phường An Hải Bắc"}, {"20275", "Phường Phước Mỹ"},
};
constexpr std::string_view kSonTraStreets[] = {"đường Ngô Quyền", "đường Võ Văn Kiệt",
                                               "đường Phạm Văn Đồng"};
constexpr Commune kHoaVang[] = {
    {"20293", "Xã Hòa Bắc"},  {"20296", "Xã Hòa Liên"},   {"20299", "Xã Hòa Ninh"},
    {"20302", "Xã Hòa Sơn"},  {"20308", "Xã Hòa Nhơn"},   {"20317", "Xã Hòa Phú"},
    {"20326", "Xã Hòa Tiến"}, {"20332", "Xã Hòa Khương"},
};
constexpr District kDaNang[] = {
    {"490", "Quận Liên Chiểu", kLienChieu, kLienChieuStreets},
    {"492", "Quận Hải Châu", kHaiChau, kHaiChauStreets},
    {"493", "Quận Sơn Trà", kSonTra, kSonTraStreets},
    {"497", "Huyện Hòa Vang", kHoaVang, {}},
};

// 92 Thành phố Cần Thơ
constexpr Commune kCoDo[] = {
    {"31261", "Thị trấn Cờ Đỏ"}, {"31249", "Xã Thạnh Phú"},  {"31264", "Xã Thới Hưng"},
    {"31273", "Xã Đông Hiệp"},   {"31274", "Xã Đông Thắng"}, {"31276", "Xã Thới Đông"},
    {"31277", "Xã Thới Xuân"},   {"31222", "Xã Trung An"},
};
constexpr Commune kNinhKieu[] = {
    {"31117", "Phường Cái Khế"},    {"31120", "Phường An Hòa"},   {"31123", "Phường Thới Bình"},
    {"31126", "Phường An Nghiệp"},  {"31129", "Phường An Cư"},    {"31135", "Phường Tân An"},
    {"31144", "Phường Xuân Khánh"}, {"31147", "Phường Hưng Lợi"},
};
constexpr std::string_view kNinhKieuStreets[] = {"đường Hai Bà Trưng", "đường Nguyễn Trãi",
                                                 "đường Ba Tháng Hai", "đường Mậu Thân"};
constexpr District kCanTho[] = {
    {"916", "Quận Ninh Kiều", kNinhKieu, kNinhKieuStreets},
    {"925", "Huyện Cờ Đỏ", kCoDo, {}},
};

// 26 Tỉnh Vĩnh Phúc
constexpr Commune kVinhYen[] = {
    {"08707", "Phường Tích Sơn"}, {"08710", "Phường Liên Bảo"},  {"08713", "Phường Hội Hợp"},
    {"08716", "Phường Đống Đa"},  {"08719", "Phường Ngô Quyền"}, {"08722", "Phường Đồng Tâm"},
};
constexpr std::string_view kVinhYenStreets[] = {"đường Mê Linh", "đường Nguyễn Tất Thành",
                                                "đường Kim Ngọc"};
constexpr Commune kVinhTuong[] = {
    {"09100", "Thị trấn Vĩnh Tường"}, {"09103", "Xã Kim Xá"},     {"09106", "Xã Yên Bình"},
    {"09109", "Xã Chấn Hưng"},        {"09112", "Xã Nghĩa Hưng"},
};
constexpr District kVinhPhuc[] = {
    {"243", "Thành phố Vĩnh Yên", kVinhYen, kVinhYenStreets},
    {"252", "Huyện Vĩnh Tường", kVinhTuong, {}},
};

// 31 Thành phố Hải Phòng
constexpr Commune kHongBang[] = {
    {"11296", "Phường Quán Toan"}, {"11299", "Phường Hùng Vương"}, {"11302", "Phường Sở Dầu"},
    {"11305", "Phường Thượng Lý"}, {"11308", "Phường Hạ Lý"},      {"11311", "Phường Minh Khai"},
};
constexpr std::string_view kHongBangStreets[] = {"đường Hùng Vương", "phố Minh Khai",
                                                 "đường Hoàng Văn Thụ"};
constexpr Commune kNgoQuyen[] = {
    {"11329", "Phường Máy Chai"},  {"11332", "Phường Máy Tơ"},   {"11335", "Phường Vạn Mỹ"},
    {"11338", "Phường Cầu Tre"},   {"11341", "Phường Lạc Viên"}, {"11350", "Phường Đông Khê"},
    {"11362", "Phường Lạch Tray"},
};
constexpr std::string_view kNgoQuyenStreets[] = {"đường Lạch Tray", "đường Lê Lợi", "đường Văn Cao",
                                                 "đường Đà Nẵng"};
constexpr District kHaiPhong[] = {
    {"303", "Quận Hồng Bàng", kHongBang, kHongBangStreets},
    {"304", "Quận Ngô Quyền", kNgoQuyen, kNgoQuyenStreets},
};

// 22 Tỉnh Quảng Ninh
constexpr Commune kHaLong[] = {
    {"06652", "Phường Hà Khánh"}, {"06655", "Phường Hà Phong"}, {"06658", "Phường Hà Khẩu"},
    {"06661", "Phường Cao Xanh"}, {"06676", "Phường Bãi Cháy"}, {"06688", "Phường Trần Hưng Đạo"},
    {"06691", "Phường Hồng Hải"}, {"06694", "Phường Hồng Gai"},
};
constexpr std::string_view kHaLongStreets[] = {"đường Hạ Long", "đường Trần Hưng Đạo",
                                               "đường Nguyễn Văn Cừ", "đường Lê Thánh Tông"};
constexpr District kQuangNinh[] = {
    {"193", "Thành phố Hạ Long", kHaLong, kHaLongStreets},
};

// 27 Tỉnh Bắc Ninh
constexpr Commune kBacNinhCity[] = {
    {"09187", "Phường Vũ Ninh"},  {"09190", "Phường Đáp Cầu"},  {"09193", "Phường Thị Cầu"},
    {"09196", "Phường Kinh Bắc"}, {"09199", "Phường Vệ An"},    {"09202", "Phường Tiền An"},
    {"09208", "Phường Ninh Xá"},  {"09211", "Phường Suối Hoa"},
};
constexpr std::string_view kBacNinhStreets[] = {"đường Nguyễn Gia Thiều", "đường Lý Thái Tổ",
                                                "đường Ngô Gia Tự", "đường Trần Hưng Đạo"};
constexpr District kBacNinh[] = {
    {"256", "Thành phố Bắc Ninh", kBacNinhCity, kBacNinhStreets},
};

// 36 Tỉnh Nam Định
constexpr Commune kNamDinhCity[] = {
    {"13603", "Phường Hạ Long"},   {"13606", "Phường Trần Tế Xương"}, {"13609", "Phường Vị Hoàng"},
    {"13612", "Phường Vị Xuyên"},  {"13615", "Phường Quang Trung"},   {"13618", "Phường Cửa Bắc"},
    {"13621", "Phường Nguyễn Du"}, {"13624", "Phường Bà Triệu"},
};
constexpr std::string_view kNamDinhStreets[] = {"đường Trần Hưng Đạo", "phố Hàng Tiện",
                                                "đường Hùng Vương", "phố Minh Khai"};
constexpr District kNamDinh[] = {
    {"356", "Thành phố Nam Định", kNamDinhCity, kNamDinhStreets},
};

// 38 Tỉnh Thanh Hóa
constexpr Commune kThanhHoaCity[] = {
    {"14755", "Phường Hàm Rồng"},   {"14758", "Phường Đông Thọ"},  {"14761", "Phường Nam Ngạn"},
    {"14764", "Phường Trường Thi"}, {"14767", "Phường Điện Biên"}, {"14770", "Phường Phú Sơn"},
    {"14773", "Phường Lam Sơn"},    {"14776", "Phường Ba Đình"},
};
constexpr std::string_view kThanhHoaStreets[] = {"đại lộ Lê Lợi", "đường Bà Triệu",
                                                 "đường Trần Phú", "đường Hạc Thành"};
constexpr District kThanhHoa[] = {
    {"380", "Thành phố Thanh Hóa", kThanhHoaCity, kThanhHoaStreets},
};

// 40 Tỉnh Nghệ An
constexpr Commune kVinh[] = {
    {"16642", "Phường Đông Vĩnh"},   {"16645", "Phường Hà Huy Tập"}, {"16648", "Phường Lê Lợi"},
    {"16651", "Phường Quán Bàu"},    {"16654", "Phường Hưng Bình"},  {"16663", "Phường Cửa Nam"},
    {"16666", "Phường Quang Trung"}, {"16675", "Phường Trường Thi"}, {"16678", "Phường Bến Thủy"},
};
constexpr std::string_view kVinhStreets[] = {"đường Lê Lợi", "đường Quang Trung",
                                             "đường Trường Thi", "đường Phan Bội Châu"};
constexpr District kNgheAn[] = {
    {"412", "Thành phố Vinh", kVinh, kVinhStreets},
};

// 46 Tỉnh Thừa Thiên Huế
constexpr Commune kHue[] = {
    {"19753", "Phường Phú Thuận"}, {"19756", "Phường Phú Bình"}, {"19759", "Phường Tây Lộc"},
    {"19762", "Phường Thuận Lộc"}, {"19783", "Phường Kim Long"}, {"19786", "Phường Vĩ Dạ"},
    {"19792", "Phường Vĩnh Ninh"}, {"19795", "Phường Phú Hội"},  {"19810", "Phường An Cựu"},
};
constexpr std::string_view kHueStreets[] = {"đường Lê Lợi", "đường Hùng Vương",
                                            "đường Trần Hưng Đạo", "đường Nguyễn Huệ"};
constexpr District kThuaThienHue[] = {
    {"474", "Thành phố Huế", kHue, kHueStreets},
};

// 56 Tỉnh Khánh Hòa
constexpr Commune kNhaTrang[] = {
    {"22333", "Phường Vĩnh Hòa"},   {"22336", "Phường Vĩnh Hải"},   {"22342", "Phường Ngọc Hiệp"},
    {"22348", "Phường Xương Huân"}, {"22351", "Phường Vạn Thắng"},  {"22363", "Phường Phước Hải"},
    {"22369", "Phường Lộc Thọ"},    {"22372", "Phường Phước Tiến"},
};
constexpr std::string_view kNhaTrangStreets[] = {"đường Trần Phú", "đường Yersin",
                                                 "đường Thống Nhất", "đường Lê Thánh Tôn"};
constexpr District kKhanhHoa[] = {
    {"568", "Thành phố Nha Trang", kNhaTrang, kNhaTrangStreets},
};

// 68 Tỉnh Lâm Đồng
constexpr Commune kDaLat[] = {
    {"24778", "Phường 7"}, {"24781", "Phường 8"}, {"24787", "Phường 9"}, {"24790", "Phường 2"},
    {"24793", "Phường 1"}, {"24796", "Phường 6"}, {"24802", "Phường 4"}, {"24805", "Phường 10"},
};
constexpr std::string_view kDaLatStreets[] = {"đường Phan Đình Phùng", "đường Trần Phú",
                                              "đường Ba Tháng Hai", "đường Bùi Thị Xuân"};
constexpr District kLamDong[] = {
    {"672", "Thành phố Đà Lạt", kDaLat, kDaLatStreets},
};

// 75 Tỉnh Đồng Nai
constexpr Commune kBienHoa[] = {
    {"25993", "Phường Trảng Dài"}, {"25996", "Phường Tân Phong"},  {"26002", "Phường Hố Nai"},
    {"26005", "Phường Tân Hòa"},   {"26011", "Phường Bửu Long"},   {"26017", "Phường Tam Hiệp"},
    {"26020", "Phường Long Bình"}, {"26032", "Phường Trung Dũng"},
};
constexpr std::string_view kBienHoaStreets[] = {"đường Phạm Văn Thuận", "đường Đồng Khởi",
                                                "đường Nguyễn Ái Quốc", "đường Võ Thị Sáu"};
constexpr District kDongNai[] = {
    {"731", "Thành phố Biên Hòa", kBienHoa, kBienHoaStreets},
};

constexpr Province kProvinces[] = {
    {"01", "Thành phố Hà Nội", Region::kNorth, kHaNoi},
    {"79", "Thành phố Hồ Chí Minh", Region::kSouth, kHoChiMinh},
    {"48", "Thành phố Đà Nẵng", Region::kCentral, kDaNang},
    {"92", "Thành phố Cần Thơ", Region::kSouth, kCanTho},
    {"31", "Thành phố Hải Phòng", Region::kNorth, kHaiPhong},
    {"26", "Tỉnh Vĩnh Phúc", Region::kNorth, kVinhPhuc},
    {"22", "Tỉnh Quảng Ninh", Region::kNorth, kQuangNinh},
    {"27", "Tỉnh Bắc Ninh", Region::kNorth, kBacNinh},
    {"36", "Tỉnh Nam Định", Region::kNorth, kNamDinh},
    {"38", "Tỉnh Thanh Hóa", Region::kNorth, kThanhHoa},
    {"40", "Tỉnh Nghệ An", Region::kCentral, kNgheAn},
    {"46", "Tỉnh Thừa Thiên Huế", Region::kCentral, kThuaThienHue},
    {"56", "Tỉnh Khánh Hòa", Region::kCentral, kKhanhHoa},
    {"68", "Tỉnh Lâm Đồng", Region::kCentral, kLamDong},
    {"75", "Tỉnh Đồng Nai", Region::kSouth, kDongNai},
};

}  // namespace

std::string_view pick(std::span<const Weighted> table, uint64_t r) {
  uint64_t total = 0;
  for (const auto& w : table) total += w.weight;
  uint64_t target = r % total;
  for (const auto& w : table) {
    if (target < w.weight) return w.value;
    target -= w.weight;
  }
  return table.back().value;
}

std::span<const Weighted> family_names() { return kFamily; }
std::span<const Weighted> middle_names(bool male) {
  return male ? std::span<const Weighted>(kMiddleMale) : std::span<const Weighted>(kMiddleFemale);
}
std::span<const Weighted> given_names(bool male) {
  return male ? std::span<const Weighted>(kGivenMale) : std::span<const Weighted>(kGivenFemale);
}
std::span<const Weighted> ethnic_codes() { return kEthnic; }
std::span<const Weighted> religion_codes() { return kReligion; }
std::span<const Province> provinces() { return kProvinces; }

std::string in_address(std::string_view unit_name, bool is_province) {
  // The type words that open a unit's name in the table, and how they read mid-sentence.
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 8> kTypes = {{
      {"Thành phố ", "thành phố "},
      {"Thị trấn ", "thị trấn "},
      {"Thị xã ", "thị xã "},
      {"Phường ", "phường "},
      {"Huyện ", "huyện "},
      {"Quận ", "quận "},
      {"Tỉnh ", "tỉnh "},
      {"Xã ", "xã "},
  }};
  if (is_province && unit_name.starts_with("Thành phố ")) return std::string(unit_name);
  for (const auto& [upper, lower] : kTypes) {
    if (unit_name.starts_with(upper)) {
      std::string out(lower);
      out.append(unit_name.substr(upper.size()));
      return out;
    }
  }
  return std::string(unit_name);
}

}  // namespace lienthong::population::sim::vn
