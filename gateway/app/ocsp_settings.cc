#include "gateway/app/ocsp_settings.h"

#include <fmt/format.h>

#include "gateway/app/config_reader.h"
#include "gateway/crypto/key_material.h"

namespace lienthong::app {
namespace {

Result<void> read_policy(config::TableReader& r, const std::string& where,
                         crypto::OcspIssuerPolicy& out) {
  if (auto mode = r.string("when_unavailable")) {
    if (*mode == "fail_closed")
      out.when_unavailable = crypto::OcspUnavailable::kFailClosed;
    else if (*mode == "grace")
      out.when_unavailable = crypto::OcspUnavailable::kGrace;
    else
      return fail(ErrorCode::kBadRequest, where + " when_unavailable must be fail_closed or grace");
  }
  if (auto grace = r.integer("grace_s", 0, 30 * 86'400)) out.grace = std::chrono::seconds(*grace);
  return {};
}

}  // namespace

Result<std::optional<crypto::OcspConfig>> read_ocsp_settings(const toml::table* section,
                                                             const std::filesystem::path& base) {
  if (section == nullptr) return std::optional<crypto::OcspConfig>{};
  config::TableReader r(*section, "[ocsp]", base);
  const bool enabled = r.boolean("enabled").value_or(false);
  crypto::OcspConfig c;
  if (auto v = r.integer("freshness_s", 60, 30 * 86'400)) c.freshness = std::chrono::seconds(*v);
  if (auto v = r.integer("clock_skew_s", 0, 3600)) c.clock_skew = std::chrono::seconds(*v);
  if (auto v = r.integer("refresh_margin_s", 0, 86'400))
    c.refresh_margin = std::chrono::seconds(*v);
  if (auto v = r.integer("timeout_ms", 100, 60'000)) c.timeout = std::chrono::milliseconds(*v);
  c.send_nonce = r.boolean("send_nonce").value_or(c.send_nonce);
  c.accept_missing_nonce = r.boolean("accept_missing_nonce").value_or(c.accept_missing_nonce);
  if (auto ok = read_policy(r, "[ocsp]", c.default_policy); !ok) return tl::unexpected(ok.error());
  if (const auto* issuers = r.table("issuers")) {
    for (const auto& [name, node] : *issuers) {
      const std::string where = fmt::format("[ocsp.issuers.{}]", std::string(name.str()));
      const auto* table = node.as_table();
      if (table == nullptr) return fail(ErrorCode::kBadRequest, where + " must be a table");
      config::TableReader ir(*table, where, base);
      auto file = ir.path("certificate", true);
      crypto::OcspIssuerPolicy policy = c.default_policy;
      policy.responder_url = ir.string("responder_url").value_or("");
      if (auto ok = read_policy(ir, where, policy); !ok) return tl::unexpected(ok.error());
      if (auto ok = ir.finish(); !ok) return tl::unexpected(ok.error());
      auto certs = crypto::load_certificates(*file);
      if (!certs || certs->size() != 1)
        return fail(ErrorCode::kBadRequest,
                    where + " certificate: " + file->string() + " must hold one CA certificate");
      c.issuers[crypto::sha256_fingerprint(certs->front().get())] = std::move(policy);
    }
  }
  if (auto ok = r.finish(); !ok) return tl::unexpected(ok.error());
  if (auto ok = c.validate(); !ok) return tl::unexpected(ok.error());
  if (!enabled) return std::optional<crypto::OcspConfig>{};
  return std::optional<crypto::OcspConfig>(std::move(c));
}

}  // namespace lienthong::app
