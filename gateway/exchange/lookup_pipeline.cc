#include "gateway/exchange/lookup_pipeline.h"

#include <fmt/format.h>

#include "gateway/core/identifiers.h"
#include "gateway/core/log.h"

namespace lienthong::exchange {

struct LookupPipeline::Call {
  LookupRequest request;
  LookupCallback done;
  TimePoint started;
  Route route;
  policy::AccessPolicy::Ptr policy;  // the snapshot the decision points into
  policy::Decision decision;
  std::string code;  // the record's code: the adapter's record_subject and the document type
  bool cache_hit = false;
};

Result<std::shared_ptr<LookupPipeline>> LookupPipeline::create(PipelineParts parts) {
  if (!parts.authenticator || !parts.policy || !parts.audit || !parts.envelope || !parts.metrics ||
      !parts.clock) {
    return fail(ErrorCode::kInternal, "pipeline: a required part is missing");
  }
  if (parts.signed_request_window <= std::chrono::seconds(0)) {
    return fail(ErrorCode::kInternal, "pipeline: the signed request window must be positive");
  }
  if (!parts.replay) parts.replay = std::make_shared<cache::MemoryReplayGuard>(parts.clock);
  auto pipeline = std::shared_ptr<LookupPipeline>(new LookupPipeline(std::move(parts)));
  std::vector<policy::AccessPolicy::Catalogue> catalogue;
  for (const auto& adapter : pipeline->parts_.adapters) {
    for (const auto& spec : adapter->document_types()) {
      if (!pipeline->routes_.emplace(spec.code, Route{adapter, &spec}).second) {
        return fail(ErrorCode::kInternal,
                    fmt::format("document type {} is served by two adapters", spec.code));
      }
      catalogue.push_back({std::string(adapter->name()), spec.code, spec.fields});
    }
  }
  catalogue.insert(catalogue.end(), pipeline->parts_.extra_catalogue.begin(),
                   pipeline->parts_.extra_catalogue.end());
  if (auto ok = pipeline->parts_.policy->check_against(catalogue); !ok) {
    return tl::unexpected(ok.error());
  }
  pipeline->catalogue_ = std::move(catalogue);
  return pipeline;
}

LookupPipeline::LookupPipeline(PipelineParts parts)
    : parts_(std::move(parts)), policy_(parts_.policy) {}

Result<void> LookupPipeline::replace_policy(policy::AccessPolicy::Ptr next) {
  if (!next) return fail(ErrorCode::kInternal, "no policy");
  if (auto ok = next->check_against(catalogue_); !ok) return ok;
  auto old = policy_.set(std::move(next));
  return {};
}

Result<void> LookupPipeline::check_purpose(const LookupRequest& r) const {
  if (r.purpose.dossier_code.empty() || r.purpose.procedure_code.empty()) {
    return fail(ErrorCode::kPurposeRequired,
                "every lookup names its purpose: dossier code and procedure code");
  }
  if (r.officer.personal_id.empty() || r.officer.account.empty()) {
    return fail(ErrorCode::kPurposeRequired,
                "every lookup names its officer: personal ID and account");
  }
  if (auto dossier = parse_dossier_code(r.purpose.dossier_code); !dossier) {
    return tl::unexpected(dossier.error());
  }
  if (r.purpose.procedure_code.size() > 64 || r.officer.account.size() > 128) {
    return fail(ErrorCode::kBadRequest, "procedure code or officer account too long");
  }
  if (auto officer = parse_personal_id(r.officer.personal_id); !officer) {
    return fail(ErrorCode::kBadRequest, "officer " + officer.error().detail);
  }
  return {};
}

Result<void> LookupPipeline::check_signature(const LookupRequest& r,
                                             const policy::MemberRule& rule) {
  if (!r.signature) {
    if (rule.request_signature == policy::RequestSignature::kRequired) {
      return fail(ErrorCode::kSignatureMissing,
                  "this member's requests must be signed (JWS with its certificate's key)");
    }
    return {};
  }
  const auto window = parts_.signed_request_window;
  const auto now =
      std::chrono::duration_cast<std::chrono::seconds>(parts_.clock->now().time_since_epoch())
          .count();
  const std::int64_t iat = r.signature->iat;
  if (iat < now - window.count()) {
    return fail(ErrorCode::kReplayed,
                fmt::format("iat is {} s old; signed requests are accepted for {} s", now - iat,
                            window.count()));
  }
  if (iat > now + window.count()) {
    return fail(ErrorCode::kBadRequest,
                fmt::format("iat is {} s in the future; clock skew up to {} s is accepted",
                            iat - now, window.count()));
  }
  // Remembered for as long as this iat could still pass the window check above.
  const auto remember = std::chrono::seconds(iat + window.count() - now + 1);
  return parts_.replay->claim(r.member.organ_code, r.signature->jti, remember);
}

void LookupPipeline::lookup(LookupRequest request, LookupCallback done) {
  auto call = std::make_shared<Call>();
  call->request = std::move(request);
  call->done = std::move(done);
  call->started = parts_.clock->now();
  const auto& r = call->request;

  // Stages before the cache are cheap and local; each refusal is final.
  auto refused = [&]() -> Result<void> {
    if (auto ok = parts_.authenticator->authenticate(r.member); !ok) return ok;
    if (auto ok = check_purpose(r); !ok) return ok;
    auto route = routes_.find(r.document_type);
    if (route == routes_.end()) {
      return fail(ErrorCode::kBadRequest,
                  fmt::format("unknown document type '{}'", r.document_type.substr(0, 32)));
    }
    call->route = route->second;
    call->policy = policy_.get();
    auto decision = call->policy->authorize(r.member, call->route.adapter->name(), r.document_type,
                                            r.fields, call->route.spec->fields);
    if (!decision) return tl::unexpected(decision.error());
    call->decision = std::move(*decision);
    if (auto ok = check_signature(r, *call->decision.member); !ok) return ok;
    return call->route.adapter->check_subject(r.subject);
  }();
  if (!refused) return finish(call, tl::unexpected(refused.error()));

  call->code = record_code(call->route.adapter->record_subject(r.subject), r.document_type);
  const bool may_use_cache = !r.max_age || r.max_age->count() > 0;
  if (parts_.cache && may_use_cache) {
    auto cached = parts_.cache->get(call->code);
    if (!cached) {
      parts_.metrics->cache_lookups.inc({"error"});
    } else if (*cached) {
      const auto age = call->started - (*cached)->verified_at;
      const bool fresh_enough = !r.max_age || age <= *r.max_age;
      if (fresh_enough && call->started < (*cached)->expires_at) {
        parts_.metrics->cache_lookups.inc({"hit"});
        call->cache_hit = true;
        return answer(call, std::move(**cached), true);
      }
      parts_.metrics->cache_lookups.inc({"miss"});
    } else {
      parts_.metrics->cache_lookups.inc({"miss"});
    }
  }
  fetch(std::move(call));
}

void LookupPipeline::fetch(std::shared_ptr<Call> call) {
  const auto& r = call->request;
  const std::string code = call->code;
  auto self = shared_from_this();
  const bool leader = in_flight_.join(code, [self, call](const Result<VerifiedRecord>& record) {
    self->answer(call, record, false);
  });
  if (!leader) {
    parts_.metrics->single_flight_joined.inc({call->route.adapter->name()});
    return;
  }
  AdapterQuery query{r.request_id, r.subject, r.document_type,
                     r.purpose,    r.officer, r.member.organ_code};
  auto adapter = call->route.adapter;
  const auto ttl = call->route.spec->ttl;
  adapter->fetch(std::move(query), [self, code, adapter, ttl](Result<VerifiedRecord> record) {
    // Runs on the adapter's executor thread: cache the verified record before anyone hears
    // about it, so the next lookup for this code is a hit.
    self->parts_.metrics->upstream_calls.inc(
        {adapter->name(), record ? std::string_view("OK") : error_code_name(record.error().code)});
    if (record && self->parts_.cache) {
      if (auto ok = self->parts_.cache->put(*record, ttl); !ok) {
        LT_LOG(warn, "record cache write failed: {}", ok.error().detail);
      }
    }
    self->in_flight_.complete(code, std::move(record));
  });
}

void LookupPipeline::answer(std::shared_ptr<Call> call, Result<VerifiedRecord> record,
                            bool from_cache) {
  if (!record) return finish(call, tl::unexpected(record.error()));
  // Data minimisation: only the fields the policy lets this member receive.
  VerifiedRecord reduced = std::move(*record);
  RecordFields kept;
  const auto& allowed = call->decision.fields;
  for (auto& field : reduced.fields) {
    // Repeated parts ("qua_trinh.2.tu_thang") are granted by their catalogue name
    // ("qua_trinh[].tu_thang").
    if (std::binary_search(allowed.begin(), allowed.end(), field.first) ||
        std::binary_search(allowed.begin(), allowed.end(), field_template(field.first))) {
      kept.push_back(std::move(field));
    }
  }
  reduced.fields = std::move(kept);
  EnvelopeContent content{&call->request, &reduced, from_cache, call->decision.all_fields,
                          parts_.clock->now()};
  auto envelope = parts_.envelope->build(content);
  if (!envelope) return finish(call, tl::unexpected(envelope.error()));
  LookupResponse response{call->request.request_id, std::move(reduced), from_cache,
                          std::move(*envelope)};
  finish(call, std::move(response));
}

void LookupPipeline::finish(std::shared_ptr<Call> call, Result<LookupResponse> outcome) {
  const auto& r = call->request;
  const auto latency =
      std::chrono::duration_cast<std::chrono::microseconds>(parts_.clock->now() - call->started);
  audit::AuditEntry entry;
  entry.at = call->started;
  entry.request_id = r.request_id;
  entry.client_request_id = r.client_request_id;
  if (r.signature) entry.request_jti = r.signature->jti;
  entry.front = r.front;
  entry.member = r.member.organ_code;
  entry.member_certificate = r.member.certificate_fingerprint;
  entry.officer_id = r.officer.personal_id;
  entry.officer_account = r.officer.account;
  entry.subject = r.subject;
  entry.document_type = r.document_type;
  entry.dossier_code = r.purpose.dossier_code;
  entry.procedure_code = r.purpose.procedure_code;
  entry.adapter = call->route.adapter ? std::string(call->route.adapter->name()) : "";
  entry.outcome = outcome ? "OK" : std::string(error_code_name(outcome.error().code));
  entry.cache_hit = call->cache_hit;
  entry.latency_us = latency.count();
  parts_.metrics->lookups.inc({r.front, entry.outcome});
  parts_.metrics->lookup_latency.observe_us(latency.count());
  if (!outcome) {
    LT_LOG(info, "lookup refused: {} {}", error_code_name(outcome.error().code),
           outcome.error().detail);
  }
  auto metrics = parts_.metrics;
  auto shared_outcome = std::make_shared<Result<LookupResponse>>(std::move(outcome));
  parts_.audit->append(std::move(entry), [call, shared_outcome, metrics](Result<void> durable) {
    metrics->audit_entries.inc({durable ? "written" : "failed"});
    // The caller hears back only once the request is in the audit: an answer that is not
    // audited is not given.
    if (!durable) {
      LT_LOG(error, "audit write failed, answering INTERNAL: {}", durable.error().detail);
      *shared_outcome = fail(ErrorCode::kInternal, "the request could not be audited");
    }
    // Straight from the audit writer's thread: both fronts' callbacks only hand the outcome to
    // their own threads (a strand post, a promise), so no further hop is needed here.
    call->done(std::move(*shared_outcome));
  });
}

Readiness LookupPipeline::readiness() const {
  Readiness r;
  if (parts_.cache && !parts_.cache->healthy()) {
    r.degraded = true;
    r.notes.push_back("record cache unreachable: answering from upstreams only");
  }
  if (!parts_.cache) {
    r.degraded = true;
    r.notes.push_back("no record cache configured");
  }
  for (const auto& adapter : parts_.adapters) {
    const auto state = adapter->upstream_state();
    if (state != "closed") {
      r.degraded = true;
      r.notes.push_back(fmt::format("{} upstream circuit {}", adapter->name(), state));
    }
  }
  for (const auto& check : readiness_checks_) check(r);
  return r;
}

}  // namespace lienthong::exchange
