#include "adapters/rest/signed_rest_adapter.h"

#include <fmt/format.h>

#include <algorithm>

namespace lienthong::adapters::rest {

SignedRestAdapter::SignedRestAdapter(std::string name, SignedRestAdapterParts parts)
    : name_(std::move(name)), parts_(std::move(parts)) {
  const auto& m = *parts_.mapping;
  types_.push_back(
      exchange::DocumentTypeSpec{m.document_type, m.description, m.ttl, m.field_names()});
}

Result<void> SignedRestAdapter::check_mapping(std::string_view name,
                                              const SignedRestAdapterParts& parts,
                                              const std::vector<std::string>& needed) {
  if (!parts.call || !parts.mapping || !parts.clock)
    return fail(ErrorCode::kInternal, fmt::format("{} adapter: a part is missing", name));
  const auto names = parts.mapping->field_names();
  for (const auto& field : needed) {
    if (!std::binary_search(names.begin(), names.end(), field)) {
      return fail(ErrorCode::kBadRequest,
                  fmt::format("{}: the {} mapping must map '{}' (the subject check reads it)",
                              parts.mapping->source, name, field));
    }
  }
  return {};
}

void SignedRestAdapter::fetch(exchange::AdapterQuery query, exchange::RecordCallback done) {
  if (auto ok = check_subject(query.subject); !ok) return done(tl::unexpected(ok.error()));
  auto request = request_for(query);
  if (!request) return done(tl::unexpected(request.error()));
  auto self = shared_from_this();
  auto shared_query = std::make_shared<const exchange::AdapterQuery>(std::move(query));
  parts_.call->get(std::move(request->query), std::move(request->headers),
                   [self, shared_query, done = std::move(done)](Result<SignedAnswer> answer) {
                     // On the executor: mapping is CPU work too.
                     if (!answer) return done(tl::unexpected(answer.error()));
                     done(self->record_from(*shared_query, std::move(*answer)));
                   });
}

Result<VerifiedRecord> SignedRestAdapter::record_from(const exchange::AdapterQuery& q,
                                                      SignedAnswer answer) const {
  auto fields = fields_of(q, answer.json);
  if (!fields) return tl::unexpected(fields.error());
  const TimePoint now = parts_.clock->now();
  VerifiedRecord record;
  record.subject = q.subject;
  record.doc_type = types_.front().code;
  record.code = record_code(q.subject, record.doc_type);
  record.fields = std::move(*fields);
  record.source = name_;
  record.evidence = std::move(answer.evidence);
  record.verified_at = now;
  record.expires_at = now + types_.front().ttl;
  return record;
}

}  // namespace lienthong::adapters::rest
