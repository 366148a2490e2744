// XML-DSig algorithm identifiers we name in code, in one place.
#pragma once

namespace lienthong::crypto::alg {

inline constexpr const char* kDsigNs = "http://www.w3.org/2000/09/xmldsig#";

// Canonicalization
inline constexpr const char* kC14n10 = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315";
inline constexpr const char* kC14n10Comments =
    "http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments";
inline constexpr const char* kC14n11 = "http://www.w3.org/2006/12/xml-c14n11";
inline constexpr const char* kC14n11Comments = "http://www.w3.org/2006/12/xml-c14n11#WithComments";
inline constexpr const char* kExcC14n = "http://www.w3.org/2001/10/xml-exc-c14n#";
inline constexpr const char* kExcC14nComments =
    "http://www.w3.org/2001/10/xml-exc-c14n#WithComments";

// Transforms
inline constexpr const char* kEnveloped = "http://www.w3.org/2000/09/xmldsig#enveloped-signature";
inline constexpr const char* kBase64 = "http://www.w3.org/2000/09/xmldsig#base64";
inline constexpr const char* kXPath = "http://www.w3.org/TR/1999/REC-xpath-19991116";
inline constexpr const char* kXPath2 = "http://www.w3.org/2002/06/xmldsig-filter2";
inline constexpr const char* kXPointer = "http://www.w3.org/2001/04/xmldsig-more/xptr";
inline constexpr const char* kXslt = "http://www.w3.org/TR/1999/REC-xslt-19991116";

// Digests
inline constexpr const char* kMd5 = "http://www.w3.org/2001/04/xmldsig-more#md5";
inline constexpr const char* kSha1 = "http://www.w3.org/2000/09/xmldsig#sha1";
inline constexpr const char* kSha224 = "http://www.w3.org/2001/04/xmldsig-more#sha224";
inline constexpr const char* kSha256 = "http://www.w3.org/2001/04/xmlenc#sha256";
inline constexpr const char* kSha384 = "http://www.w3.org/2001/04/xmldsig-more#sha384";
inline constexpr const char* kSha512 = "http://www.w3.org/2001/04/xmlenc#sha512";

// Signatures
inline constexpr const char* kRsaMd5 = "http://www.w3.org/2001/04/xmldsig-more#rsa-md5";
inline constexpr const char* kRsaSha1 = "http://www.w3.org/2000/09/xmldsig#rsa-sha1";
inline constexpr const char* kRsaSha224 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha224";
inline constexpr const char* kRsaSha256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256";
inline constexpr const char* kRsaSha384 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha384";
inline constexpr const char* kRsaSha512 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512";
inline constexpr const char* kEcdsaSha1 = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha1";
inline constexpr const char* kEcdsaSha224 = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha224";
inline constexpr const char* kEcdsaSha256 = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256";
inline constexpr const char* kEcdsaSha384 = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384";
inline constexpr const char* kEcdsaSha512 = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512";

}  // namespace lienthong::crypto::alg
