#include "tools/lienthong/policy_inputs.h"

#include <fstream>
#include <sstream>

#include "adapters/catalogue.h"
#include "gateway/app/gateway_config.h"
#include "gateway/documents/document_policy.h"

namespace lienthong::cli {
namespace {

// load_gateway_config checks names and shapes only; it opens none of the files the config
// names (keys, secrets, trust directories), so an administrator without access to the
// gateway's secrets can still use it.
Result<app::GatewayConfig> read_config(const std::string& file) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec)) {
    return fail(ErrorCode::kBadRequest, "cannot read gateway config " + file);
  }
  return app::load_gateway_config(file);
}

}  // namespace

Result<std::string> read_text(const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return fail(ErrorCode::kBadRequest, "cannot read " + file);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

Result<std::vector<policy::AccessPolicy::Catalogue>> load_catalogue(const std::string& config) {
  auto c = read_config(config);
  if (!c) return tl::unexpected(c.error());
  auto catalogue = adapters::catalogue_from_config(
      c->adapters, std::filesystem::absolute(c->source).parent_path());
  if (!catalogue) {
    return fail(catalogue.error().code, config + ": " + catalogue.error().detail);
  }
  if (c->documents) {
    for (auto& entry : documents::policy_catalogue()) catalogue->push_back(std::move(entry));
  }
  return catalogue;
}

Result<LoadedPolicy> load_policy(const PolicySources& sources, bool want_catalogue) {
  LoadedPolicy out;
  out.file = sources.policy_file;
  if (!sources.config_file.empty()) {
    auto c = read_config(sources.config_file);
    if (!c) return tl::unexpected(c.error());
    if (out.file.empty()) out.file = c->policy_file.string();
    if (want_catalogue) {
      auto catalogue = load_catalogue(sources.config_file);
      if (!catalogue) return tl::unexpected(catalogue.error());
      out.catalogue = std::move(*catalogue);
    }
  }
  if (out.file.empty()) {
    return fail(ErrorCode::kBadRequest, "give --policy FILE or --config GATEWAY_TOML");
  }
  auto text = read_text(out.file);
  if (!text) return fail(ErrorCode::kBadRequest, "cannot read access policy " + out.file);
  auto parsed = policy::AccessPolicy::parse(*text, out.file);
  if (!parsed) {
    return fail(parsed.error().code,
                parsed.error().detail + " (`lienthong policy lint` lists every problem)");
  }
  out.policy = *parsed;
  return out;
}

}  // namespace lienthong::cli
