#include "shebang.hpp"

#include <algorithm>
#include <cctype>
#include <utility>

namespace rivet::plugins::interpreter_generic {
namespace {

constexpr std::string_view kBlanks = " \t";

sdk::Status refused(std::string message) {
  return {sdk::ErrorCode::unprocessable, std::move(message)};
}

std::string_view trimBlanks(std::string_view text) {
  const auto first = text.find_first_not_of(kBlanks);
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(kBlanks);
  return text.substr(first, last - first + 1);
}

std::vector<std::string> splitBlanks(std::string_view text) {
  std::vector<std::string> words;
  for (auto start = text.find_first_not_of(kBlanks); start != std::string_view::npos;) {
    const auto end = std::min(text.find_first_of(kBlanks, start), text.size());
    words.emplace_back(text.substr(start, end - start));
    start = text.find_first_not_of(kBlanks, end);
  }
  return words;
}

std::string_view baseName(std::string_view path) {
  const auto slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

// The command env would run, checked to be a plain name: env's options and VAR=value
// assignments would change what runs in ways the allow-list cannot see.
sdk::Status checkEnvCommand(std::string_view line, std::string_view name) {
  if (name.front() == '-') {
    return refused("env option `" + std::string(name) + "` in `" + std::string(line) +
                   "` is not supported (only `env NAME` and `env -S NAME ARGS...`)");
  }
  if (name.find('=') != std::string_view::npos) {
    return refused("env variable assignment `" + std::string(name) + "` in `" + std::string(line) +
                   "` is not supported; use the action's `env` parameter");
  }
  if (name.find('/') != std::string_view::npos) {
    return refused("`" + std::string(line) + "`: the command after env must be a bare name, " +
                   "looked up in [interpreter-generic] path");
  }
  return sdk::Status::success();
}

// `rest` is what follows `#!<...>/env` on the line, blanks trimmed.
sdk::StatusOr<Shebang> parseEnv(std::string_view line, std::string_view rest) {
  if (rest.empty()) return refused("`" + std::string(line) + "` names no command for env");
  Shebang shebang;
  shebang.looked_up = true;
  if (rest.starts_with("-S")) {
    const std::string_view words = rest.substr(2);
    if (words.find_first_of("'\"\\$") != std::string_view::npos) {
      return refused("`" + std::string(line) +
                     "`: quotes, backslashes and ${VAR} in env -S are not supported");
    }
    auto split = splitBlanks(words);
    if (split.empty()) return refused("`" + std::string(line) + "` names no command for env");
    if (auto status = checkEnvCommand(line, split.front()); !status.ok()) return status;
    shebang.interpreter = std::move(split.front());
    shebang.args.assign(std::make_move_iterator(split.begin() + 1),
                        std::make_move_iterator(split.end()));
    return shebang;
  }
  if (auto status = checkEnvCommand(line, rest.substr(0, rest.find_first_of(kBlanks)));
      !status.ok()) {
    return status;
  }
  if (rest.find_first_of(kBlanks) != std::string_view::npos) {
    // The kernel hands env everything after it as one word, which names no program.
    return refused("`" + std::string(line) + "` passes `" + std::string(rest) +
                   "` to env as one name, as the kernel does; write `#!/usr/bin/env -S " +
                   std::string(rest) + "`");
  }
  shebang.interpreter = std::string(rest);
  return shebang;
}

}  // namespace

sdk::StatusOr<Shebang> parseShebang(std::string_view head) {
  head = head.substr(0, kShebangBytes);
  if (!head.starts_with("#!")) {
    return refused(
        "no shebang: the first line must name the interpreter, e.g. "
        "`#!/usr/bin/env perl`");
  }
  const auto newline = head.find('\n');
  if (newline == std::string_view::npos && head.size() == kShebangBytes) {
    return refused("shebang line longer than the " + std::to_string(kShebangBytes - 1) +
                   " bytes the kernel reads");
  }
  const std::string_view line = head.substr(0, newline);
  if (line.find('\0') != std::string_view::npos) {
    return refused("shebang line contains a NUL byte");
  }
  if (line.ends_with('\r')) {
    return refused(
        "shebang line ends with a carriage return (CRLF line ends): the kernel "
        "would look for an interpreter whose name ends in CR; convert it to LF");
  }

  const std::string_view command = trimBlanks(line.substr(2));
  const std::string_view path = command.substr(0, command.find_first_of(kBlanks));
  if (path.empty()) return refused("shebang `" + std::string(line) + "` names no interpreter");
  if (path.front() != '/') {
    return refused("shebang interpreter `" + std::string(path) +
                   "` is not an absolute path (use `#!/usr/bin/env " + std::string(baseName(path)) +
                   "` to look it up)");
  }
  const std::string_view rest = trimBlanks(command.substr(path.size()));
  if (baseName(path) == "env") return parseEnv(line, rest);

  Shebang shebang;
  shebang.interpreter = std::string(path);
  if (!rest.empty()) shebang.args.emplace_back(rest);
  return shebang;
}

bool matchesAllowed(std::string_view name, std::string_view allowed) {
  if (allowed.empty() || !name.starts_with(allowed)) return false;
  std::string_view version = name.substr(allowed.size());
  if (version.empty()) return true;
  if (version.front() == '.') version.remove_prefix(1);
  // Now one or more groups of digits separated by single dots.
  bool expect_digit = true;
  for (const char c : version) {
    if (std::isdigit(static_cast<unsigned char>(c)) != 0) {
      expect_digit = false;
    } else if (c == '.' && !expect_digit) {
      expect_digit = true;
    } else {
      return false;
    }
  }
  return !expect_digit;
}

}  // namespace rivet::plugins::interpreter_generic
