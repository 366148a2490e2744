// Signing XML documents with XML-DSig over xmlsec1: enveloped, exclusive C14N, SHA-256,
// RSA or ECDSA, the certificate (and chain) in KeyInfo/X509Data.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "gateway/core/error.h"
#include "gateway/crypto/signing_identity.h"
#include "gateway/crypto/xml_document.h"

namespace lienthong::crypto {

struct XmlSignOptions {
  // Empty: sign the whole document (Reference URI="", Signature appended to the root).
  // Otherwise: sign the element with this ID (URI="#id", Signature appended to that element).
  std::string id;
};

class XmlSigner {
 public:
  using Ptr = std::shared_ptr<const XmlSigner>;
  virtual ~XmlSigner() = default;
  virtual Result<std::string> sign(std::string_view document,
                                   const XmlSignOptions& options) const = 0;
};

class XmlDsigSigner final : public XmlSigner {
 public:
  static Result<std::shared_ptr<const XmlDsigSigner>> create(
      std::shared_ptr<const SigningIdentity> identity, XmlLimits limits = {},
      std::vector<IdAttribute> id_attributes = IdAttribute::defaults());
  ~XmlDsigSigner() override;

  Result<std::string> sign(std::string_view document, const XmlSignOptions& options) const override;

 private:
  struct KeyHolder;
  XmlDsigSigner(XmlLimits limits, std::vector<IdAttribute> id_attributes);

  XmlLimits limits_;
  std::vector<IdAttribute> id_attributes_;
  const void* method_ = nullptr;  // xmlSecTransformId of the signature method, found once
  std::unique_ptr<KeyHolder> key_;
};

}  // namespace lienthong::crypto
