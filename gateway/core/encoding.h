// Small byte encodings used across tiers: hex, SHA-256 as hex, base64 (RFC 4648, padded).
// One place, so that every tier spells a digest the same way.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace lienthong {

std::string to_hex(const unsigned char* bytes, std::size_t size);  // lowercase
std::string sha256_hex(std::string_view bytes);                     // 64 lowercase hex digits
std::string base64_encode(std::string_view bytes);

}  // namespace lienthong
