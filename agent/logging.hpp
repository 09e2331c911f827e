// spdlog set-up: logfmt (default) or JSON lines on stderr, level from --log.level.
#pragma once

#include <string>

#include <tl/expected.hpp>

namespace rdns::agent {

// level: debug|info|warn|error; format: logfmt|json. Returns an error naming the bad value.
tl::expected<void, std::string> setup_logging(const std::string& level, const std::string& format);

}  // namespace rdns::agent
