#include "config/config_error.hpp"

#include "util/text_escape.hpp"

namespace rdns::config {

std::string ConfigError::to_string() const {
  std::string out = file.empty() ? "<config>" : file;
  if (line > 0) {
    out += ":" + std::to_string(line);
    if (column > 0) out += ":" + std::to_string(column);
  }
  if (!key.empty()) out += ": " + key;
  out += ": " + message;
  return text::one_line(out);
}

}  // namespace rdns::config
