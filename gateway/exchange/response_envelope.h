// The gateway-signed XML envelope every answer carries (issue 3 §7; schemas/xml/envelope.md):
// the record as the member may receive it, what was asked and why, and the upstream's evidence,
// signed by the gateway's signing certificate (enveloped XML-DSig, exc-C14N, SHA-256).
// `lienthong verify-xml --trusted <root>` accepts it.
#pragma once

#include <memory>
#include <string>

#include "gateway/core/error.h"
#include "gateway/core/lookup.h"
#include "gateway/crypto/canonical_signer.h"

namespace lienthong::exchange {

inline constexpr std::string_view kEnvelopeNamespace = "urn:lienthong:exchange:1";

struct EnvelopeContent {
  const LookupRequest* request = nullptr;
  const VerifiedRecord* record = nullptr;  // fields already reduced to what the member may see
  bool from_cache = false;
  // The upstream's signed bytes are included only when the member may receive every field of
  // the record (they contain all of them); otherwise only their SHA-256 is, which still binds
  // the answer to the evidence the gateway keeps.
  bool include_evidence_bytes = false;
  TimePoint issued_at;
};

class ResponseEnvelope {
 public:
  using Ptr = std::shared_ptr<const ResponseEnvelope>;
  explicit ResponseEnvelope(std::shared_ptr<const crypto::CanonicalXmlSigner> signer)
      : signer_(std::move(signer)) {}

  Result<std::string> build(const EnvelopeContent& content) const;

 private:
  std::shared_ptr<const crypto::CanonicalXmlSigner> signer_;
};

}  // namespace lienthong::exchange
