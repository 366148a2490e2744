#include "gateway/app/gateway_config.h"

#include <fmt/format.h>

#include "gateway/app/config_reader.h"
#include "gateway/app/ocsp_settings.h"

namespace lienthong::app {
namespace {

Result<void> read_listen(config::TableReader& parent, std::string_view key, ListenConfig& out,
                         const std::filesystem::path& base) {
  const auto* t = parent.table(key);
  if (!t) return {};
  config::TableReader r(*t, fmt::format("[{}]", key), base);
  out.enabled = r.boolean("enabled").value_or(true);
  out.address = r.string("address").value_or(out.address);
  out.port = static_cast<std::uint16_t>(r.integer("port", 0, 65535).value_or(0));
  out.threads = static_cast<int>(r.integer("threads", 0, 4096).value_or(0));
  return r.finish();
}

// [admin] (AdminConfig): required keys only when enabled.
Result<void> read_admin(config::TableReader& parent, AdminConfig& out,
                        const std::filesystem::path& base) {
  const auto* t = parent.table("admin");
  if (!t) return {};
  config::TableReader r(*t, "[admin]", base);
  out.enabled = r.boolean("enabled").value_or(true);
  out.address = r.string("address").value_or(out.address);
  out.port = static_cast<std::uint16_t>(r.integer("port", 0, 65535).value_or(0));
  out.threads = static_cast<int>(r.integer("threads", 1, 64).value_or(out.threads));
  out.client_trust = r.path("client_trust", out.enabled).value_or("");
  for (const auto& p : r.strings("administrators", out.enabled)) {
    const std::filesystem::path path(p);
    out.administrators.push_back(path.is_absolute() ? path : base / path);
  }
  if (auto ok = r.finish(); !ok) return ok;
  if (out.enabled && out.administrators.empty())
    return fail(ErrorCode::kBadRequest,
                "[admin] administrators: name at least one administrator certificate");
  return {};
}

}  // namespace

Result<GatewayConfig> load_gateway_config(const std::filesystem::path& file) {
  toml::table root;
  try {
    root = toml::parse_file(file.string());
  } catch (const toml::parse_error& e) {
    return fail(ErrorCode::kBadRequest, fmt::format("{}:{}: {}", file.string(),
                                                    e.source().begin.line, e.description()));
  }
  GatewayConfig c;
  c.source = file;
  const auto base = std::filesystem::absolute(file).parent_path();
  config::TableReader top(root, "", base);

  auto section = [&](std::string_view name) -> const toml::table* { return top.table(name); };
  Result<void> status;
  auto check = [&](Result<void> r) {
    if (status && !r) status = r;
  };

  if (const auto* g = section("gateway")) {
    config::TableReader r(*g, "[gateway]", base);
    c.log_level = r.string("log_level").value_or(c.log_level);
    c.worker_threads = static_cast<int>(r.integer("worker_threads", 0, 256).value_or(0));
    c.port_file = r.path("port_file");
    check(r.finish());
  }
  if (const auto* t = section("tls")) {
    config::TableReader r(*t, "[tls]", base);
    c.tls_certificate_chain = r.path("certificate_chain", true).value_or("");
    c.tls_private_key = r.path("private_key", true).value_or("");
    c.client_trust = r.path("client_trust", true).value_or("");
    c.member_pinning = r.string("member_pinning").value_or(c.member_pinning);
    if (c.member_pinning != "required" && c.member_pinning != "off")
      check(fail(ErrorCode::kBadRequest, "[tls] member_pinning must be required or off"));
    c.watch_trust = r.boolean("watch").value_or(true);
    check(r.finish());
  } else {
    check(fail(ErrorCode::kBadRequest, "[tls] is required: every listener is mTLS"));
  }
  if (auto ocsp = read_ocsp_settings(section("ocsp"), base); ocsp) {
    c.ocsp = std::move(*ocsp);
  } else {
    check(tl::unexpected(ocsp.error()));
  }
  check(read_listen(top, "http", c.http, base));
  check(read_listen(top, "thrift", c.thrift, base));
  if (const auto* s = section("signing")) {
    config::TableReader r(*s, "[signing]", base);
    c.signing_key = r.path("key", true).value_or("");
    c.signing_certificate = r.path("certificate", true).value_or("");
    for (const auto& p : r.strings("chain")) {
      std::filesystem::path path(p);
      c.signing_chain.push_back(path.is_absolute() ? path : base / path);
    }
    c.jws_alg = r.string("jws_alg").value_or("");
    c.jws_x5c = r.boolean("jws_x5c").value_or(true);
    if (auto v = r.integer("request_window_s", 1, 86'400)) c.request_window = std::chrono::seconds(*v);
    c.request_algorithms = r.strings("request_algorithms");
    check(r.finish());
  } else {
    check(fail(ErrorCode::kBadRequest, "[signing] is required: every answer is signed"));
  }
  if (const auto* p = section("policy")) {
    config::TableReader r(*p, "[policy]", base);
    c.policy_file = r.path("file", true).value_or("");
    check(r.finish());
  } else {
    check(fail(ErrorCode::kBadRequest, "[policy] is required: without it nobody may ask"));
  }
  if (const auto* k = section("cache")) {
    config::TableReader r(*k, "[cache]", base);
    c.cache_enabled = r.boolean("enabled").value_or(true);
    c.redis_host = r.string("redis_host").value_or(c.redis_host);
    c.redis_port = static_cast<int>(r.integer("redis_port", 1, 65535).value_or(c.redis_port));
    c.redis_unix_socket = r.string("redis_unix_socket").value_or("");
    c.cache_sealing_key = r.path("sealing_key", c.cache_enabled).value_or("");
    c.cache_pool = static_cast<int>(r.integer("pool", 1, 256).value_or(c.cache_pool));
    check(r.finish());
  } else {
    c.cache_enabled = false;
  }
  if (const auto* a = section("audit")) {
    config::TableReader r(*a, "[audit]", base);
    c.audit_directory = r.path("directory", true).value_or("");
    c.audit_fsync = r.string("fsync").value_or(c.audit_fsync);
    if (c.audit_fsync != "batch" && c.audit_fsync != "interval" && c.audit_fsync != "none") {
      check(fail(ErrorCode::kBadRequest, "[audit] fsync must be batch, interval or none"));
    }
    check(r.finish());
  } else {
    check(fail(ErrorCode::kBadRequest, "[audit] is required: every request is audited"));
  }
  if (const auto* a = section("adapters")) c.adapters = *a;
  if (const auto* d = section("documents")) c.documents = *d;
  check(read_admin(top, c.admin, base));
  check(top.finish());
  if (!status) {
    return fail(ErrorCode::kBadRequest, fmt::format("{}: {}", file.string(), status.error().detail));
  }
  if (!c.http.enabled && !c.thrift.enabled) {
    return fail(ErrorCode::kBadRequest, file.string() + ": enable [http] or [thrift]");
  }
  return c;
}

}  // namespace lienthong::app
