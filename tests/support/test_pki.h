// Where the dev PKI generated for this test run lives (CTest fixture `dev_pki` runs
// certs/dev-pki.sh into the build tree), and small helpers to load from it.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>

#include "gateway/crypto/key_material.h"
#include "gateway/crypto/signing_identity.h"
#include "gateway/crypto/trust_store.h"

namespace lienthong::testing {

inline std::filesystem::path test_pki_dir() {
  const char* dir = std::getenv("LIENTHONG_TEST_PKI");
  if (dir == nullptr || !std::filesystem::exists(std::filesystem::path(dir) / ".complete"))
    throw std::runtime_error(
        "LIENTHONG_TEST_PKI does not name a generated dev PKI (run via ctest)");
  return dir;
}

// kt: "rsa" or "ec"
inline std::filesystem::path pki_file(const std::string& kt, const std::string& name) {
  return test_pki_dir() / kt / name;
}

inline std::shared_ptr<const crypto::SigningIdentity> identity(const std::string& kt,
                                                               const std::string& name) {
  auto id = crypto::SigningIdentity::load(pki_file(kt, name + ".key"), pki_file(kt, name + ".crt"),
                                          {pki_file(kt, "intermediate-ca.crt")});
  if (!id) throw std::runtime_error(id.error().detail);
  return *id;
}

inline crypto::TrustStore::Ptr trust_store(const std::string& kt,
                                           crypto::CrlMode mode = crypto::CrlMode::kIfAvailable) {
  auto material = crypto::TrustMaterial::from_directory(test_pki_dir() / kt / "trust");
  if (!material) throw std::runtime_error(material.error().detail);
  auto store = crypto::X509TrustStore::create(std::move(*material), mode);
  if (!store) throw std::runtime_error(store.error().detail);
  return *store;
}

inline crypto::X509Ptr certificate(const std::string& kt, const std::string& name) {
  auto certs = crypto::load_certificates(pki_file(kt, name + ".crt"));
  if (!certs) throw std::runtime_error(certs.error().detail);
  return std::move(certs->front());
}

inline std::filesystem::path conformance_dir() { return LIENTHONG_CONFORMANCE_DIR; }

}  // namespace lienthong::testing
