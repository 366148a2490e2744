#include "gateway/policy/trust_members.h"

#include "gateway/crypto/certificate_names.h"
#include "gateway/crypto/trust_directory.h"

namespace lienthong::policy {

Result<std::vector<CertifiedMember>> members_in_trust_directory(const std::filesystem::path& dir) {
  auto contents = crypto::TrustDirectory(dir).read();
  if (!contents) return tl::unexpected(contents.error());
  std::vector<CertifiedMember> out;
  for (const auto& pin : contents->pins) {
    out.push_back({pin.organ_code,
                   pin.subsystem.empty() ? crypto::subsystem_of(pin.cert.get()) : pin.subsystem,
                   pin.file});
  }
  return out;
}

}  // namespace lienthong::policy
