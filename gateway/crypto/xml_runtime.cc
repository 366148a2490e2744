#include "gateway/crypto/xml_runtime.h"

// xmlsec.h first: the other xmlsec headers use its definitions.
#include <xmlsec/xmlsec.h>

#include <libxml/parser.h>
#include <libxml/xmlerror.h>
#include <xmlsec/crypto.h>
#include <xmlsec/errors.h>
#include <xmlsec/io.h>

#include <algorithm>
#include <cstdlib>
#include <mutex>
#include <stdexcept>

namespace lienthong::crypto {

namespace {

thread_local CapturedErrors* current_capture = nullptr;

void structured_libxml2_error(void* /*ctx*/, xmlError* error) {
  if (current_capture == nullptr || error == nullptr) return;
  std::string message = error->message != nullptr ? error->message : "libxml2 error";
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  if (error->line > 0) message += " (line " + std::to_string(error->line) + ")";
  current_capture->add(std::move(message), 0);
}

// libxml2's older "generic" channel (used by some xmlsec paths): swallowed, the structured one
// carries the same information.
void generic_libxml2_error(void* /*ctx*/, const char* /*msg*/, ...) {}

void xmlsec_error(const char* /*file*/, int /*line*/, const char* func, const char* object,
                  const char* subject, int reason, const char* msg) {
  if (current_capture == nullptr) return;
  std::string text;
  for (xmlSecSize i = 0; i < XMLSEC_ERRORS_MAX_NUMBER; ++i) {
    if (xmlSecErrorsGetMsg(i) == nullptr) break;
    if (xmlSecErrorsGetCode(i) == reason) {
      text = xmlSecErrorsGetMsg(i);
      break;
    }
  }
  if (subject != nullptr && *subject != '\0')
    text += std::string(text.empty() ? "" : ": ") + subject;
  if (msg != nullptr && *msg != '\0' && std::string_view(msg) != "details=NULL")
    text += std::string(text.empty() ? "" : "; ") + msg;
  (void)func;
  (void)object;
  while (!text.empty() && (text.back() == ' ' || text.back() == ';')) text.pop_back();
  // "xmlsec library function failed" only says which wrapper passed an error up: keep the
  // reason for classification, not the message.
  if (reason == XMLSEC_ERRORS_R_XMLSEC_FAILED) text.clear();
  current_capture->add(std::move(text), reason);
}

void initialise() {
  xmlInitParser();
  // Never load external DTDs, never substitute entities, whatever a caller set globally.
  xmlLoadExtDtdDefaultValue = 0;
  xmlSubstituteEntitiesDefault(0);
  xmlSetStructuredErrorFunc(nullptr, structured_libxml2_error);
  xmlSetGenericErrorFunc(nullptr, generic_libxml2_error);
  if (xmlSecInit() < 0) throw std::runtime_error("xmlSecInit failed");
  if (xmlSecCheckVersion() != 1) throw std::runtime_error("libxmlsec1 version mismatch");
  if (xmlSecCryptoAppInit(nullptr) < 0) throw std::runtime_error("xmlSecCryptoAppInit failed");
  if (xmlSecCryptoInit() < 0) throw std::runtime_error("xmlSecCryptoInit failed");
  xmlSecErrorsSetCallback(xmlsec_error);
  // Drop every input callback xmlsec registered (file, http, ftp): a Reference can then never
  // open anything outside the document, whatever a policy allowed by mistake.
  xmlSecIOCleanupCallbacks();
}

}  // namespace

void ensure_xml_runtime() {
  static std::once_flag once;
  std::call_once(once, initialise);
  // libxml2 keeps error handlers per thread: install ours on every thread that parses.
  thread_local bool installed = false;
  if (!installed) {
    xmlSetStructuredErrorFunc(nullptr, structured_libxml2_error);
    xmlSetGenericErrorFunc(nullptr, generic_libxml2_error);
    installed = true;
  }
}

CapturedErrors::CapturedErrors() : previous_(current_capture) { current_capture = this; }
CapturedErrors::~CapturedErrors() { current_capture = previous_; }

void CapturedErrors::add(std::string message, int xmlsec_reason) {
  if (xmlsec_reason != 0) reasons_.push_back(xmlsec_reason);
  if (messages_.size() < 8 && !message.empty() &&
      std::find(messages_.begin(), messages_.end(), message) == messages_.end())
    messages_.push_back(std::move(message));
}

bool CapturedErrors::has_reason(int reason) const {
  return std::find(reasons_.begin(), reasons_.end(), reason) != reasons_.end();
}

std::string CapturedErrors::summary() const {
  std::string out;
  for (size_t i = 0; i < messages_.size() && i < 3; ++i) {
    if (!out.empty()) out += "; ";
    out += messages_[i];
  }
  return out;
}

}  // namespace lienthong::crypto
