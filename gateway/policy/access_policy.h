// Access policy (DESIGN.md §6): which member (organ code, optionally subsystem) may ask which
// adapter for which document types, and which fields it may receive (data minimisation).
// Least privilege: a member or a grant that is not written down does not exist.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/core/error.h"
#include "gateway/core/lookup.h"

namespace lienthong::policy {

struct Grant {
  std::string adapter;
  std::vector<std::string> document_types;
  // Field patterns: "ho_va_ten" (exact), "thuong_tru.*" (every field under a prefix), "*".
  std::vector<std::string> fields;
  int line = 0;  // where it was written, for `policy check` and error messages
};

// Whether the member must sign its JSON requests (JWS) or may rely on mTLS alone.
enum class RequestSignature { kOptional, kRequired };

struct MemberRule {
  std::string organ_code;
  std::string subsystem;  // empty: any subsystem of that organ
  std::string name;       // for operators
  // request_signature = "required": every lookup must come as a JWS signed with the key of the
  // member's certificate (SIGNATURE_MISSING otherwise). "optional" (the default): mTLS alone
  // suffices; a signed request is still verified and its jti still checked for replay.
  RequestSignature request_signature = RequestSignature::kOptional;
  std::vector<Grant> grants;
  int line = 0;
};

// One problem in a policy file: where and what. text() is "<source>:<line>: what".
struct Problem {
  std::string source;
  int line = 0;
  std::string what;
  std::string text() const;
};

// What the member may receive for one request.
struct Decision {
  const MemberRule* member = nullptr;
  const Grant* grant = nullptr;
  std::vector<std::string> fields;  // the fields to return, sorted
  bool all_fields = false;          // every field the document type has (full evidence allowed)
};

class AccessPolicy {
 public:
  using Ptr = std::shared_ptr<const AccessPolicy>;

  // TOML (see ops/config/policy.toml). Unknown keys, malformed organ codes and duplicate
  // members are refused with "<source>:<line>: why". Startup only: may be slow, never throws.
  static Result<Ptr> parse(std::string_view toml, std::string_view source_name);
  static Result<Ptr> load(const std::string& path);

  // The same reading, but every problem rather than the first (`lienthong policy lint`).
  // `policy` holds what could be read (members and grants without problems of their own, so
  // they can still be checked against a catalogue); null only when the TOML does not parse.
  struct ParseReport {
    std::shared_ptr<const AccessPolicy> policy;
    std::vector<Problem> problems;
  };
  static ParseReport parse_all(std::string_view toml, std::string_view source_name);

  // Checks every grant against what the adapters offer: unknown adapter, document type or
  // field pattern → "<source>:<line>: why".
  struct Catalogue {
    std::string adapter;
    std::string document_type;
    std::vector<std::string> fields;
  };
  Result<void> check_against(const std::vector<Catalogue>& offered) const;
  // Every such problem, in the order of the file.
  std::vector<Problem> check_all(const std::vector<Catalogue>& offered) const;

  // ACCESS_DENIED when the member is unknown, has no grant for this adapter and document type,
  // or asks for a field it may not receive; BAD_REQUEST for a wanted field the document type
  // does not have. `available` is every field of the document type.
  Result<Decision> authorize(const Member& member, std::string_view adapter,
                             std::string_view document_type,
                             const std::vector<std::string>& wanted,
                             const std::vector<std::string>& available) const;

  // The rule authorize() applies to this member (the exact subsystem wins over the organ-wide
  // rule), or null; and the grant of that rule for this adapter and document type, or null.
  // authorize() decides with these two, so `lienthong policy check` can name the deciding line.
  const MemberRule* find_member(const Member& member) const;
  static const Grant* find_grant(const MemberRule& rule, std::string_view adapter,
                                 std::string_view document_type);

  const std::vector<MemberRule>& members() const { return members_; }
  const std::string& source() const { return source_; }

 private:
  std::vector<MemberRule> members_;
  std::string source_;
};

// True when `field` matches `pattern` ("*", "prefix.*" or the exact name).
bool field_matches(std::string_view pattern, std::string_view field);

}  // namespace lienthong::policy
