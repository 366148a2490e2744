#include "gateway/cache/sealing_key.h"

#include <gtest/gtest.h>
#include <openssl/sha.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace lienthong::cache {
namespace {

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "lt-key-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::filesystem::path operator/(const char* name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

SealingKey key_of(char fill) { return *SealingKey::from_bytes(std::string(32, fill)); }

void write_file(const std::filesystem::path& file, const std::string& text, mode_t mode) {
  std::ofstream(file, std::ios::binary | std::ios::trunc) << text;
  ::chmod(file.c_str(), mode);
}

constexpr const char* kAd = "lt:rec:0123abcd";

TEST(SealingKey, RoundTrip) {
  const auto key = key_of('k');
  const std::string plain = "{\"subject\":\"001203004510\"} and some more";
  auto sealed = key.seal(plain, kAd);
  ASSERT_TRUE(sealed);
  EXPECT_EQ(sealed->size(), plain.size() + SealingKey::kOverheadBytes);
  EXPECT_EQ(static_cast<unsigned char>((*sealed)[0]), SealingKey::kFormatVersion);
  EXPECT_EQ(sealed->find("001203004510"), std::string::npos);
  auto opened = key.open(*sealed, kAd);
  ASSERT_TRUE(opened) << opened.error().detail;
  EXPECT_EQ(*opened, plain);
  // Random nonces: the same value seals differently each time.
  EXPECT_NE(*key.seal(plain, kAd), *sealed);
  EXPECT_EQ(*key.open(*key.seal("", kAd), kAd), "");
}

TEST(SealingKey, AnyFlippedByteFailsToOpen) {
  const auto key = key_of('k');
  const auto sealed = *key.seal("a cached record", kAd);
  for (std::size_t i = 0; i < sealed.size(); ++i) {
    for (unsigned char bit : {0x01, 0x80}) {
      std::string tampered = sealed;
      tampered[i] = static_cast<char>(tampered[i] ^ bit);
      auto opened = key.open(tampered, kAd);
      EXPECT_FALSE(opened) << "byte " << i;
      if (!opened) {
        EXPECT_EQ(opened.error().code, ErrorCode::kInternal);
      }
    }
  }
  EXPECT_FALSE(key.open(sealed.substr(0, sealed.size() - 1), kAd));
  EXPECT_FALSE(key.open(sealed + "x", kAd));
  EXPECT_FALSE(key.open("", kAd));
}

TEST(SealingKey, OtherAssociatedDataFails) {
  const auto key = key_of('k');
  const auto sealed = *key.seal("a cached record", kAd);
  auto opened = key.open(sealed, "lt:rec:0123abce");
  ASSERT_FALSE(opened);
  EXPECT_NE(opened.error().detail.find("authentication failed"), std::string::npos);
  EXPECT_FALSE(key.open(sealed, ""));
}

TEST(SealingKey, OtherKeyIsRecognisedByItsId) {
  const auto a = key_of('a');
  const auto b = key_of('b');
  EXPECT_NE(a.key_id(), b.key_id());
  auto opened = b.open(*a.seal("x", kAd), kAd);
  ASSERT_FALSE(opened);
  EXPECT_NE(opened.error().detail.find("another key"), std::string::npos);
  EXPECT_NE(opened.error().detail.find(a.key_id()), std::string::npos);
  // A value relabelled with b's id still fails: the id is authenticated too.
  auto sealed = *a.seal("x", kAd);
  const auto id = b.key_id();
  for (int i = 0; i < 4; ++i)
    sealed[1 + i] = static_cast<char>(std::stoi(id.substr(2 * i, 2), nullptr, 16));
  EXPECT_FALSE(b.open(sealed, kAd));
}

TEST(SealingKey, KeyedNamesAreStablePerKeyAndHideTheInput) {
  const auto a = key_of('a');
  const auto b = key_of('b');
  const auto name = a.keyed_name("001203004510.CD01");
  EXPECT_EQ(name.size(), 64u);
  EXPECT_EQ(name, a.keyed_name("001203004510.CD01"));
  EXPECT_NE(name, a.keyed_name("001203004511.CD01"));
  EXPECT_NE(name, b.keyed_name("001203004510.CD01"));
  EXPECT_EQ(name.find("001203004510"), std::string::npos);
}

TEST(SealingKey, GeneratedFileIsPrivateAndLoads) {
  TempDir dir;
  const auto file = dir / "cache.key";
  ASSERT_TRUE(SealingKey::generate_file(file));
  struct stat st {};
  ASSERT_EQ(::stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  std::stringstream text;
  text << std::ifstream(file).rdbuf();
  ASSERT_EQ(text.str().size(), 65u);  // 64 hex + newline
  auto key = SealingKey::load_file(file);
  ASSERT_TRUE(key) << key.error().detail;

  // Key id = first 8 hex of SHA-256 of the 32 key bytes.
  std::string raw;
  for (int i = 0; i < 32; ++i)
    raw.push_back(static_cast<char>(std::stoi(text.str().substr(2 * i, 2), nullptr, 16)));
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(raw.data()), raw.size(), digest);
  char hex[9];
  std::snprintf(hex, sizeof hex, "%02x%02x%02x%02x", digest[0], digest[1], digest[2], digest[3]);
  EXPECT_EQ(key->key_id(), hex);
  EXPECT_EQ(key->key_id(), SealingKey::from_bytes(raw)->key_id());

  // Never overwritten; two generated keys differ.
  EXPECT_FALSE(SealingKey::generate_file(file));
  ASSERT_TRUE(SealingKey::generate_file(dir / "other.key"));
  EXPECT_NE(SealingKey::load_file(dir / "other.key")->key_id(), key->key_id());
}

TEST(SealingKey, LoadRefusesBadFiles) {
  TempDir dir;
  const std::string hex64(64, 'a');
  struct Case {
    std::string text;
    mode_t mode;
    const char* expect;
  };
  const Case cases[] = {
      {hex64 + "\n", 0640, "chmod 600"},
      {hex64, 0604, "chmod 600"},
      {hex64.substr(1), 0600, "found 63 characters"},
      {hex64 + "a", 0600, "found 65 characters"},
      {std::string(63, 'a') + "g", 0600, "not all hex"},
      {std::string(32, 'x'), 0600, "64 hexadecimal characters"},
      {"", 0600, "found 0 characters"},
  };
  for (const auto& c : cases) {
    const auto file = dir / "bad.key";
    std::filesystem::remove(file);
    write_file(file, c.text, c.mode);
    auto key = SealingKey::load_file(file);
    ASSERT_FALSE(key) << c.text;
    EXPECT_NE(key.error().detail.find(c.expect), std::string::npos) << key.error().detail;
  }
  EXPECT_FALSE(SealingKey::load_file(dir / "missing.key"));
  EXPECT_FALSE(SealingKey::from_bytes(std::string(31, 'a')));
  // Accepted: upper case hex, CRLF.
  write_file(dir / "ok.key", std::string(64, 'A') + "\r\n", 0600);
  EXPECT_TRUE(SealingKey::load_file(dir / "ok.key"));
}

}  // namespace
}  // namespace lienthong::cache
