// Replacing a file so that a reader (the gateway reloading, inotify) sees the old bytes or the
// new ones, never half: a temporary beside it (a dot file, which the trust watcher ignores),
// fsync, rename over the file, fsync of the folder. The file keeps its mode.
#pragma once

#include <filesystem>
#include <string_view>

#include "gateway/core/error.h"

namespace lienthong::front::admin {

// INTERNAL naming the file and the system call that failed; the file is unchanged then.
Result<void> write_file_atomically(const std::filesystem::path& file, std::string_view bytes);

}  // namespace lienthong::front::admin
