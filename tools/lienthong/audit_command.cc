// lienthong audit verify DIR [--json]
//   Checks an audit directory's hash chain and HEAD (gateway/audit/README.md).
//   Exit 0 intact, 1 broken (the first break is printed), 2 usage or I/O error.
// lienthong audit who DIR SUBJECT [--from TIME] [--to TIME] [--json | --csv]
//   Who processed this citizen's data (Decree 13/2023), answered from the subject index.
//   Exit 0 the query ran (even with no entries), 1 an entry found fails its hash check,
//   2 usage or I/O error.
// lienthong audit index DIR [--json]
//   Catches the subject index up with the log (what `who` does first anyway).
#include <algorithm>
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "gateway/audit/audit_index.h"
#include "gateway/audit/audit_verifier.h"
#include "gateway/core/identifiers.h"
#include "tools/lienthong/commands.h"

namespace lienthong::cli {

namespace {

struct AuditVerifyArgs {
  std::string dir;
  bool json = false;
};

int print_report(const audit::VerifyReport& report, bool as_json) {
  if (as_json) {
    nlohmann::json out;
    out["ok"] = report.ok();
    out["entries"] = report.entries;
    out["segments"] = report.segments;
    out["last_seq"] = report.last_seq;
    out["head"] = report.head_hash;
    if (report.broken) {
      out["break"] = {{"file", report.broken->file},
                      {"line", report.broken->line},
                      {"seq", report.broken->seq},
                      {"problem", report.broken->problem}};
    }
    out["notes"] = report.notes;
    std::cout << out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  } else if (report.ok()) {
    std::cout << "audit OK: " << report.entries << " entries in " << report.segments
              << " segments, head " << report.head_hash << "\n";
  } else {
    const auto& b = *report.broken;
    std::cout << "audit BROKEN: " << b.file << " line " << b.line << " (seq " << b.seq
              << "): " << b.problem << "\n"
              << "  " << report.entries << " entries verified before the break\n";
  }
  if (!as_json)
    for (const auto& note : report.notes) std::cout << "note: " << note << "\n";
  return report.ok() ? kExitOk : kExitRefused;
}

int run_verify(const AuditVerifyArgs& args) {
  auto report = audit::verify_directory(args.dir);
  if (!report) {
    std::cerr << "lienthong audit verify: " << report.error().detail << "\n";
    return kExitUsage;
  }
  return print_report(*report, args.json);
}

struct AuditWhoArgs {
  std::string dir;
  std::string subject;
  std::string from;
  std::string to;
  bool json = false;
  bool csv = false;
};

struct AuditIndexArgs {
  std::string dir;
  bool json = false;
};

// TIME: "2026-11-22T10:00:00Z", with microseconds as in the audit ("…00.123456Z"), or a date
// "2026-11-22". `is_date` tells the caller to widen --to to the whole day.
std::optional<TimePoint> parse_time_arg(std::string_view text, bool& is_date) {
  is_date = text.size() == 10;
  if (is_date) return parse_utc_time(std::string(text) + "T00:00:00Z");
  if (text.size() == 20 && text[10] == 'T' && text.back() == 'Z') return parse_utc_time(text);
  if (text.size() == 27) return audit::parse_audit_time(text);
  return std::nullopt;
}

// The columns of an answer, in the order the brief for operators and the CSV header use.
const std::vector<std::string>& who_columns() {
  static const std::vector<std::string> columns = {
      "at",           "member",          "member_certificate",
      "officer_id",   "officer_account", "document_type",
      "dossier_code", "procedure_code",  "front",
      "outcome",      "cache_hit",       "request_id",
      "seq"};
  return columns;
}

std::vector<std::string> who_row(const audit::IndexedEntry& hit) {
  const auto& e = hit.decoded.entry;
  return {audit::format_audit_time(e.at),
          e.member,
          e.member_certificate,
          e.officer_id,
          e.officer_account,
          e.document_type,
          e.dossier_code,
          e.procedure_code,
          e.front,
          e.outcome,
          e.cache_hit ? "true" : "false",
          e.request_id,
          std::to_string(hit.decoded.link.seq)};
}

std::string tampered_text(const audit::SuspectEntry& s) {
  return s.file + " at byte " + std::to_string(s.offset) + " (seq " + std::to_string(s.seq) +
         "): " + s.problem;
}

// RFC 4180: fields with a comma, quote, CR or LF are quoted, quotes doubled; lines end in CRLF.
std::string csv_field(const std::string& value) {
  if (value.find_first_of(",\"\r\n") == std::string::npos) return value;
  std::string out = "\"";
  for (char c : value) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

void print_csv_row(const std::vector<std::string>& row) {
  for (std::size_t i = 0; i < row.size(); ++i) std::cout << (i ? "," : "") << csv_field(row[i]);
  std::cout << "\r\n";
}

void print_table(const audit::SubjectAnswer& answer, const std::string& subject) {
  const auto& status = answer.index;
  if (answer.entries.empty()) {
    std::cout << "No audit entries for subject " << subject;
  } else {
    std::cout << answer.entries.size() << " audit entr"
              << (answer.entries.size() == 1 ? "y" : "ies") << " for subject " << subject
              << ", oldest first";
  }
  std::cout << " (the audit is indexed through seq " << status.through_seq << ")\n";
  if (answer.entries.empty()) return;
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> header;
  for (const auto& c : who_columns()) {
    std::string h = c;
    std::transform(h.begin(), h.end(), h.begin(),
                   [](unsigned char ch) { return std::toupper(ch); });
    header.push_back(h);
  }
  rows.push_back(header);
  for (const auto& hit : answer.entries) rows.push_back(who_row(hit));
  std::vector<std::size_t> width(header.size(), 0);
  for (const auto& row : rows)
    for (std::size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], row[i].size());
  for (const auto& row : rows) {
    std::string line;
    for (std::size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line += std::string(width[i] - row[i].size() + 2, ' ');
    }
    std::cout << line << "\n";
  }
}

int run_who(const AuditWhoArgs& args) {
  if (auto id = parse_personal_id(args.subject); !id) {
    std::cerr << "lienthong audit who: SUBJECT: " << id.error().detail << "\n";
    return kExitUsage;
  }
  audit::SubjectQuery query;
  query.subject = args.subject;
  bool is_date = false;
  if (!args.from.empty()) {
    query.from = parse_time_arg(args.from, is_date);
    if (!query.from) {
      std::cerr << "lienthong audit who: --from: expected 2026-11-22T10:00:00Z or 2026-11-22\n";
      return kExitUsage;
    }
  }
  if (!args.to.empty()) {
    auto to = parse_time_arg(args.to, is_date);
    if (!to) {
      std::cerr << "lienthong audit who: --to: expected 2026-11-22T10:00:00Z or 2026-11-22\n";
      return kExitUsage;
    }
    // --to is inclusive: a date means the whole day, a time that very microsecond.
    query.until =
        *to + (is_date
                   ? std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::hours{24})
                   : std::chrono::microseconds{1});
  }
  if (query.from && query.until && *query.from >= *query.until) {
    std::cerr << "lienthong audit who: --from is after --to\n";
    return kExitUsage;
  }
  auto answer = audit::query_subject(args.dir, query);
  if (!answer) {
    std::cerr << "lienthong audit who: " << answer.error().detail << "\n";
    return kExitUsage;
  }
  const auto& status = answer->index;
  if (args.json) {
    // In the documented order: subject, entries, count, indexed_through_seq, tampered.
    nlohmann::ordered_json out;
    out["subject"] = args.subject;
    out["entries"] = nlohmann::ordered_json::array();
    for (const auto& hit : answer->entries) out["entries"].push_back(audit::who_json_entry(hit));
    out["count"] = answer->entries.size();
    out["indexed_through_seq"] = status.through_seq;
    out["tampered"] = nlohmann::ordered_json::array();
    for (const auto& s : answer->tampered)
      out["tampered"].push_back(
          {{"file", s.file}, {"offset", s.offset}, {"seq", s.seq}, {"problem", s.problem}});
    std::cout << out.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) << "\n";
  } else if (args.csv) {
    print_csv_row(who_columns());
    for (const auto& hit : answer->entries) print_csv_row(who_row(hit));
  } else {
    print_table(*answer, args.subject);
  }
  // Tampering goes where an operator sees it even when stdout is a JSON or CSV file.
  std::ostream& notes = args.json || args.csv ? std::cerr : std::cout;
  for (const auto& s : answer->tampered) notes << "TAMPERED: " << tampered_text(s) << "\n";
  if (!answer->tampered.empty())
    notes << "The audit was modified: run `lienthong audit verify " << args.dir << "`\n";
  if (status.unreadable > 0)
    notes << "note: " << status.unreadable
          << " audit lines are not entries and could not be searched; run `lienthong audit "
             "verify`\n";
  if (status.rebuilt > 0)
    std::cerr << "note: rebuilt " << status.rebuilt << " broken or stale index files\n";
  return answer->tampered.empty() ? kExitOk : kExitRefused;
}

int run_index(const AuditIndexArgs& args) {
  auto status = audit::update_index(args.dir);
  if (!status) {
    std::cerr << "lienthong audit index: " << status.error().detail << "\n";
    return kExitUsage;
  }
  if (args.json) {
    nlohmann::json out = {{"indexed", status->indexed},
                          {"entries", status->entries},
                          {"indexed_through_seq", status->through_seq},
                          {"unreadable", status->unreadable},
                          {"rebuilt", status->rebuilt}};
    std::cout << out.dump() << "\n";
    return kExitOk;
  }
  std::cout << "indexed " << status->indexed << " new entries; the index covers " << status->entries
            << " entries through seq " << status->through_seq << "\n";
  if (status->unreadable > 0)
    std::cout << "note: " << status->unreadable
              << " audit lines are not entries; run `lienthong audit verify`\n";
  if (status->rebuilt > 0)
    std::cout << "note: rebuilt " << status->rebuilt << " broken or stale index files\n";
  return kExitOk;
}

}  // namespace

std::function<int()> add_audit(CLI::App& app) {
  auto verify_args = std::make_shared<AuditVerifyArgs>();
  auto who_args = std::make_shared<AuditWhoArgs>();
  auto index_args = std::make_shared<AuditIndexArgs>();
  CLI::App* cmd = app.add_subcommand("audit", "Audit log tools");
  cmd->require_subcommand(1);
  CLI::App* verify = cmd->add_subcommand(
      "verify", "Check an audit directory's hash chain and HEAD (exit 0 intact, 1 broken)");
  verify->add_option("DIR", verify_args->dir, "Audit directory (segments and HEAD)")->required();
  verify->add_flag("--json", verify_args->json, "Print one JSON object");
  CLI::App* who = cmd->add_subcommand(
      "who", "Who processed a citizen's data, from the subject index (exit 1: tampered entry)");
  who->add_option("DIR", who_args->dir, "Audit directory")->required();
  who->add_option("SUBJECT", who_args->subject, "The citizen's 12-digit personal ID")->required();
  who->add_option("--from", who_args->from,
                  "Entries at or after TIME (2026-11-22T10:00:00Z or a date)");
  who->add_option("--to", who_args->to, "Entries up to TIME inclusive (a date: the whole day)");
  auto* json_flag = who->add_flag("--json", who_args->json, "Print one JSON object");
  who->add_flag("--csv", who_args->csv, "Print RFC 4180 CSV with a header row")
      ->excludes(json_flag);
  CLI::App* index = cmd->add_subcommand(
      "index", "Catch the subject index (DIR/index) up with the log; prints what it indexed");
  index->add_option("DIR", index_args->dir, "Audit directory")->required();
  index->add_flag("--json", index_args->json, "Print one JSON object");
  return [verify, verify_args, who, who_args, index, index_args] {
    if (verify->parsed()) return run_verify(*verify_args);
    if (who->parsed()) return run_who(*who_args);
    if (index->parsed()) return run_index(*index_args);
    return kExitUsage;
  };
}

}  // namespace lienthong::cli
