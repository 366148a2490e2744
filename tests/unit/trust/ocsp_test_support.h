// A real OCSP responder for tests (`openssl ocsp -index ...` as a child process on an
// ephemeral port) and transports that count or replay exchanges.
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "gateway/crypto/ocsp_transport.h"
#include "gateway/upstream/curl_ocsp_transport.h"
#include "tests/support/test_pki.h"

namespace lienthong::testing {

// A port nothing listens on right now: bound to 127.0.0.1:0, read back, released.
inline int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw std::runtime_error("socket() failed");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    ::close(fd);
    throw std::runtime_error("cannot bind an ephemeral port");
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

// Whether some socket listens on `port` (IPv4 or IPv6), from /proc/net: probing with a
// connection would make the single-threaded responder answer an empty request.
inline bool port_listening(int port) {
  char hex_port[8];
  std::snprintf(hex_port, sizeof hex_port, "%04X", port);
  for (const char* table : {"/proc/net/tcp", "/proc/net/tcp6"}) {
    std::ifstream in(table);
    std::string line;
    std::getline(in, line);  // header
    while (std::getline(in, line)) {
      std::istringstream fields(line);
      std::string slot, local, remote, state;
      fields >> slot >> local >> remote >> state;
      if (state == "0A" && local.size() > 5 && local.substr(local.size() - 4) == hex_port)
        return true;
    }
  }
  return false;
}

struct ResponderOptions {
  std::string kt = "rsa";
  std::filesystem::path rsigner_cert;  // default: <kt>/ocsp-responder.crt
  std::filesystem::path rsigner_key;
  std::filesystem::path ca_cert;               // default: <kt>/intermediate-ca.crt
  std::optional<int> next_update_minutes = 5;  // nullopt: answers carry no nextUpdate
  bool bad_signature = false;                  // -badsig: corrupt the signature
};

// `openssl ocsp` answering from the dev PKI's intermediate index.txt. Killed on destruction.
class OcspResponder {
 public:
  explicit OcspResponder(ResponderOptions options) : options_(std::move(options)) {
    if (options_.rsigner_cert.empty())
      options_.rsigner_cert = pki_file(options_.kt, "ocsp-responder.crt");
    if (options_.rsigner_key.empty())
      options_.rsigner_key = pki_file(options_.kt, "ocsp-responder.key");
    if (options_.ca_cert.empty()) options_.ca_cert = pki_file(options_.kt, "intermediate-ca.crt");
    for (int attempt = 0; attempt < 5; ++attempt)
      if (try_start()) return;
    throw std::runtime_error("openssl ocsp responder did not start; log: " + log_);
  }
  ~OcspResponder() { stop(); }
  OcspResponder(const OcspResponder&) = delete;
  OcspResponder& operator=(const OcspResponder&) = delete;

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/"; }

  void stop() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
  }

 private:
  bool try_start() {
    port_ = free_port();
    const auto log_path =
        std::filesystem::temp_directory_path() /
        ("lienthong-ocsp-" + std::to_string(::getpid()) + "-" + std::to_string(port_) + ".log");
    std::vector<std::string> args = {
        "openssl",  "ocsp",
        "-index",   (test_pki_dir() / options_.kt / ".ca" / "intermediate" / "index.txt").string(),
        "-port",    std::to_string(port_),
        "-rsigner", options_.rsigner_cert.string(),
        "-rkey",    options_.rsigner_key.string(),
        "-CA",      options_.ca_cert.string()};
    if (options_.next_update_minutes) {
      args.push_back("-nmin");
      args.push_back(std::to_string(*options_.next_update_minutes));
    }
    if (options_.bad_signature) args.push_back("-badsig");
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);

    // Everything the child needs is prepared before fork(): only async-signal-safe calls
    // between fork and exec.
    const int log_fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (log_fd < 0) throw std::runtime_error("cannot create " + log_path.string());
    const pid_t pid = ::fork();
    if (pid < 0) throw std::runtime_error("fork failed");
    if (pid == 0) {
      ::prctl(PR_SET_PDEATHSIG, SIGTERM);  // no orphaned responder if the test binary crashes
      ::dup2(log_fd, STDOUT_FILENO);       // dup2 clears O_CLOEXEC on the copies
      ::dup2(log_fd, STDERR_FILENO);
      ::execvp("openssl", argv.data());
      ::_exit(127);
    }
    ::close(log_fd);
    pid_ = pid;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < deadline) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {  // died: port taken, or bad arguments
        pid_ = -1;
        std::ifstream in(log_path);
        log_.assign(std::istreambuf_iterator<char>(in), {});
        std::filesystem::remove(log_path);
        return false;
      }
      if (port_listening(port_)) {
        std::filesystem::remove(log_path);
        return true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    stop();
    log_ = "timed out waiting for the responder to listen";
    return false;
  }

  ResponderOptions options_;
  int port_ = 0;
  pid_t pid_ = -1;
  std::string log_;
};

// Counts exchanges and keeps the last answer; forwards to libcurl.
class CountingTransport final : public crypto::OcspTransport {
 public:
  Result<std::string> post(const std::string& url, std::string_view der_request,
                           std::chrono::milliseconds timeout) override {
    ++posts;
    auto answer = inner_.post(url, der_request, timeout);
    if (answer) {
      std::lock_guard lock(mutex_);
      last_answer_ = *answer;
    }
    return answer;
  }
  std::string last_answer() const {
    std::lock_guard lock(mutex_);
    return last_answer_;
  }
  std::atomic<int> posts{0};

 private:
  upstream::CurlOcspTransport inner_;
  mutable std::mutex mutex_;
  std::string last_answer_;
};

// Answers every request with the same bytes (replays, forged statuses).
class CannedTransport final : public crypto::OcspTransport {
 public:
  explicit CannedTransport(std::string answer) : answer_(std::move(answer)) {}
  Result<std::string> post(const std::string&, std::string_view,
                           std::chrono::milliseconds) override {
    ++posts;
    return answer_;
  }
  std::atomic<int> posts{0};

 private:
  std::string answer_;
};

}  // namespace lienthong::testing
