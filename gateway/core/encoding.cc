#include "gateway/core/encoding.h"

#include <array>

#include <openssl/evp.h>
#include <openssl/sha.h>

namespace lienthong {

std::string to_hex(const unsigned char* bytes, std::size_t size) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * size);
  for (std::size_t i = 0; i < size; ++i) {
    out += kHex[bytes[i] >> 4];
    out += kHex[bytes[i] & 15];
  }
  return out;
}

std::string sha256_hex(std::string_view bytes) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), digest);
  return to_hex(digest, sizeof digest);
}

std::string base64_encode(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');  // EVP_EncodeBlock adds a NUL
  const int len = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                  reinterpret_cast<const unsigned char*>(bytes.data()),
                                  static_cast<int>(bytes.size()));
  out.resize(len < 0 ? 0 : static_cast<std::size_t>(len));
  return out;
}

namespace {

constexpr char kBase64Url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

// base64url character -> value, 0x80 for anything else.
constexpr std::array<unsigned char, 256> kBase64UrlValues = [] {
  std::array<unsigned char, 256> t{};
  t.fill(0x80);
  for (unsigned char v = 0; v < 64; ++v) t[static_cast<unsigned char>(kBase64Url[v])] = v;
  return t;
}();

}  // namespace

// Both directions write into a buffer sized up front, four characters / three bytes per step:
// JWS headers, payloads and signatures go through here on every request.
std::string base64url_encode(std::string_view bytes) {
  const size_t whole = bytes.size() / 3 * 3;
  const size_t rest = bytes.size() - whole;
  std::string out(whole / 3 * 4 + (rest == 0 ? 0 : rest + 1), '\0');
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  char* o = out.data();
  for (size_t i = 0; i < whole; i += 3, o += 4) {
    const unsigned v = (p[i] << 16) | (p[i + 1] << 8) | p[i + 2];
    o[0] = kBase64Url[(v >> 18) & 63];
    o[1] = kBase64Url[(v >> 12) & 63];
    o[2] = kBase64Url[(v >> 6) & 63];
    o[3] = kBase64Url[v & 63];
  }
  if (rest != 0) {
    const unsigned v = (p[whole] << 16) | (rest == 2 ? p[whole + 1] << 8 : 0);
    o[0] = kBase64Url[(v >> 18) & 63];
    o[1] = kBase64Url[(v >> 12) & 63];
    if (rest == 2) o[2] = kBase64Url[(v >> 6) & 63];
  }
  return out;
}

std::optional<std::string> base64url_decode(std::string_view text) {
  const size_t rest = text.size() % 4;
  if (rest == 1) return std::nullopt;
  const size_t whole = text.size() - rest;
  std::string out(whole / 4 * 3 + (rest == 0 ? 0 : rest - 1), '\0');
  const auto* in = reinterpret_cast<const unsigned char*>(text.data());
  auto* o = reinterpret_cast<unsigned char*>(out.data());
  unsigned bad = 0;  // 0x80 set once any character is outside the alphabet
  for (size_t i = 0; i < whole; i += 4, o += 3) {
    const unsigned a = kBase64UrlValues[in[i]], b = kBase64UrlValues[in[i + 1]],
                   c = kBase64UrlValues[in[i + 2]], d = kBase64UrlValues[in[i + 3]];
    bad |= a | b | c | d;
    const unsigned v = (a << 18) | (b << 12) | (c << 6) | d;
    o[0] = static_cast<unsigned char>(v >> 16);
    o[1] = static_cast<unsigned char>(v >> 8);
    o[2] = static_cast<unsigned char>(v);
  }
  if (rest != 0) {
    const unsigned a = kBase64UrlValues[in[whole]], b = kBase64UrlValues[in[whole + 1]];
    const unsigned c = rest == 3 ? kBase64UrlValues[in[whole + 2]] : 0;
    bad |= a | b | c;
    o[0] = static_cast<unsigned char>((a << 2) | (b >> 4));
    if (rest == 3) o[1] = static_cast<unsigned char>((b << 4) | (c >> 2));
    // The bits of the last character that make no byte must be zero (one text per byte string).
    if ((rest == 2 ? b & 0x0f : c & 0x03) != 0) return std::nullopt;
  }
  if ((bad & 0x80) != 0) return std::nullopt;
  return out;
}

std::string percent_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    const bool unreserved = (u >= 'A' && u <= 'Z') || (u >= 'a' && u <= 'z') ||
                            (u >= '0' && u <= '9') || c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved) {
      out += c;
    } else {
      out += '%';
      out += kHex[u >> 4];
      out += kHex[u & 0x0F];
    }
  }
  return out;
}

}  // namespace lienthong
