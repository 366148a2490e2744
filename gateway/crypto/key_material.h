// Reading certificates, CRLs and keys from files or memory, PEM or DER. Startup and CLI code
// calls these; the request path never touches files.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/core/error.h"
#include "gateway/crypto/openssl_types.h"

namespace lienthong::crypto {

// All certificates in a PEM bundle, or the one certificate of a DER file.
Result<std::vector<X509Ptr>> parse_certificates(std::string_view bytes);
Result<std::vector<X509Ptr>> load_certificates(const std::filesystem::path& file);

Result<std::vector<X509CrlPtr>> parse_crls(std::string_view bytes);
Result<std::vector<X509CrlPtr>> load_crls(const std::filesystem::path& file);

// An unencrypted private key (PKCS#8, traditional RSA/EC) in PEM or DER.
Result<EvpPkeyPtr> load_private_key(const std::filesystem::path& file);
// A public key (SubjectPublicKeyInfo PEM/DER) or the key of a certificate file.
Result<EvpPkeyPtr> load_public_key(const std::filesystem::path& file);

Result<std::string> read_file(const std::filesystem::path& file, size_t max_bytes = 64 << 20);

// A short description for operators: "RSA-2048", "EC P-256", "Ed25519".
std::string describe_key(const EVP_PKEY* key);

}  // namespace lienthong::crypto
