// lienthong sign-xml FILE --key PEM --cert PEM [--chain PEM]... [--id ID]
// Prints the signed document (enveloped, exc-c14n, SHA-256, RSA or ECDSA, X.509 in KeyInfo).
#include <iostream>

#include "gateway/crypto/key_material.h"
#include "gateway/crypto/xml_signer.h"
#include "tools/lienthong/commands.h"

namespace lienthong::cli {

namespace {

struct SignXmlArgs {
  std::string file, key, cert, id;
  std::vector<std::string> chain, id_attrs;
};

int run(const SignXmlArgs& args) {
  std::vector<std::filesystem::path> chain(args.chain.begin(), args.chain.end());
  auto identity = crypto::SigningIdentity::load(args.key, args.cert, chain);
  if (!identity) {
    std::cerr << "lienthong sign-xml: " << identity.error().detail << "\n";
    return kExitUsage;
  }
  std::vector<crypto::IdAttribute> ids = crypto::IdAttribute::defaults();
  for (const auto& spec : args.id_attrs) {
    auto id = crypto::IdAttribute::parse(spec);
    if (!id) {
      std::cerr << "lienthong sign-xml: " << id.error().detail << "\n";
      return kExitUsage;
    }
    ids.push_back(*id);
  }
  auto signer = crypto::XmlDsigSigner::create(*identity, {}, ids);
  if (!signer) {
    std::cerr << "lienthong sign-xml: " << signer.error().detail << "\n";
    return kExitUsage;
  }
  auto bytes = crypto::read_file(args.file);
  if (!bytes) {
    std::cerr << "lienthong sign-xml: " << bytes.error().detail << "\n";
    return kExitUsage;
  }
  auto signed_doc = (*signer)->sign(*bytes, crypto::XmlSignOptions{args.id});
  if (!signed_doc) {
    std::cerr << "lienthong sign-xml: " << error_code_name(signed_doc.error().code) << ": "
              << signed_doc.error().detail << "\n";
    return kExitRefused;
  }
  std::cout << *signed_doc;
  return kExitOk;
}

}  // namespace

std::function<int()> add_sign_xml(CLI::App& app) {
  auto args = std::make_shared<SignXmlArgs>();
  CLI::App* cmd = app.add_subcommand("sign-xml", "Sign an XML document; print the signed document");
  cmd->add_option("FILE", args->file, "XML document to sign")->required();
  cmd->add_option("--key", args->key, "Private key (PEM or DER, unencrypted)")->required();
  cmd->add_option("--cert", args->cert, "Certificate of the key (PEM or DER)")->required();
  cmd->add_option("--chain", args->chain, "Intermediate certificate(s) to include; repeatable");
  cmd->add_option("--id", args->id, "Sign the element with this ID (default: the whole document)");
  cmd->add_option("--id-attr", args->id_attrs, "Extra ID attribute NAME or NAME:NAMESPACE:ELEMENT");
  return [args] { return run(*args); };
}

}  // namespace lienthong::cli
