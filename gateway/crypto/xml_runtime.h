// One-time process setup of libxml2 and xmlsec1 (OpenSSL backend), and the capture of their
// error messages into our typed errors instead of stderr.
#pragma once

#include <string>
#include <vector>

namespace lienthong::crypto {

// Idempotent and thread-safe; every entry point that touches libxml2/xmlsec calls it.
void ensure_xml_runtime();

// While alive, libxml2 and xmlsec messages raised on this thread are collected here.
class CapturedErrors {
 public:
  CapturedErrors();
  ~CapturedErrors();
  CapturedErrors(const CapturedErrors&) = delete;
  CapturedErrors& operator=(const CapturedErrors&) = delete;

  // The first few messages, joined; "" when none.
  std::string summary() const;
  // xmlsec error reasons (XMLSEC_ERRORS_R_*) in the order raised.
  const std::vector<int>& xmlsec_reasons() const { return reasons_; }
  bool has_reason(int reason) const;

  // Called by the installed callbacks.
  void add(std::string message, int xmlsec_reason);

 private:
  CapturedErrors* previous_;
  std::vector<std::string> messages_;
  std::vector<int> reasons_;
};

}  // namespace lienthong::crypto
