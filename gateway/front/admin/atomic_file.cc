#include "gateway/front/admin/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace lienthong::front::admin {

namespace {

Error io_error(const std::filesystem::path& file, std::string_view what) {
  return Error{ErrorCode::kInternal,
               file.string() + ": " + std::string(what) + ": " + std::strerror(errno)};
}

}  // namespace

Result<void> write_file_atomically(const std::filesystem::path& file, std::string_view bytes) {
  const std::filesystem::path dir = file.has_parent_path() ? file.parent_path() : ".";
  const std::filesystem::path tmp =
      dir / ("." + file.filename().string() + ".admin." + std::to_string(::getpid()) + ".tmp");
  mode_t mode = 0644;
  if (struct stat st{}; ::stat(file.c_str(), &st) == 0) mode = st.st_mode & 07777;
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return tl::unexpected(io_error(tmp, "open"));
  auto abandon = [&](std::string_view what) -> Result<void> {
    Error e = io_error(tmp, what);
    ::close(fd);
    ::unlink(tmp.c_str());
    return tl::unexpected(std::move(e));
  };
  for (std::size_t done = 0; done < bytes.size();) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return abandon("write");
    done += static_cast<std::size_t>(n);
  }
  if (::fchmod(fd, mode) != 0) return abandon("fchmod");  // O_CREAT's mode passes the umask
  if (::fsync(fd) != 0) return abandon("fsync");
  if (::close(fd) != 0) {
    Error e = io_error(tmp, "close");
    ::unlink(tmp.c_str());
    return tl::unexpected(std::move(e));
  }
  if (::rename(tmp.c_str(), file.c_str()) != 0) {
    Error e = io_error(file, "rename");
    ::unlink(tmp.c_str());
    return tl::unexpected(std::move(e));
  }
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) return tl::unexpected(io_error(dir, "open folder"));
  const int synced = ::fsync(dfd);
  ::close(dfd);
  if (synced != 0) return tl::unexpected(io_error(dir, "fsync folder"));
  return {};
}

}  // namespace lienthong::front::admin
