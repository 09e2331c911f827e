// Small file helpers for the loaders: whole-file reads with a size cap, relative path
// resolution, readability checks, and keeping messages on one line. Thread-safe (no state).
#pragma once

#include <string>
#include <string_view>

#include <tl/expected.hpp>

#include "util/text_escape.hpp"

namespace rdns::config {

// Config files are small; anything bigger than this is a mistake (or /dev/zero).
inline constexpr std::size_t k_max_config_bytes = 16u << 20;

// The file's contents, or strerror(errno) (or a size complaint) as the error.
[[nodiscard]] tl::expected<std::string, std::string> read_file(const std::string& path);

// "dir/sub/x.toml" -> "dir/sub"; "x.toml" -> "" (the working directory); "/x.toml" -> "/".
std::string directory_of(std::string_view path);

// `path` unchanged when absolute or when `base_dir` is empty, else base_dir + "/" + path.
std::string resolve_path(std::string_view base_dir, std::string_view path);

// Whether the process can read `path` (a regular file or device, not a directory);
// the error is strerror(errno) or "is a directory".
[[nodiscard]] tl::expected<void, std::string> check_readable(const std::string& path);

// one_line() is one of the shared text escapers (config/text_escape.hpp).
using text::one_line;

}  // namespace rdns::config
