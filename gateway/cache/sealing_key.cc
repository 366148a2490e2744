#include "gateway/cache/sealing_key.h"

#include <fcntl.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <limits>
#include <memory>

namespace lienthong::cache {

namespace {

constexpr char kHexDigits[] = "0123456789abcdef";
// Derivation labels: one purpose, one key.
constexpr std::string_view kSealInfo = "lienthong/record-cache/seal/v1";
constexpr std::string_view kNameInfo = "lienthong/record-cache/name/v1";

std::string to_hex(const unsigned char* p, std::size_t n) {
  std::string out(2 * n, '\0');
  for (std::size_t i = 0; i < n; ++i) {
    out[2 * i] = kHexDigits[p[i] >> 4];
    out[2 * i + 1] = kHexDigits[p[i] & 0x0F];
  }
  return out;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

struct CipherCtxDeleter {
  void operator()(EVP_CIPHER_CTX* ctx) const { EVP_CIPHER_CTX_free(ctx); }
};
using CipherCtxPtr = std::unique_ptr<EVP_CIPHER_CTX, CipherCtxDeleter>;

// Fetched once: an implicit fetch on every call costs a provider lookup.
const EVP_CIPHER* aes_256_gcm() {
  static EVP_CIPHER* cipher = EVP_CIPHER_fetch(nullptr, "AES-256-GCM", nullptr);
  return cipher;
}

bool hkdf_sha256(const unsigned char* key, std::size_t key_len, std::string_view info,
                 unsigned char* out, std::size_t out_len) {
  EVP_KDF* kdf = EVP_KDF_fetch(nullptr, "HKDF", nullptr);
  if (kdf == nullptr) return false;
  EVP_KDF_CTX* ctx = EVP_KDF_CTX_new(kdf);
  EVP_KDF_free(kdf);
  if (ctx == nullptr) return false;
  char digest[] = "SHA256";
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, const_cast<unsigned char*>(key),
                                        key_len),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, const_cast<char*>(info.data()),
                                        info.size()),
      OSSL_PARAM_construct_end(),
  };
  const bool ok = EVP_KDF_derive(ctx, out, out_len, params) == 1;
  EVP_KDF_CTX_free(ctx);
  return ok;
}

tl::unexpected<Error> open_failed(std::string_view why) {
  return fail(ErrorCode::kInternal, "sealed value: " + std::string(why));
}

}  // namespace

Result<SealingKey> SealingKey::from_bytes(std::string_view raw) {
  if (raw.size() != kKeyBytes)
    return fail(ErrorCode::kInternal, "sealing key must be " + std::to_string(kKeyBytes) +
                                          " bytes, got " + std::to_string(raw.size()));
  const auto* key = reinterpret_cast<const unsigned char*>(raw.data());
  SealingKey k;
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(key, raw.size(), digest);
  std::memcpy(k.key_id_.data(), digest, kKeyIdBytes);
  k.key_id_hex_ = to_hex(digest, kKeyIdBytes);
  if (!hkdf_sha256(key, raw.size(), kSealInfo, k.seal_key_.data(), k.seal_key_.size()) ||
      !hkdf_sha256(key, raw.size(), kNameInfo, k.name_key_.data(), k.name_key_.size()))
    return fail(ErrorCode::kInternal, "sealing key: HKDF-SHA256 unavailable in OpenSSL");
  return k;
}

Result<SealingKey> SealingKey::load_file(const std::filesystem::path& file) {
  const std::string name = file.string();
  const int fd = ::open(name.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return fail(ErrorCode::kInternal,
                "sealing key file " + name + ": cannot open: " + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return fail(ErrorCode::kInternal, "sealing key file " + name + ": not a regular file");
  }
  if ((st.st_mode & 077) != 0) {
    ::close(fd);
    char mode[8];
    (void)std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return fail(ErrorCode::kInternal, "sealing key file " + name +
                                          " is accessible by group or "
                                          "others (mode " +
                                          mode + "); chmod 600 it");
  }
  // A valid file is 64 characters and a newline; read a little more to report a wrong length.
  char buf[256];
  std::size_t len = 0;
  for (;;) {
    const ssize_t n = ::read(fd, buf + len, sizeof buf - len);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int err = errno;
      ::close(fd);
      OPENSSL_cleanse(buf, sizeof buf);
      return fail(ErrorCode::kInternal,
                  "sealing key file " + name + ": cannot read: " + std::strerror(err));
    }
    if (n == 0 || (len += static_cast<std::size_t>(n)) == sizeof buf) break;
  }
  ::close(fd);
  std::string_view text(buf, len);
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.remove_suffix(1);
  unsigned char raw[kKeyBytes];
  bool hex = text.size() == 2 * kKeyBytes;
  for (std::size_t i = 0; hex && i < kKeyBytes; ++i) {
    const int hi = hex_value(text[2 * i]), lo = hex_value(text[2 * i + 1]);
    hex = hi >= 0 && lo >= 0;
    raw[i] = static_cast<unsigned char>((hi << 4) | (lo & 0x0F));
  }
  const std::size_t found = text.size();
  OPENSSL_cleanse(buf, sizeof buf);
  if (!hex) {
    OPENSSL_cleanse(raw, sizeof raw);
    return fail(ErrorCode::kInternal,
                "sealing key file " + name +
                    ": expected exactly 64 hexadecimal characters (32 "
                    "bytes) and an optional newline, found " +
                    (found >= sizeof buf - 2 ? "more than 250" : std::to_string(found)) +
                    " characters" + (found == 2 * kKeyBytes ? " that are not all hex" : ""));
  }
  auto key = from_bytes(std::string_view(reinterpret_cast<const char*>(raw), sizeof raw));
  OPENSSL_cleanse(raw, sizeof raw);
  return key;
}

Result<void> SealingKey::generate_file(const std::filesystem::path& file) {
  unsigned char raw[kKeyBytes];
  if (RAND_bytes(raw, sizeof raw) != 1)
    return fail(ErrorCode::kInternal, "sealing key: no random bytes from OpenSSL");
  std::string text = to_hex(raw, sizeof raw) + "\n";
  OPENSSL_cleanse(raw, sizeof raw);
  const std::string name = file.string();
  // O_EXCL: replacing a key silently would turn every cached value into a miss; the caller
  // removes the old file deliberately if that is what it wants.
  const int fd = ::open(name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    OPENSSL_cleanse(text.data(), text.size());
    return fail(ErrorCode::kInternal,
                "sealing key file " + name + ": cannot create: " + std::strerror(errno));
  }
  std::size_t done = 0;
  int err = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      err = errno;
      break;
    }
    done += static_cast<std::size_t>(n);
  }
  if (err == 0 && ::fsync(fd) != 0) err = errno;
  ::close(fd);
  OPENSSL_cleanse(text.data(), text.size());
  if (err != 0) {
    ::unlink(name.c_str());
    return fail(ErrorCode::kInternal,
                "sealing key file " + name + ": cannot write: " + std::strerror(err));
  }
  return {};
}

SealingKey::SealingKey(SealingKey&& other) noexcept
    : seal_key_(other.seal_key_),
      name_key_(other.name_key_),
      key_id_(other.key_id_),
      key_id_hex_(std::move(other.key_id_hex_)) {
  other.wipe();
}

SealingKey& SealingKey::operator=(SealingKey&& other) noexcept {
  if (this != &other) {
    seal_key_ = other.seal_key_;
    name_key_ = other.name_key_;
    key_id_ = other.key_id_;
    key_id_hex_ = std::move(other.key_id_hex_);
    other.wipe();
  }
  return *this;
}

SealingKey::~SealingKey() { wipe(); }

void SealingKey::wipe() {
  OPENSSL_cleanse(seal_key_.data(), seal_key_.size());
  OPENSSL_cleanse(name_key_.data(), name_key_.size());
}

Result<std::string> SealingKey::seal(std::string_view plaintext,
                                     std::string_view associated_data) const {
  constexpr auto kIntMax = static_cast<std::size_t>(std::numeric_limits<int>::max());
  if (plaintext.size() > kIntMax - kOverheadBytes || associated_data.size() > kIntMax)
    return fail(ErrorCode::kInternal, "sealing: value too large");
  std::string out(kOverheadBytes + plaintext.size(), '\0');
  auto* p = reinterpret_cast<unsigned char*>(out.data());
  p[0] = kFormatVersion;
  std::memcpy(p + 1, key_id_.data(), kKeyIdBytes);
  unsigned char* nonce = p + kHeaderBytes;
  unsigned char* cipher = nonce + kNonceBytes;
  unsigned char* tag = cipher + plaintext.size();
  if (RAND_bytes(nonce, kNonceBytes) != 1)
    return fail(ErrorCode::kInternal, "sealing: no random bytes from OpenSSL");

  CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  const std::string aad = out.substr(0, kHeaderBytes) + std::string(associated_data);
  const bool ok =
      ctx && aes_256_gcm() != nullptr &&
      EVP_EncryptInit_ex2(ctx.get(), aes_256_gcm(), seal_key_.data(), nonce, nullptr) == 1 &&
      EVP_EncryptUpdate(ctx.get(), nullptr, &len,
                        reinterpret_cast<const unsigned char*>(aad.data()),
                        static_cast<int>(aad.size())) == 1 &&
      EVP_EncryptUpdate(ctx.get(), cipher, &len,
                        reinterpret_cast<const unsigned char*>(plaintext.data()),
                        static_cast<int>(plaintext.size())) == 1 &&
      EVP_EncryptFinal_ex(ctx.get(), cipher + len, &len) == 1 &&
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagBytes, tag) == 1;
  if (!ok) return fail(ErrorCode::kInternal, "sealing: AES-256-GCM failed");
  return out;
}

Result<std::string> SealingKey::open(std::string_view sealed,
                                     std::string_view associated_data) const {
  if (sealed.size() < kOverheadBytes) return open_failed("too short");
  if (sealed.size() > static_cast<std::size_t>(std::numeric_limits<int>::max()) ||
      associated_data.size() > static_cast<std::size_t>(std::numeric_limits<int>::max()))
    return open_failed("too large");
  const auto* p = reinterpret_cast<const unsigned char*>(sealed.data());
  if (p[0] != kFormatVersion) return open_failed("unknown format version");
  if (std::memcmp(p + 1, key_id_.data(), kKeyIdBytes) != 0)
    return open_failed("sealed under another key (key id " + to_hex(p + 1, kKeyIdBytes) +
                       ", this key is " + key_id_hex_ + ")");
  const unsigned char* nonce = p + kHeaderBytes;
  const unsigned char* cipher = nonce + kNonceBytes;
  const std::size_t cipher_len = sealed.size() - kOverheadBytes;
  const unsigned char* tag = cipher + cipher_len;

  std::string plain(cipher_len, '\0');
  auto* out = reinterpret_cast<unsigned char*>(plain.data());
  CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  const std::string aad =
      std::string(sealed.substr(0, kHeaderBytes)) + std::string(associated_data);
  const bool setup =
      ctx && aes_256_gcm() != nullptr &&
      EVP_DecryptInit_ex2(ctx.get(), aes_256_gcm(), seal_key_.data(), nonce, nullptr) == 1 &&
      EVP_DecryptUpdate(ctx.get(), nullptr, &len,
                        reinterpret_cast<const unsigned char*>(aad.data()),
                        static_cast<int>(aad.size())) == 1 &&
      EVP_DecryptUpdate(ctx.get(), out, &len, cipher, static_cast<int>(cipher_len)) == 1 &&
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagBytes,
                          const_cast<unsigned char*>(tag)) == 1;
  if (!setup) return open_failed("AES-256-GCM failed");
  int final_len = 0;
  if (EVP_DecryptFinal_ex(ctx.get(), out + len, &final_len) != 1) {
    OPENSSL_cleanse(plain.data(), plain.size());
    return open_failed("authentication failed (tampered, or stored under another Redis key)");
  }
  return plain;
}

std::string SealingKey::keyed_name(std::string_view data) const {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_len = 0;
  HMAC(EVP_sha256(), name_key_.data(), static_cast<int>(name_key_.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac, &mac_len);
  return to_hex(mac, mac_len);
}

}  // namespace lienthong::cache
