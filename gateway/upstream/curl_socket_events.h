// Drives a libcurl multi handle with epoll, through libcurl's multi_socket API.
//
// Why not curl_multi_perform + curl_multi_poll: both walk every transfer and every socket on
// each wakeup. With a few hundred kept-alive upstream connections and a response arriving
// every half millisecond, that walk was most of the upstream thread's CPU (profile in
// docs/perf/misses.md). Here libcurl says which sockets to watch (CURLMOPT_SOCKETFUNCTION) and
// when its next timeout is due (CURLMOPT_TIMERFUNCTION); epoll reports only the sockets that
// are ready, and libcurl is told about exactly those (curl_multi_socket_action).
//
// One thread: the owner's loop calls run_once(); wake() may be called from any thread.
#pragma once

#include <curl/curl.h>

#include <chrono>
#include <memory>
#include <optional>

#include "gateway/core/error.h"

namespace lienthong::upstream {

class CurlSocketEvents {
 public:
  // Installs the socket and timer callbacks on `multi`, which must outlive this object and
  // must not be driven with curl_multi_perform. INTERNAL if epoll or eventfd cannot be had.
  static Result<std::unique_ptr<CurlSocketEvents>> create(CURLM* multi);
  ~CurlSocketEvents();  // removes the callbacks from the multi handle, closes the descriptors
  CurlSocketEvents(const CurlSocketEvents&) = delete;
  CurlSocketEvents& operator=(const CurlSocketEvents&) = delete;

  // Any thread: makes the current or next run_once() return without waiting.
  void wake();

  // Waits until a watched socket is ready, libcurl's timer is due, wake() is called, or
  // `max_wait` has passed; then hands the ready sockets and a due timer to libcurl. Finished
  // transfers are then in curl_multi_info_read.
  void run_once(std::chrono::milliseconds max_wait);

 private:
  CurlSocketEvents(CURLM* multi, int epoll_fd, int wake_fd);

  static int on_socket(CURL* easy, curl_socket_t socket, int what, void* self, void* socket_data);
  static int on_timer(CURLM* multi, long timeout_ms, void* self);
  void socket_action(curl_socket_t socket, int events);

  CURLM* multi_;
  int epoll_fd_;
  int wake_fd_;  // eventfd
  // When libcurl wants curl_multi_socket_action(CURL_SOCKET_TIMEOUT); none when empty.
  std::optional<std::chrono::steady_clock::time_point> timer_due_;
};

}  // namespace lienthong::upstream
