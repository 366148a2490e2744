// Small byte encodings used across tiers: hex, SHA-256 as hex, base64 (RFC 4648, padded) and
// base64url (RFC 4648 sec. 5, unpadded, as JOSE uses it).
// One place, so that every tier spells a digest the same way.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace lienthong {

std::string to_hex(const unsigned char* bytes, std::size_t size);  // lowercase
std::string sha256_hex(std::string_view bytes);                     // 64 lowercase hex digits
std::string base64_encode(std::string_view bytes);
// RFC 3986: every byte but the unreserved ones (A-Z a-z 0-9 - . _ ~) as %XX, upper case; one
// URL path segment or query value whatever the text holds (DocumentIds carry ',' and '/').
std::string percent_encode(std::string_view text);

// base64url without padding (RFC 7515 sec. 2).
std::string base64url_encode(std::string_view bytes);
// Strict: only A-Z a-z 0-9 - _, no padding or whitespace, length % 4 != 1, and the unused low
// bits of the last character zero (one text per byte string). nullopt otherwise.
std::optional<std::string> base64url_decode(std::string_view text);

}  // namespace lienthong
