// lienthong trust list | add-anchor | add-intermediate | pin-member | unpin | import-crl |
//                remove | check | expiring      (--dir TRUST_DIR, or $LIENTHONG_TRUST_DIR)
// The administrator's view of the trust directory the gateway reads (certs/README.md). Every
// change refuses what the gateway would refuse, with the reason; the gateway picks changes up
// without a restart. Exit 0 done / accepted, 1 refused / not accepted / something expiring,
// 2 usage or I/O error.
#include <openssl/x509v3.h>
#include <pwd.h>
#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <nlohmann/json.hpp>

#include "gateway/core/clock.h"
#include "gateway/crypto/certificate_names.h"
#include "gateway/crypto/key_material.h"
#include "gateway/crypto/trust_directory.h"
#include "gateway/crypto/trust_snapshot.h"
#include "tools/lienthong/commands.h"

namespace lienthong::cli {
namespace {

struct TrustArgs {
  std::string dir;
  std::string file;  // CERT or CRL
  std::string key;   // fingerprint or organ code
  std::string organ;
  std::string subsystem;
  std::vector<std::string> chain;
  std::string at;
  std::string within = "30d";
  bool json = false;
};

// Who is making the change, for the pin and the audit: the OS account (and the one sudo came
// from).
std::string os_actor() {
  std::string who = "os:";
  if (const passwd* pw = ::getpwuid(::geteuid()))
    who += pw->pw_name;
  else
    who += std::to_string(::geteuid());
  if (const char* sudo = std::getenv("SUDO_USER")) who += std::string(" (sudo from ") + sudo + ")";
  return who;
}

Result<TimePoint> when(const TrustArgs& a) {
  if (a.at.empty()) return SystemClock::instance()->now();
  auto t = parse_utc_time(a.at);
  if (!t) return fail(ErrorCode::kBadRequest, "--at: not a UTC time (2026-11-22T10:00:00Z)");
  return *t;
}

// "30d", "12h", "90m", "3600s" or plain seconds.
Result<long long> parse_span(const std::string& text) {
  if (text.empty()) return fail(ErrorCode::kBadRequest, "--within: empty");
  long long unit = 1;
  std::string digits = text;
  switch (text.back()) {
    case 'd':
      unit = 86400;
      digits.pop_back();
      break;
    case 'h':
      unit = 3600;
      digits.pop_back();
      break;
    case 'm':
      unit = 60;
      digits.pop_back();
      break;
    case 's':
      digits.pop_back();
      break;
    default:
      break;
  }
  if (digits.empty() || digits.size() > 9 ||
      digits.find_first_not_of("0123456789") != std::string::npos)
    return fail(ErrorCode::kBadRequest, "--within: use 30d, 12h, 90m or seconds");
  return std::stoll(digits) * unit;
}

Result<crypto::X509Ptr> one_certificate(const std::string& file) {
  auto certs = crypto::load_certificates(file);
  if (!certs) return tl::unexpected(certs.error());
  if (certs->size() != 1)
    return fail(ErrorCode::kBadRequest, file + ": holds " + std::to_string(certs->size()) +
                                            " certificates; give one certificate per command");
  return std::move(certs->front());
}

int usage_error(const std::string& what, const Error& e) {
  std::cerr << "lienthong trust " << what << ": " << e.detail << "\n";
  return kExitUsage;
}

int refused(const std::string& what, const Error& e, bool json) {
  if (json) {
    std::cout << nlohmann::json{{"ok", false},
                                {"error", std::string(error_code_name(e.code))},
                                {"detail", e.detail}}
                     .dump()
              << "\n";
  } else {
    std::cerr << "lienthong trust " << what << ": refused: " << e.detail << "\n";
  }
  return kExitRefused;
}

int report_change(const Result<crypto::TrustChange>& change, const std::string& what, bool json) {
  if (!change) {
    // I/O failures are not the certificate's fault: exit 2 as for any I/O error.
    if (change.error().code == ErrorCode::kInternal) return usage_error(what, change.error());
    return refused(what, change.error(), json);
  }
  if (json) {
    nlohmann::json out{{"ok", true}, {"action", change->action}, {"detail", change->detail}};
    out["written"] = nlohmann::json::array();
    out["removed"] = nlohmann::json::array();
    for (const auto& f : change->written) out["written"].push_back(f.string());
    for (const auto& f : change->removed) out["removed"].push_back(f.string());
    std::cout << out.dump() << "\n";
  } else {
    std::cout << change->action << ": " << change->detail << "\n";
    for (const auto& f : change->written) std::cout << "  wrote   " << f.string() << "\n";
    for (const auto& f : change->removed) std::cout << "  removed " << f.string() << "\n";
  }
  return kExitOk;
}

// The shared shape, and the file it was read from (the admin API does not show paths).
nlohmann::json listed(const crypto::CertificateStatus& s) {
  nlohmann::json out = crypto::to_json(s);
  out["file"] = s.file.string();
  return out;
}
void print_table(const std::vector<crypto::CertificateStatus>& rows) {
  for (const auto& s : rows) {
    std::cout << s.kind << "  " << (s.organ_code.empty() ? "-" : s.organ_code)
              << (s.subsystem.empty() ? "" : "/" + s.subsystem) << "  " << s.key << "  until "
              << format_utc_time(s.not_after) << "  " << s.status << "\n"
              << "    " << s.subject << "\n    sha256 " << s.fingerprint << "\n";
    if (!s.pinned_at.empty())
      std::cout << "    pinned " << s.pinned_at << (s.pinned_by.empty() ? "" : " by " + s.pinned_by)
                << "\n";
  }
}

int run_list(const TrustArgs& a) {
  auto now = when(a);
  if (!now) return usage_error("list", now.error());
  auto snapshot = crypto::TrustSnapshot::load(a.dir);
  if (!snapshot) return usage_error("list", snapshot.error());
  const auto rows = (*snapshot)->statuses(*now);
  if (a.json) {
    nlohmann::json out{{"directory", a.dir}, {"at", format_utc_time(*now)}};
    out["certificates"] = nlohmann::json::array();
    for (const auto& s : rows) out["certificates"].push_back(listed(s));
    std::cout << out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  } else {
    print_table(rows);
  }
  return kExitOk;
}

int run_expiring(const TrustArgs& a) {
  auto now = when(a);
  if (!now) return usage_error("expiring", now.error());
  auto within = parse_span(a.within);
  if (!within) return usage_error("expiring", within.error());
  auto snapshot = crypto::TrustSnapshot::load(a.dir);
  if (!snapshot) return usage_error("expiring", snapshot.error());
  std::vector<crypto::CertificateStatus> soon;
  for (auto& s : (*snapshot)->statuses(*now))
    if (s.seconds_to_expiry <= *within) soon.push_back(std::move(s));
  std::sort(soon.begin(), soon.end(),
            [](const auto& x, const auto& y) { return x.seconds_to_expiry < y.seconds_to_expiry; });
  if (a.json) {
    nlohmann::json out{{"within_s", *within}, {"at", format_utc_time(*now)}};
    out["certificates"] = nlohmann::json::array();
    for (const auto& s : soon) out["certificates"].push_back(listed(s));
    std::cout << out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  } else if (soon.empty()) {
    std::cout << "nothing expires within " << a.within << "\n";
  } else {
    print_table(soon);
  }
  return soon.empty() ? kExitOk : kExitRefused;
}

// Would the gateway accept this certificate from a member now, and if not, why.
int run_check(const TrustArgs& a) {
  auto now = when(a);
  if (!now) return usage_error("check", now.error());
  auto cert = one_certificate(a.file);
  if (!cert) return usage_error("check", cert.error());
  std::vector<crypto::X509Ptr> extra;
  std::vector<X509*> untrusted;
  for (const auto& f : a.chain) {
    auto certs = crypto::load_certificates(f);
    if (!certs) return usage_error("check", certs.error());
    for (auto& c : *certs) {
      untrusted.push_back(c.get());
      extra.push_back(std::move(c));
    }
  }
  auto snapshot = crypto::TrustSnapshot::load(a.dir);
  if (!snapshot) return usage_error("check", snapshot.error());
  const std::string fp = crypto::sha256_fingerprint(cert->get());
  auto organ = crypto::organ_code_of(cert->get());
  auto path = (*snapshot)->check(cert->get(), untrusted, *now, X509_PURPOSE_SSL_CLIENT);
  const crypto::MemberPin* pin = (*snapshot)->pin(fp);
  std::vector<std::string> reasons;
  if (!organ) reasons.push_back(organ.error().detail);
  if (!path)
    reasons.push_back(std::string(error_code_name(path.error().code)) + ": " + path.error().detail);
  if (pin == nullptr)
    reasons.push_back("not pinned: no member pin for this certificate (pin-member)");
  else if (organ && pin->organ_code != *organ)
    reasons.push_back("pinned for organ " + pin->organ_code + " but names " + *organ);
  const bool accepted = reasons.empty();
  if (a.json) {
    nlohmann::json out{{"accepted", accepted},
                       {"fingerprint", fp},
                       {"subject", crypto::subject_dn(cert->get())},
                       {"organ_code", organ ? *organ : ""},
                       {"pinned", pin != nullptr},
                       {"at", format_utc_time(*now)},
                       {"reasons", reasons}};
    if (path) out["valid_until"] = format_utc_time(path->valid_until);
    std::cout << out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  } else {
    std::cout << (accepted ? "accepted" : "NOT accepted") << ": " << crypto::subject_dn(cert->get())
              << "\n  sha256 " << fp << "\n";
    if (path) std::cout << "  path valid until " << format_utc_time(path->valid_until) << "\n";
    if (pin != nullptr)
      std::cout << "  pinned for " << pin->organ_code
                << (pin->subsystem.empty() ? "" : "/" + pin->subsystem) << " since "
                << pin->pinned_at << "\n";
    for (const auto& r : reasons) std::cout << "  - " << r << "\n";
  }
  return accepted ? kExitOk : kExitRefused;
}

int run_change(const std::string& what, const TrustArgs& a) {
  auto now = when(a);
  if (!now) return usage_error(what, now.error());
  const crypto::TrustDirectory dir(a.dir);
  if (what == "unpin") return report_change(dir.unpin(a.key), what, a.json);
  if (what == "remove") return report_change(dir.remove(a.key), what, a.json);
  if (what == "import-crl") {
    auto crls = crypto::load_crls(a.file);
    if (!crls) return usage_error(what, crls.error());
    if (crls->size() != 1)
      return usage_error(what, Error{ErrorCode::kBadRequest, a.file + ": give one CRL"});
    return report_change(dir.import_crl(crls->front().get(), *now), what, a.json);
  }
  auto cert = one_certificate(a.file);
  if (!cert) return usage_error(what, cert.error());
  if (what == "add-anchor") return report_change(dir.add_anchor(cert->get(), *now), what, a.json);
  if (what == "add-intermediate")
    return report_change(dir.add_intermediate(cert->get(), *now), what, a.json);
  return report_change(dir.pin_member(cert->get(), a.organ, a.subsystem, *now, os_actor()), what,
                       a.json);
}

}  // namespace

std::function<int()> add_trust(CLI::App& app) {
  auto a = std::make_shared<TrustArgs>();
  if (const char* env = std::getenv("LIENTHONG_TRUST_DIR")) a->dir = env;
  CLI::App* cmd = app.add_subcommand(
      "trust", "The trust directory: anchors, intermediates, CRLs and pinned members");
  cmd->require_subcommand(1);
  auto dir_option = [&](CLI::App* sub) {
    sub->add_option("-d,--dir", a->dir, "Trust directory (default $LIENTHONG_TRUST_DIR)");
    sub->add_flag("--json", a->json, "Print JSON");
    sub->add_option("--at", a->at, "Judge at this UTC time instead of now");
  };
  std::vector<std::pair<std::string, CLI::App*>> subs;
  auto add = [&](const std::string& name, const std::string& help) {
    CLI::App* sub = cmd->add_subcommand(name, help);
    dir_option(sub);
    subs.emplace_back(name, sub);
    return sub;
  };
  add("list", "Every anchor, intermediate and pinned member, with expiry and revocation status");
  add("add-anchor", "Trust a self-signed CA")->add_option("CERT", a->file)->required();
  add("add-intermediate", "Add a subordinate CA (must chain to an anchor)")
      ->add_option("CERT", a->file)
      ->required();
  auto* pin = add("pin-member", "Accept this member certificate for an organ code");
  pin->add_option("CERT", a->file)->required();
  pin->add_option("--organ", a->organ, "Organ code NNN.NN.NN.ANN the certificate acts for")
      ->required();
  pin->add_option("--subsystem", a->subsystem, "Only for this subsystem (the certificate's OU)");
  add("unpin", "Stop accepting a member: by fingerprint (prefix) or every pin of an organ code")
      ->add_option("FINGERPRINT_OR_ORGAN", a->key)
      ->required();
  add("import-crl", "Install a CRL of an anchor or intermediate (replaces an older one)")
      ->add_option("CRL", a->file)
      ->required();
  add("remove", "Remove an anchor, intermediate or pin by SHA-256 fingerprint (prefix)")
      ->add_option("FINGERPRINT", a->key)
      ->required();
  auto* check = add("check", "Would the gateway accept this member certificate now, and why not");
  check->add_option("CERT", a->file)->required();
  check->add_option("--chain", a->chain, "Intermediates the member sends with it (PEM)");
  add("expiring", "Certificates expiring within a span (exit 1 when there are any)")
      ->add_option("--within", a->within, "30d, 12h, 90m or seconds (default 30d)");
  return [a, subs] {
    for (const auto& [name, sub] : subs) {
      if (!sub->parsed()) continue;
      if (a->dir.empty()) {
        std::cerr << "lienthong trust " << name
                  << ": --dir (or $LIENTHONG_TRUST_DIR) is required\n";
        return kExitUsage;
      }
      if (name == "list") return run_list(*a);
      if (name == "expiring") return run_expiring(*a);
      if (name == "check") return run_check(*a);
      return run_change(name, *a);
    }
    return kExitUsage;
  };
}

}  // namespace lienthong::cli
