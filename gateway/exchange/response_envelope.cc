#include "gateway/exchange/response_envelope.h"

#include "gateway/core/canonical_xml.h"
#include "gateway/core/encoding.h"
#include "gateway/crypto/digest_signer.h"

namespace lienthong::exchange {
Result<std::string> ResponseEnvelope::build(const EnvelopeContent& c) const {
  if (!c.request || !c.record) return fail(ErrorCode::kInternal, "envelope without content");
  const auto& req = *c.request;
  const auto& rec = *c.record;
  CanonicalXmlWriter w{std::string(kEnvelopeNamespace)};
  w.open("LookupResponse", {{"RequestId", req.request_id},
                            {"IssuedAt", format_utc_time(c.issued_at)},
                            {"Version", "1"}});
  // What was asked, by whom and why: the member keeps this with the dossier.
  w.open("Request", {{"Member", req.member.organ_code},
                     {"DocumentType", req.document_type},
                     {"DossierCode", req.purpose.dossier_code},
                     {"ProcedureCode", req.purpose.procedure_code},
                     {"OfficerAccount", req.officer.account}});
  w.close();
  w.open("Record", {{"Code", rec.code},
                    {"Subject", rec.subject},
                    {"DocumentType", rec.doc_type},
                    {"Source", rec.source},
                    {"VerifiedAt", format_utc_time(rec.verified_at)},
                    {"ExpiresAt", format_utc_time(rec.expires_at)},
                    {"FromCache", c.from_cache ? "true" : "false"}});
  for (const auto& [name, value] : rec.fields) w.element("Field", value, {{"Name", name}});
  w.close();
  CanonicalXmlWriter::Attributes evidence{{"Kind", rec.evidence.kind},
                                          {"Signer", rec.evidence.signer},
                                          {"SignerFingerprint", rec.evidence.signer_fingerprint},
                                          {"Sha256", sha256_hex(rec.evidence.signed_bytes)}};
  if (c.include_evidence_bytes) {
    evidence.emplace_back("Encoding", "base64");
    w.element("Evidence", crypto::base64_encode(rec.evidence.signed_bytes), std::move(evidence));
  } else {
    w.element("Evidence", "", std::move(evidence));
  }
  w.close();
  auto canonical = std::move(w).finish();
  if (!canonical) return fail(ErrorCode::kInternal, "envelope: " + canonical.error().detail);
  return signer_->sign(*canonical);
}

}  // namespace lienthong::exchange
