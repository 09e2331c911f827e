#include "agent/http/web_config_source.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include <spdlog/spdlog.h>

namespace rdns::agent {

WebConfigSource::WebConfigSource(std::string path, Loader loader)
    : m_path(std::move(path)), m_loader(std::move(loader)) {}

WebConfigSource::Loader WebConfigSource::default_loader() {
  return [](const std::string& path) -> tl::expected<config::WebConfig, std::string> {
    auto loaded = config::load_web_config_file(path);
    if (!loaded) return tl::unexpected(loaded.error().to_string());
    return std::move(*loaded);
  };
}

tl::expected<std::shared_ptr<const config::WebConfig>, std::string> WebConfigSource::current() {
  struct stat st {};
  Identity identity;
  std::string stat_error;
  if (::stat(m_path.c_str(), &st) != 0) {
    stat_error = "cannot read web config file " + m_path + ": " + std::strerror(errno);
  } else {
    identity = Identity{st.st_ino, st.st_dev, st.st_size, st.st_mtim};
  }

  std::lock_guard lock(m_mutex);
  if (!stat_error.empty()) {
    if (m_error != stat_error) spdlog::error("web config unusable, refusing requests: {}", stat_error);
    m_error = stat_error;
    m_loaded = false;
    return tl::unexpected(m_error);
  }
  if (!m_loaded || !(identity == m_identity)) {
    // Parsed under the lock: concurrent requests after a change wait for one parse, not N.
    auto loaded = m_loader(m_path);
    m_loaded = true;
    m_identity = identity;
    if (loaded) {
      if (!m_error.empty() || m_config) spdlog::info("web config file {} (re)loaded", m_path);
      m_config = std::make_shared<const config::WebConfig>(std::move(*loaded));
      m_error.clear();
    } else {
      if (m_error != loaded.error()) spdlog::error("web config unusable, refusing requests: {}", loaded.error());
      m_error = loaded.error();
    }
  }
  if (!m_error.empty()) return tl::unexpected(m_error);
  return m_config;
}

}  // namespace rdns::agent
