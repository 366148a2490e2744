#include "gateway/crypto/canonical_signer.h"

#include "gateway/crypto/algorithms.h"

namespace lienthong::crypto {

namespace {

constexpr std::string_view kXmlDeclaration = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
constexpr std::string_view kDsigNsDecl = " xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\"";
constexpr std::string_view kSignedInfoTail = "</ds:DigestValue></ds:Reference></ds:SignedInfo>";

std::string digest_name_for(const std::string& method) {
  if (method.ends_with("sha384")) return "SHA384";
  if (method.ends_with("sha512")) return "SHA512";
  return "SHA256";
}

}  // namespace

Result<std::shared_ptr<const CanonicalXmlSigner>> CanonicalXmlSigner::create(
    std::shared_ptr<const SigningIdentity> identity) {
  if (!identity) return fail(ErrorCode::kBadRequest, "no signing identity");
  auto method = signature_method_for(identity->key.get());
  if (!method) return tl::unexpected(method.error());
  std::shared_ptr<CanonicalXmlSigner> signer(new CanonicalXmlSigner());
  auto digest_signer =
      DigestSigner::create(share(identity->key.get()), digest_name_for(*method).c_str());
  if (!digest_signer) return tl::unexpected(digest_signer.error());
  signer->signer_ = std::move(*digest_signer);

  // SignedInfo exactly as exclusive C14N renders it with SignedInfo as the apex: the ds
  // namespace declared on it, every element with an explicit end tag, no whitespace.
  signer->signed_info_head_ =
      std::string("<ds:SignedInfo") + std::string(kDsigNsDecl) +
      "><ds:CanonicalizationMethod Algorithm=\"" + alg::kExcC14n +
      "\"></ds:CanonicalizationMethod><ds:SignatureMethod Algorithm=\"" + *method +
      "\"></ds:SignatureMethod><ds:Reference URI=\"\"><ds:Transforms><ds:Transform Algorithm=\"" +
      alg::kEnveloped + "\"></ds:Transform><ds:Transform Algorithm=\"" + alg::kExcC14n +
      "\"></ds:Transform></ds:Transforms><ds:DigestMethod Algorithm=\"" + alg::kSha256 +
      "\"></ds:DigestMethod><ds:DigestValue>";

  signer->key_info_ = "<ds:KeyInfo><ds:X509Data>";
  auto add_cert = [&](const X509* cert) {
    signer->key_info_ +=
        "<ds:X509Certificate>" + base64_encode(to_der(cert)) + "</ds:X509Certificate>";
  };
  add_cert(identity->certificate.get());
  for (const auto& cert : identity->chain) add_cert(cert.get());
  signer->key_info_ += "</ds:X509Data></ds:KeyInfo>";
  return std::shared_ptr<const CanonicalXmlSigner>(std::move(signer));
}

Result<std::string> CanonicalXmlSigner::sign(std::string_view canonical_root) const {
  const size_t end_tag = canonical_root.rfind("</");
  if (canonical_root.empty() || canonical_root.front() != '<' ||
      end_tag == std::string_view::npos || canonical_root.back() != '>')
    return fail(ErrorCode::kInternal, "not a canonical root element");

  // The Reference digest: the root with the Signature removed is these very bytes.
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int md_len = 0;
  EVP_Digest(canonical_root.data(), canonical_root.size(), md, &md_len, EVP_sha256(), nullptr);
  const std::string digest_b64 =
      base64_encode(std::string_view(reinterpret_cast<const char*>(md), md_len));

  std::string signed_info;
  signed_info.reserve(signed_info_head_.size() + digest_b64.size() + kSignedInfoTail.size());
  signed_info.append(signed_info_head_).append(digest_b64).append(kSignedInfoTail);
  auto value = signer_->sign(signed_info);
  if (!value) return tl::unexpected(value.error());
  const std::string value_b64 = base64_encode(*value);

  std::string out;
  out.reserve(kXmlDeclaration.size() + canonical_root.size() + signed_info.size() +
              value_b64.size() + key_info_.size() + 128);
  out.append(kXmlDeclaration).append(canonical_root.substr(0, end_tag));
  // In the document the ds namespace is declared on ds:Signature; SignedInfo inherits it.
  out.append("<ds:Signature").append(kDsigNsDecl).append(">");
  out.append("<ds:SignedInfo")
      .append(std::string_view(signed_info).substr(14 + kDsigNsDecl.size()));
  out.append("<ds:SignatureValue>").append(value_b64).append("</ds:SignatureValue>");
  out.append(key_info_).append("</ds:Signature>");
  out.append(canonical_root.substr(end_tag));
  return out;
}

}  // namespace lienthong::crypto
