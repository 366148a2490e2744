// The key that seals cached records (AES-256-GCM) and names their Redis keys (HMAC-SHA256).
//
// Key file: 64 hexadecimal characters (32 random bytes), optionally followed by a newline;
// nothing else. It must not be accessible by group or others (mode 0600 or stricter), like an
// SSH private key. `SealingKey::generate_file` writes one; `openssl rand -hex 32` does too.
//
// Sealed value (version 1):
//   version (1 byte = 0x01) | key id (4 bytes) | nonce (12 random bytes) | ciphertext | tag (16)
// The GCM associated data is version | key id | the caller's associated data (the Redis key), so
// a value copied under another key, or relabelled with another key id, does not open.
// Nonces are random: one key should seal well under 2^32 values (NIST SP 800-38D); rotate it long
// before that (a new key only turns existing values into misses).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "gateway/core/error.h"

namespace lienthong::cache {

class SealingKey {
 public:
  static constexpr std::size_t kKeyBytes = 32;
  static constexpr std::size_t kKeyIdBytes = 4;
  static constexpr std::size_t kNonceBytes = 12;
  static constexpr std::size_t kTagBytes = 16;
  static constexpr std::uint8_t kFormatVersion = 1;
  static constexpr std::size_t kHeaderBytes = 1 + kKeyIdBytes;
  static constexpr std::size_t kOverheadBytes = kHeaderBytes + kNonceBytes + kTagBytes;

  // Reads a key file (format above). Refuses a wrong length, non-hex text, a file that is not
  // regular, or one that group or others may access.
  static Result<SealingKey> load_file(const std::filesystem::path& file);
  // Exactly kKeyBytes raw bytes.
  static Result<SealingKey> from_bytes(std::string_view key);
  // Writes a new random key to `file` (created 0600; an existing file is never overwritten).
  static Result<void> generate_file(const std::filesystem::path& file);

  SealingKey(SealingKey&& other) noexcept;
  SealingKey& operator=(SealingKey&& other) noexcept;
  SealingKey(const SealingKey&) = delete;
  SealingKey& operator=(const SealingKey&) = delete;
  ~SealingKey();

  // First 8 lowercase hex digits of SHA-256(key).
  const std::string& key_id() const { return key_id_hex_; }

  Result<std::string> seal(std::string_view plaintext, std::string_view associated_data) const;
  // INTERNAL on any failure (short, unknown version, other key id, tag mismatch); the detail
  // says which without quoting the value.
  Result<std::string> open(std::string_view sealed, std::string_view associated_data) const;

  // Lowercase hex HMAC-SHA256 of `data` under a naming key derived from this key (HKDF): a
  // stable pseudonym for `data` that cannot be reversed or recomputed without the key.
  std::string keyed_name(std::string_view data) const;

 private:
  SealingKey() = default;
  void wipe();

  std::array<unsigned char, kKeyBytes> seal_key_{};  // HKDF(key, "…/seal")
  std::array<unsigned char, kKeyBytes> name_key_{};  // HKDF(key, "…/name")
  std::array<unsigned char, kKeyIdBytes> key_id_{};
  std::string key_id_hex_;
};

}  // namespace lienthong::cache
