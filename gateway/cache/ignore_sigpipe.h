// hiredis writes to its socket with write(2): a Redis that closes the connection would raise
// SIGPIPE and, by default, kill the gateway. Every Redis client here (the record cache, the
// outbox) calls this before its first connection. A handler the process already installed is
// left alone.
#pragma once

#include <signal.h>

namespace lienthong::cache {

inline void ignore_sigpipe_once() {
  static const bool done = [] {
    struct sigaction current {};
    if (::sigaction(SIGPIPE, nullptr, &current) == 0 && current.sa_handler == SIG_DFL) {
      struct sigaction ignore {};
      ignore.sa_handler = SIG_IGN;
      ::sigemptyset(&ignore.sa_mask);
      ::sigaction(SIGPIPE, &ignore, nullptr);
    }
    return true;
  }();
  (void)done;
}

}  // namespace lienthong::cache
