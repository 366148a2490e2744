#include "gateway/upstream/curl_socket_events.h"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <string>

#include "gateway/core/log.h"

namespace lienthong::upstream {
namespace {

using SteadyClock = std::chrono::steady_clock;

std::string errno_text(int err) { return std::strerror(err); }

uint32_t epoll_events_for(int what) {
  switch (what) {
    case CURL_POLL_IN:
      return EPOLLIN;
    case CURL_POLL_OUT:
      return EPOLLOUT;
    case CURL_POLL_INOUT:
      return EPOLLIN | EPOLLOUT;
    default:
      return 0;
  }
}

}  // namespace

Result<std::unique_ptr<CurlSocketEvents>> CurlSocketEvents::create(CURLM* multi) {
  const int epoll_fd = ::epoll_create1(EPOLL_CLOEXEC);
  if (epoll_fd < 0) return fail(ErrorCode::kInternal, "epoll_create1: " + errno_text(errno));
  const int wake_fd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (wake_fd < 0) {
    const int err = errno;
    ::close(epoll_fd);
    return fail(ErrorCode::kInternal, "eventfd: " + errno_text(err));
  }
  epoll_event wake{};
  wake.events = EPOLLIN;
  wake.data.fd = wake_fd;
  if (::epoll_ctl(epoll_fd, EPOLL_CTL_ADD, wake_fd, &wake) != 0) {
    const int err = errno;
    ::close(wake_fd);
    ::close(epoll_fd);
    return fail(ErrorCode::kInternal, "epoll_ctl(eventfd): " + errno_text(err));
  }
  std::unique_ptr<CurlSocketEvents> events(new CurlSocketEvents(multi, epoll_fd, wake_fd));
  CURLMcode rc = curl_multi_setopt(multi, CURLMOPT_SOCKETFUNCTION, &CurlSocketEvents::on_socket);
  if (rc == CURLM_OK) rc = curl_multi_setopt(multi, CURLMOPT_SOCKETDATA, events.get());
  if (rc == CURLM_OK)
    rc = curl_multi_setopt(multi, CURLMOPT_TIMERFUNCTION, &CurlSocketEvents::on_timer);
  if (rc == CURLM_OK) rc = curl_multi_setopt(multi, CURLMOPT_TIMERDATA, events.get());
  if (rc != CURLM_OK)
    return fail(ErrorCode::kInternal, std::string("libcurl: ") + curl_multi_strerror(rc));
  return events;
}

CurlSocketEvents::CurlSocketEvents(CURLM* multi, int epoll_fd, int wake_fd)
    : multi_(multi), epoll_fd_(epoll_fd), wake_fd_(wake_fd) {}

CurlSocketEvents::~CurlSocketEvents() {
  // libcurl may still call back while the multi handle is cleaned up; not into this object.
  curl_multi_setopt(multi_, CURLMOPT_SOCKETFUNCTION, nullptr);
  curl_multi_setopt(multi_, CURLMOPT_SOCKETDATA, nullptr);
  curl_multi_setopt(multi_, CURLMOPT_TIMERFUNCTION, nullptr);
  curl_multi_setopt(multi_, CURLMOPT_TIMERDATA, nullptr);
  ::close(wake_fd_);
  ::close(epoll_fd_);
}

void CurlSocketEvents::wake() {
  const uint64_t one = 1;
  // EAGAIN means the counter is already non-zero: a wakeup is pending anyway.
  [[maybe_unused]] const ssize_t n = ::write(wake_fd_, &one, sizeof one);
}

int CurlSocketEvents::on_socket(CURL* /*easy*/, curl_socket_t socket, int what, void* self,
                                void* /*socket_data*/) {
  auto* events = static_cast<CurlSocketEvents*>(self);
  if (what == CURL_POLL_REMOVE) {
    // ENOENT/EBADF: never added, or already closed (the kernel dropped it then); fine.
    ::epoll_ctl(events->epoll_fd_, EPOLL_CTL_DEL, socket, nullptr);
    return 0;
  }
  epoll_event event{};
  event.events = epoll_events_for(what);
  event.data.fd = socket;
  if (::epoll_ctl(events->epoll_fd_, EPOLL_CTL_MOD, socket, &event) != 0) {
    if (errno != ENOENT ||
        ::epoll_ctl(events->epoll_fd_, EPOLL_CTL_ADD, socket, &event) != 0) {
      // The transfer on this socket would never progress; libcurl fails it on its timeout.
      LT_LOG(error, "upstream: cannot watch a socket: {}", errno_text(errno));
      return -1;
    }
  }
  return 0;
}

int CurlSocketEvents::on_timer(CURLM* /*multi*/, long timeout_ms, void* self) {
  auto* events = static_cast<CurlSocketEvents*>(self);
  if (timeout_ms < 0) {
    events->timer_due_.reset();
  } else {
    events->timer_due_ = SteadyClock::now() + std::chrono::milliseconds(timeout_ms);
  }
  return 0;
}

void CurlSocketEvents::socket_action(curl_socket_t socket, int events) {
  int running = 0;
  curl_multi_socket_action(multi_, socket, events, &running);
}

void CurlSocketEvents::run_once(std::chrono::milliseconds max_wait) {
  auto wait = max_wait;
  if (timer_due_) {
    const auto until_timer =
        std::chrono::ceil<std::chrono::milliseconds>(*timer_due_ - SteadyClock::now());
    wait = std::clamp(until_timer, std::chrono::milliseconds(0), max_wait);
  }
  std::array<epoll_event, 128> ready{};
  const int n = ::epoll_wait(epoll_fd_, ready.data(), static_cast<int>(ready.size()),
                             static_cast<int>(wait.count()));
  for (int i = 0; i < n; ++i) {
    const int fd = ready[i].data.fd;
    if (fd == wake_fd_) {
      uint64_t count = 0;
      [[maybe_unused]] const ssize_t r = ::read(wake_fd_, &count, sizeof count);
      continue;
    }
    int mask = 0;
    if (ready[i].events & EPOLLIN) mask |= CURL_CSELECT_IN;
    if (ready[i].events & EPOLLOUT) mask |= CURL_CSELECT_OUT;
    if (ready[i].events & (EPOLLERR | EPOLLHUP)) mask |= CURL_CSELECT_ERR;
    socket_action(fd, mask);
  }
  if (timer_due_ && *timer_due_ <= SteadyClock::now()) {
    timer_due_.reset();  // libcurl sets it again if it wants another
    socket_action(CURL_SOCKET_TIMEOUT, 0);
  }
}

}  // namespace lienthong::upstream
