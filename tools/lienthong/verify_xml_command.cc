// lienthong verify-xml FILE [--trusted CERT]... [--trust-dir DIR] [--untrusted CERT]...
//   [--pin-cert CERT] [--pubkey PEM] [--crl CRL]... [--id-attr NAME[:NS:ELEMENT]]...
//   [--at "YYYY-MM-DD HH:MM:SS"] [--policy strict|interop]
// Prints one JSON object. Exit 0 valid, 1 not valid, 2 usage or I/O error.
#include <iostream>
#include <nlohmann/json.hpp>

#include "gateway/crypto/key_material.h"
#include "gateway/crypto/xml_nodes.h"
#include "gateway/crypto/xml_verifier.h"
#include "tools/lienthong/commands.h"
#include "tools/lienthong/trust_flags.h"

namespace lienthong::cli {

namespace {

struct VerifyXmlArgs {
  std::string file;
  std::vector<std::string> trusted, untrusted, crls, id_attrs;
  std::string trust_dir, pin_cert, pubkey, at, policy = "strict";
};

int usage(const std::string& message) {
  std::cerr << "lienthong verify-xml: " << message << "\n";
  return kExitUsage;
}

// Reads at most `limit` bytes (a larger input is a verdict, XML_LIMIT_EXCEEDED, not a read).
Result<std::string> read_input(const std::string& file, size_t limit) {
  return crypto::read_file(file == "-" ? "/dev/stdin" : file, limit);
}

std::string element_name(const xmlNode* node) {
  if (node == nullptr) return {};
  const auto ns = crypto::xml::ns(node);
  const auto local = crypto::xml::name(node);
  return ns.empty() ? std::string(local) : "{" + std::string(ns) + "}" + std::string(local);
}

int print_verdict(const Result<crypto::VerifiedXml>& verdict, const std::string& policy) {
  nlohmann::json out;
  if (!verdict) {
    out["valid"] = false;
    out["error"] = std::string(error_code_name(verdict.error().code));
    out["detail"] = verdict.error().detail;
    out["policy"] = policy;
    std::cout << out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    return kExitRefused;
  }
  out["valid"] = true;
  out["signer"] = verdict->signer;
  out["signer_sha256"] = verdict->signer_fingerprint;
  out["algorithm"] = verdict->signature_method;
  out["canonicalization"] = verdict->canonicalization_method;
  out["policy"] = policy;
  out["references"] = nlohmann::json::array();
  for (const auto& ref : verdict->references) {
    out["references"].push_back({{"uri", ref.uri},
                                 {"digest_method", ref.digest_method},
                                 {"transforms", ref.transforms},
                                 {"element", element_name(ref.node)}});
  }
  out["chain"] = nlohmann::json::array();
  for (const auto& cert : verdict->chain) out["chain"].push_back(crypto::subject_dn(cert.get()));
  out["signed_xml"] = verdict->signed_xml();
  std::cout << out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  return kExitOk;
}

int run(const VerifyXmlArgs& args) {
  crypto::XmlVerifierConfig config;
  config.policy = crypto::SignaturePolicy::by_name(args.policy);
  if (config.policy == nullptr) return usage("--policy must be strict or interop");
  for (const auto& spec : args.id_attrs) {
    auto id = crypto::IdAttribute::parse(spec);
    if (!id) return usage(id.error().detail);
    config.id_attributes.push_back(*id);
  }
  if (!args.at.empty()) {
    auto at = parse_utc_time(args.at);
    if (!at) return usage("--at wants \"YYYY-MM-DD HH:MM:SS\" (UTC), got '" + args.at + "'");
    config.clock = std::make_shared<FixedClock>(*at);
  }
  if (!args.pin_cert.empty() && !args.pubkey.empty())
    return usage("give either --pin-cert or --pubkey, not both");
  if (!args.pin_cert.empty()) {
    auto certs = crypto::load_certificates(args.pin_cert);
    if (!certs) return usage(certs.error().detail);
    auto pinned = std::make_shared<crypto::PinnedKey>();
    pinned->key = crypto::EvpPkeyPtr(X509_get_pubkey(certs->front().get()));
    pinned->certificate = std::move(certs->front());
    config.pinned = std::move(pinned);
  } else if (!args.pubkey.empty()) {
    auto key = crypto::load_public_key(args.pubkey);
    if (!key) return usage(key.error().detail);
    auto pinned = std::make_shared<crypto::PinnedKey>();
    pinned->key = std::move(*key);
    config.pinned = std::move(pinned);
  }

  auto loaded = load_trust_flags(args.trust_dir, args.trusted, args.crls);
  if (!loaded) return usage(loaded.error().detail);
  crypto::TrustMaterial material = std::move(*loaded);
  for (const auto& file : args.untrusted) {
    auto certs = crypto::load_certificates(file);
    if (!certs) return usage(certs.error().detail);
    for (auto& c : *certs) config.untrusted.push_back(std::move(c));
  }
  if (!material.anchors.empty()) {
    auto store = crypto::X509TrustStore::create(std::move(material));
    if (!store) return usage(store.error().detail);
    config.trust = *store;
  }
  if (!config.trust && !config.pinned)
    std::cerr << "lienthong verify-xml: warning: nothing is trusted (no --trusted, --trust-dir, "
                 "--pin-cert or --pubkey): no signer can be accepted\n";

  auto bytes = read_input(args.file, config.limits.max_bytes);
  if (!bytes) {
    if (bytes.error().code == ErrorCode::kXmlLimitExceeded)
      return print_verdict(tl::unexpected(bytes.error()), args.policy);
    return usage(bytes.error().detail);
  }
  auto verifier = crypto::XmlDsigVerifier::create(std::move(config));
  if (!verifier) return print_verdict(tl::unexpected(verifier.error()), args.policy);
  return print_verdict((*verifier)->verify(*bytes), args.policy);
}

}  // namespace

std::function<int()> add_verify_xml(CLI::App& app) {
  auto args = std::make_shared<VerifyXmlArgs>();
  CLI::App* cmd = app.add_subcommand(
      "verify-xml", "Verify an XML-DSig document; print one JSON verdict (exit 0 valid, 1 not)");
  cmd->add_option("FILE", args->file, "Signed XML document ('-' for standard input)")->required();
  cmd->add_option("--trusted", args->trusted, "Trust anchor certificate (PEM or DER); repeatable");
  cmd->add_option("--trust-dir", args->trust_dir,
                  "Trust directory with anchors/, intermediates/, crls/");
  cmd->add_option(
      "--untrusted", args->untrusted,
      "Certificate to build paths and resolve X509 names with (not trusted); repeatable");
  cmd->add_option("--pin-cert", args->pin_cert, "Accept only this certificate's key (no chain)");
  cmd->add_option("--pubkey", args->pubkey, "Accept only this public key (PEM/DER SPKI)");
  cmd->add_option("--crl", args->crls, "CRL (PEM or DER); repeatable");
  cmd->add_option(
      "--id-attr", args->id_attrs,
      "Extra ID attribute NAME or NAME:NAMESPACE:ELEMENT (Id, ID, id are always registered)");
  cmd->add_option("--at", args->at, "Verify as of this UTC time, \"YYYY-MM-DD HH:MM:SS\"");
  cmd->add_option("--policy", args->policy, "strict (default) or interop")
      ->check(CLI::IsMember({"strict", "interop"}));
  return [args] { return run(*args); };
}

}  // namespace lienthong::cli
