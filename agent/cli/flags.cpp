#include "agent/cli/flags.hpp"

#include <algorithm>
#include <optional>

namespace rdns::agent {

void FlagParser::add_string(std::string name, std::string* target, std::string help) {
  m_flags.push_back(Flag{std::move(name), target, nullptr, std::move(help), *target});
}

void FlagParser::add_bool(std::string name, bool* target, std::string help) {
  m_flags.push_back(Flag{std::move(name), nullptr, target, std::move(help), *target ? "true" : "false"});
}

const FlagParser::Flag* FlagParser::find(const std::string& name) const {
  auto it = std::find_if(m_flags.begin(), m_flags.end(), [&](const Flag& f) { return f.name == name; });
  return it == m_flags.end() ? nullptr : &*it;
}

tl::expected<std::vector<std::string>, std::string> FlagParser::parse(std::span<const std::string> args) const {
  std::vector<std::string> positionals;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--") {
      positionals.insert(positionals.end(), args.begin() + static_cast<std::ptrdiff_t>(i) + 1, args.end());
      break;
    }
    if (arg.size() < 2 || arg[0] != '-' || arg == "-") {
      positionals.push_back(arg);
      continue;
    }
    // Accept -flag as well as --flag, as Go's flag package does.
    std::string body = arg.substr(arg[1] == '-' ? 2 : 1);
    std::string name = body;
    std::optional<std::string> value;
    if (auto eq = body.find('='); eq != std::string::npos) {
      name = body.substr(0, eq);
      value = body.substr(eq + 1);
    }
    if (name == "h" && find("h") == nullptr) name = "help";  // -h, as every Prometheus binary
    const Flag* flag = find(name);
    bool negated = false;
    if (flag == nullptr && name.rfind("no-", 0) == 0) {
      flag = find(name.substr(3));
      negated = flag != nullptr && flag->bool_target != nullptr && !value;
      if (!negated) flag = nullptr;
    }
    if (flag == nullptr) return tl::make_unexpected("unknown flag --" + name);
    if (flag->bool_target != nullptr) {
      if (negated) {
        *flag->bool_target = false;
      } else if (!value || *value == "true" || *value == "1") {
        *flag->bool_target = true;
      } else if (*value == "false" || *value == "0") {
        *flag->bool_target = false;
      } else {
        return tl::make_unexpected("flag --" + name + ": expected true or false, got \"" + *value + "\"");
      }
      continue;
    }
    if (!value) {
      if (i + 1 >= args.size()) return tl::make_unexpected("flag --" + name + " needs a value");
      value = args[++i];
    }
    *flag->string_target = *value;
  }
  return positionals;
}

std::string FlagParser::help() const {
  // "Usage:" (and "  or:  " before further forms, in the usage line) as GNU programs write it:
  // help2man makes those lines the man page's SYNOPSIS (cmake/manpage.cmake).
  std::string out = "Usage: " + m_usage_line + "\n\nflags:\n";
  for (const Flag& flag : m_flags) {
    std::string left = "  --" + flag.name + (flag.bool_target ? "" : "=VALUE");
    if (left.size() < 32) left.resize(32, ' ');
    out += left + " " + flag.help;
    if (!flag.default_text.empty()) out += " (default: " + flag.default_text + ")";
    out += "\n";
  }
  return out;
}

}  // namespace rdns::agent
