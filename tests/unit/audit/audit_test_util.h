// Shared helpers for the audit tests: a temporary directory, entries, and file surgery.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "gateway/audit/audit_sink.h"

namespace lienthong::audit::testing {

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "lt-audit-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

inline AuditEntry make_entry(int i) {
  AuditEntry e;
  e.at = std::chrono::sys_days{std::chrono::year{2026} / 11 / 22} + std::chrono::hours{10} +
         std::chrono::microseconds{i * 1001};
  e.request_id = "req-" + std::to_string(i);
  e.front = i % 2 ? "thrift" : "http-json";
  e.member = "000.00.00.G22";
  e.member_certificate = std::string(64, 'a');
  e.officer_id = "079085000111";
  e.officer_account = "tam.lv@motcua.gov.vn";
  e.subject = "0012030045" + std::to_string(10 + i % 90);
  e.document_type = "CD01";
  e.dossier_code = "000.00.00.G22-261122-" + std::to_string(1000 + i);
  e.procedure_code = "1.001234.000.00.00.H20";
  e.adapter = "csdlqg-dc";
  e.outcome = "OK";
  e.cache_hit = i % 3 == 0;
  e.latency_us = 1000 + i;
  return e;
}

inline std::vector<std::string> read_lines(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(in, line)) lines.push_back(line);
  return lines;
}

inline void write_lines(const std::filesystem::path& file, const std::vector<std::string>& lines) {
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  for (const auto& l : lines) out << l << '\n';
}

inline std::string read_all(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace lienthong::audit::testing
