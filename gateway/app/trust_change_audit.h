// What a reload changed, as audit entries (DESIGN.md §6: every trust and policy change is
// audited). The admin API audits its own calls with the admin's identity; this covers every
// change however it was made (`lienthong trust`, a file copied in by hand, a policy edited),
// seen as the difference between the snapshot in force before and after the reload.
//
// Entries: front "trust"; document_type trust.anchor-added / -removed, trust.intermediate-added
// / -removed, trust.pin-added / -removed, trust.crl-installed, policy.changed,
// trust.reload-refused; member and member_certificate the pinned organ and fingerprint (or the
// CA's fingerprint); officer_account who did it when known (a pin's `pinned_by`), else what
// triggered the reload (inotify, SIGHUP, admin ...); dossier_code a short description.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "gateway/audit/audit_sink.h"
#include "gateway/crypto/trust_snapshot.h"

namespace lienthong::app {

std::vector<audit::AuditEntry> trust_changes(const crypto::TrustSnapshot* before,
                                             const crypto::TrustSnapshot& after,
                                             std::string_view why, TimePoint at);

audit::AuditEntry policy_changed(std::string_view old_digest, std::string_view new_digest,
                                 std::string_view why, TimePoint at);

audit::AuditEntry reload_refused(const Error& error, std::string_view why, TimePoint at);

}  // namespace lienthong::app
