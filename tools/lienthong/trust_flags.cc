#include "tools/lienthong/trust_flags.h"

#include "gateway/crypto/key_material.h"

namespace lienthong::cli {

Result<crypto::TrustMaterial> load_trust_flags(const std::string& trust_dir,
                                               const std::vector<std::string>& trusted,
                                               const std::vector<std::string>& crls) {
  crypto::TrustMaterial material;
  if (!trust_dir.empty()) {
    auto from_dir = crypto::TrustMaterial::from_directory(trust_dir);
    if (!from_dir) return tl::unexpected(from_dir.error());
    material = std::move(*from_dir);
  }
  for (const auto& file : trusted) {
    auto certs = crypto::load_certificates(file);
    if (!certs) return tl::unexpected(certs.error());
    for (auto& c : *certs) material.anchors.push_back(std::move(c));
  }
  for (const auto& file : crls) {
    auto loaded = crypto::load_crls(file);
    if (!loaded) return tl::unexpected(loaded.error());
    for (auto& c : *loaded) material.crls.push_back(std::move(c));
  }
  return material;
}

}  // namespace lienthong::cli
