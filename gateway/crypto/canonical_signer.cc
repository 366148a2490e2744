#include "gateway/crypto/canonical_signer.h"

#include <algorithm>

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
      "\"></ds:SignatureMethod><ds:Reference URI=\"";
  signer->reference_head_ =
      std::string("\"><ds:Transforms><ds:Transform Algorithm=\"") + alg::kEnveloped +
      "\"></ds:Transform><ds:Transform Algorithm=\"" + alg::kExcC14n +
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
  std::string out;
  out.reserve(kXmlDeclaration.size() + canonical_root.size() + key_info_.size() + 1024);
  out.append(kXmlDeclaration);
  if (auto signed_root = append_signed(canonical_root, "", out); !signed_root)
    return tl::unexpected(signed_root.error());
  return out;
}

Result<std::string> CanonicalXmlSigner::sign_element(std::string_view canonical_element,
                                                     std::string_view id) const {
  // The id goes into the Reference's URI attribute as written: keep it to characters that
  // need no escaping there and that an Id attribute may hold.
  const bool plain_id =
      !id.empty() && std::all_of(id.begin(), id.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '-' || c == '_' || c == '.';
      });
  if (!plain_id || (id.front() >= '0' && id.front() <= '9') || id.front() == '-' ||
      id.front() == '.')
    return fail(ErrorCode::kInternal, "element id must be an NCName of letters, digits, -, _, .");
  // The element must carry that Id itself, on its start tag (the verifier resolves the
  // reference there; a mismatch would only show up as a failed verification elsewhere).
  const size_t start_tag_end = canonical_element.find('>');
  const std::string id_attribute = " Id=\"" + std::string(id) + "\"";
  if (start_tag_end == std::string_view::npos ||
      canonical_element.substr(0, start_tag_end).find(id_attribute) == std::string_view::npos)
    return fail(ErrorCode::kInternal, "the element does not carry the Id it is signed under");
  std::string out;
  out.reserve(canonical_element.size() + key_info_.size() + 1024);
  if (auto signed_element = append_signed(canonical_element, "#" + std::string(id), out);
      !signed_element)
    return tl::unexpected(signed_element.error());
  return out;
}

Result<void> CanonicalXmlSigner::append_signed(std::string_view canonical_element,
                                               std::string_view uri, std::string& out) const {
  const size_t end_tag = canonical_element.rfind("</");
  if (canonical_element.empty() || canonical_element.front() != '<' ||
      end_tag == std::string_view::npos || canonical_element.back() != '>')
    return fail(ErrorCode::kInternal, "not a canonical element");

  // The Reference digest: the element with the Signature removed is these very bytes.
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int md_len = 0;
  EVP_Digest(canonical_element.data(), canonical_element.size(), md, &md_len, EVP_sha256(),
             nullptr);
  const std::string digest_b64 =
      base64_encode(std::string_view(reinterpret_cast<const char*>(md), md_len));

  std::string signed_info;
  signed_info.reserve(signed_info_head_.size() + uri.size() + reference_head_.size() +
                      digest_b64.size() + kSignedInfoTail.size());
  signed_info.append(signed_info_head_)
      .append(uri)
      .append(reference_head_)
      .append(digest_b64)
      .append(kSignedInfoTail);
  auto value = signer_->sign(signed_info);
  if (!value) return tl::unexpected(value.error());
  const std::string value_b64 = base64_encode(*value);

  out.append(canonical_element.substr(0, end_tag));
  // In the document the ds namespace is declared on ds:Signature; SignedInfo inherits it.
  out.append("<ds:Signature").append(kDsigNsDecl).append(">");
  out.append("<ds:SignedInfo")
      .append(std::string_view(signed_info).substr(14 + kDsigNsDecl.size()));
  out.append("<ds:SignatureValue>").append(value_b64).append("</ds:SignatureValue>");
  out.append(key_info_).append("</ds:Signature>");
  out.append(canonical_element.substr(end_tag));
  return {};
}

}  // namespace lienthong::crypto
