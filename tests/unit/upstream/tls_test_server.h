// Starts tls_test_server.py (a python3 HTTPS upstream that requires a client certificate) on
// 127.0.0.1 and an ephemeral port, and stops it again. Also a blocking side channel (plain
// libcurl easy, independent of the client under test) to read the server's hit counters.
#pragma once

#include <curl/curl.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "tests/support/test_pki.h"

extern char** environ;

namespace lienthong::testing {

class TlsTestServer {
 public:
  // Server: ec/sim-population (leaf + intermediate); client certificates must chain to the EC
  // dev CA.
  TlsTestServer() {
    const std::string script = LIENTHONG_UPSTREAM_TEST_SERVER;
    const std::vector<std::string> args = {
        "/usr/bin/python3",
        script,
        "--cert",
        pki_file("ec", "sim-population.fullchain.pem").string(),
        "--key",
        pki_file("ec", "sim-population.key").string(),
        "--client-ca",
        pki_file("ec", "chain.pem").string(),
        "--lifetime",
        "300",
    };
    int out[2], in[2];
    if (pipe2(out, O_CLOEXEC) != 0 || pipe2(in, O_CLOEXEC) != 0)
      throw std::runtime_error("pipe2 failed");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, in[0], 0);
    posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    std::vector<char*> argv;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    const int rc = posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    close(in[0]);
    close(out[1]);
    stdin_ = in[1];  // the server exits when this closes, even if this process dies
    if (rc != 0) {
      close(out[0]);
      throw std::runtime_error("cannot start " + script);
    }
    port_ = read_port(out[0]);
    close(out[0]);
    if (port_ <= 0) throw std::runtime_error("the test server printed no port");
  }

  ~TlsTestServer() {
    if (stdin_ >= 0) close(stdin_);
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      int status = 0;
      waitpid(pid_, &status, 0);
    }
  }

  TlsTestServer(const TlsTestServer&) = delete;
  TlsTestServer& operator=(const TlsTestServer&) = delete;

  int port() const { return port_; }
  std::string base_url() const { return "https://127.0.0.1:" + std::to_string(port_); }

  // How many requests reached `path` ("/flaky/a"); -1 if the side channel failed.
  long hits(const std::string& path) const { return number("/hits" + path); }
  // TLS connections the server accepted so far.
  long connections() const { return number("/connections"); }
  // The most /sleep requests the server had waiting at the same time.
  long overlap() const { return number("/overlap"); }

 private:
  static int read_port(int fd) {
    std::string line;
    pollfd p{fd, POLLIN, 0};
    while (line.find('\n') == std::string::npos) {
      if (poll(&p, 1, 15000) <= 0) return -1;
      char buffer[64];
      const ssize_t n = read(fd, buffer, sizeof buffer);
      if (n <= 0) return -1;
      line.append(buffer, static_cast<size_t>(n));
    }
    return std::stoi(line);
  }

  static size_t collect(char* data, size_t size, size_t count, void* out) {
    static_cast<std::string*>(out)->append(data, size * count);
    return size * count;
  }

  long number(const std::string& path) const {
    CURL* easy = curl_easy_init();
    if (easy == nullptr) return -1;
    std::string body;
    const std::string url = base_url() + path;
    const std::string ca = pki_file("ec", "root-ca.crt").string();
    const std::string cert = pki_file("ec", "gateway-client.crt").string();
    const std::string key = pki_file("ec", "gateway-client.key").string();
    curl_easy_setopt(easy, CURLOPT_URL, url.c_str());
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy, CURLOPT_PROXY, "");
    curl_easy_setopt(easy, CURLOPT_CAINFO, ca.c_str());
    curl_easy_setopt(easy, CURLOPT_SSLCERT, cert.c_str());
    curl_easy_setopt(easy, CURLOPT_SSLKEY, key.c_str());
    curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, 10000L);
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &collect);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, &body);
    const CURLcode rc = curl_easy_perform(easy);
    curl_easy_cleanup(easy);
    if (rc != CURLE_OK || body.empty()) return -1;
    return std::stol(body);
  }

  pid_t pid_ = -1;
  int stdin_ = -1;
  int port_ = -1;
};

}  // namespace lienthong::testing
