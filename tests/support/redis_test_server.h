// A redis-server child process for the tests of what keeps state in Redis (the record cache, the
// replay guard, the outbox): 127.0.0.1 on an ephemeral port, its own temporary directory, AOF
// settings chosen per test, and restartable on the same port and directory so a test can check
// what survives a restart. The test target defines LIENTHONG_REDIS_SERVER (the binary's path).
#pragma once

#include <arpa/inet.h>
#include <hiredis/hiredis.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace lienthong::testing {

struct ReplyDeleter {
  void operator()(redisReply* r) const { freeReplyObject(r); }
};
using ReplyPtr = std::unique_ptr<redisReply, ReplyDeleter>;
struct ContextDeleter {
  void operator()(redisContext* c) const { redisFree(c); }
};
using ContextPtr = std::unique_ptr<redisContext, ContextDeleter>;

inline int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  int port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0)
    port = ntohs(addr.sin_port);
  ::close(fd);
  return port;
}

inline ReplyPtr raw(redisContext* c, const std::vector<std::string>& args) {
  std::vector<const char*> argv;
  std::vector<size_t> lens;
  for (const auto& a : args) {
    argv.push_back(a.data());
    lens.push_back(a.size());
  }
  return ReplyPtr(static_cast<redisReply*>(
      redisCommandArgv(c, static_cast<int>(argv.size()), argv.data(), lens.data())));
}

class RedisServer {
 public:
  // Persistence as the test needs it: the cache needs none, the outbox AOF with fsync always.
  explicit RedisServer(std::string appendonly = "no", std::string appendfsync = "everysec")
      : appendonly_(std::move(appendonly)), appendfsync_(std::move(appendfsync)) {
    std::string tmpl = (std::filesystem::temp_directory_path() / "lt-redis-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    dir_ = tmpl;
  }
  ~RedisServer() {
    kill();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  // On `port` when given; otherwise on a free port the first time and on the same port (and
  // directory) after kill() or stop().
  bool start(int port = 0) {
    if (port != 0) {
      port_ = port;
      fixed_port_ = true;
    }
    if (fixed_port_) return spawn() && wait_ready();
    for (int attempt = 0; attempt < 5; ++attempt) {
      port_ = free_port();
      if (spawn() && wait_ready()) {
        fixed_port_ = true;
        return true;
      }
      kill();
    }
    return false;
  }
  void kill() { signal_and_reap(SIGKILL); }
  void stop() { signal_and_reap(SIGTERM); }
  int port() const { return port_; }
  const std::filesystem::path& dir() const { return dir_; }

  ContextPtr connect() const {
    timeval tv{1, 0};
    return ContextPtr(redisConnectWithTimeout("127.0.0.1", port_, tv));
  }

 private:
  bool spawn() {
    std::vector<std::string> args = {LIENTHONG_REDIS_SERVER,
                                     "--port",
                                     std::to_string(port_),
                                     "--bind",
                                     "127.0.0.1",
                                     "--save",
                                     "",
                                     "--appendonly",
                                     appendonly_,
                                     "--appendfsync",
                                     appendfsync_,
                                     "--dir",
                                     dir_.string(),
                                     "--logfile",
                                     (dir_ / "redis.log").string(),
                                     "--daemonize",
                                     "no"};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    return ::posix_spawn(&pid_, argv[0], nullptr, nullptr, argv.data(), environ) == 0;
  }
  bool wait_ready() {
    for (int i = 0; i < 200; ++i) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return false;
      }
      auto c = connect();
      if (c && c->err == 0) {
        ReplyPtr r(static_cast<redisReply*>(redisCommand(c.get(), "PING")));
        if (r && r->type == REDIS_REPLY_STATUS) return true;  // not LOADING
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    return false;
  }
  void signal_and_reap(int sig) {
    if (pid_ <= 0) return;
    ::kill(pid_, sig);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
  }

  std::string appendonly_, appendfsync_;
  std::filesystem::path dir_;
  pid_t pid_ = -1;
  int port_ = 0;
  bool fixed_port_ = false;
};

}  // namespace lienthong::testing
