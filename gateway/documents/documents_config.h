// [documents]: the document exchange with the national axis (docs/documents.md; README
// "Configuration"). Read once at startup, strictly (unknown keys refused with their line); builds
// the outbox and its deliverer, the inbox and its receiver, the axis client (mTLS, optional
// bearer tokens) and the DocumentService the fronts call. Nothing here talks to the network
// until start(), except the Redis persistence check, which refuses a Redis that would lose
// accepted documents.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>

#include <toml++/toml.h>

#include "gateway/audit/audit_sink.h"
#include "gateway/core/clock.h"
#include "gateway/core/error.h"
#include "gateway/crypto/signing_identity.h"
#include "gateway/documents/document_inbox.h"
#include "gateway/documents/document_service.h"
#include "gateway/exchange/member_authenticator.h"
#include "gateway/outbox/document_outbox.h"
#include "gateway/policy/access_policy.h"

namespace lienthong::documents {

struct DocumentsContext {
  std::filesystem::path config_dir;  // relative paths are relative to the config file
  Clock::Ptr clock;
  std::shared_ptr<const exchange::MemberAuthenticator> authenticator;
  std::function<policy::AccessPolicy::Ptr()> policy;
  audit::AuditSink::Ptr audit;
  std::shared_ptr<const crypto::SigningIdentity> signing;  // the gateway's ([signing])
};

// The running parts; start() starts the deliverer and the receiver threads, stop() stops them
// (in-flight sends finish; nothing accepted is lost either way).
class Documents {
 public:
  virtual ~Documents() = default;
  virtual DocumentService::Ptr service() const = 0;
  virtual outbox::DocumentOutbox::Ptr outbox() const = 0;
  virtual DocumentInbox::Ptr inbox() const = 0;
  virtual void start() = 0;
  virtual void stop() = 0;
};

Result<std::unique_ptr<Documents>> build_documents(const toml::table& table,
                                                   const DocumentsContext& context);

}  // namespace lienthong::documents
