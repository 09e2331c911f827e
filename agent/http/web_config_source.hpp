// The --web.config.file as the exporter-toolkit treats it: re-read while serving, so basic-auth
// users can be changed without a restart. The file is parsed again only when it changed
// (inode, size or modification time), so a scrape costs one stat(2).
#pragma once

#include <sys/types.h>

#include <ctime>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include <tl/expected.hpp>

#include "config/web_config.hpp"

namespace rdns::agent {

// Thread-safety: current() may be called from any number of threads at once.
class WebConfigSource {
public:
  using Loader = std::function<tl::expected<config::WebConfig, std::string>(const std::string& path)>;

  explicit WebConfigSource(std::string path, Loader loader = default_loader());

  // The config as the file says now, or why it cannot be used (unreadable, invalid). A broken file
  // is an error until it is fixed: the caller must refuse requests rather than serve them
  // unauthenticated. Each change of state is logged once.
  [[nodiscard]] tl::expected<std::shared_ptr<const config::WebConfig>, std::string> current();

  const std::string& path() const { return m_path; }

  static Loader default_loader();

private:
  struct Identity {
    ino_t inode = 0;
    dev_t device = 0;
    off_t size = -1;
    timespec modified{};
    bool operator==(const Identity& other) const {
      return inode == other.inode && device == other.device && size == other.size &&
             modified.tv_sec == other.modified.tv_sec && modified.tv_nsec == other.modified.tv_nsec;
    }
  };

  const std::string m_path;
  const Loader m_loader;
  std::mutex m_mutex;  // guards the members below
  bool m_loaded = false;
  Identity m_identity;
  std::shared_ptr<const config::WebConfig> m_config;
  std::string m_error;  // non-empty while the file is unusable
};

}  // namespace rdns::agent
