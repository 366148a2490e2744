// Which members a trust directory lets in: its pins (`lienthong trust pin-member`, members/),
// each binding a certificate to an organ code and optionally a subsystem. For
// `lienthong policy lint --trust`: a member the policy grants but nobody is pinned for.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "gateway/core/error.h"

namespace lienthong::policy {

struct CertifiedMember {
  std::string organ_code;
  std::string subsystem;  // the pin's subsystem, else the certificate's first OU, or ""
  std::filesystem::path file;
};

// Every pin of the trust directory, read and checked as the gateway reads them
// (crypto::TrustDirectory); an unreadable or invalid directory is an error naming the file.
Result<std::vector<CertifiedMember>> members_in_trust_directory(const std::filesystem::path& dir);

}  // namespace lienthong::policy
