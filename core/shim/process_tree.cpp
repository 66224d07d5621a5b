#include "shim/process_tree.hpp"

#include <charconv>
#include <deque>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <unordered_map>

namespace rivet::core::shim {
namespace {

template <typename Number>
bool parseNumber(std::string_view text, Number& value) {
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  return error == std::errc() && end == text.data() + text.size();
}

}  // namespace

std::optional<ProcStat> parseProcStat(std::string_view text) {
  const auto open = text.find('(');
  const auto close = text.rfind(')');
  if (open == std::string_view::npos || close == std::string_view::npos || close < open) {
    return std::nullopt;
  }
  ProcStat stat;
  if (!parseNumber(text.substr(0, open > 0 ? open - 1 : 0), stat.pid)) return std::nullopt;

  // Fields after the name, space-separated; index 0 is field 3 (state).
  std::vector<std::string_view> fields;
  std::string_view rest = text.substr(close + 1);
  while (!rest.empty()) {
    const auto start = rest.find_first_not_of(" \n");
    if (start == std::string_view::npos) break;
    rest.remove_prefix(start);
    const auto end = rest.find_first_of(" \n");
    fields.push_back(rest.substr(0, end));
    rest.remove_prefix(end == std::string_view::npos ? rest.size() : end);
  }
  if (fields.size() < 20) return std::nullopt;
  const auto field = [&fields](int number) { return fields[number - 3]; };
  if (!parseNumber(field(4), stat.ppid) || !parseNumber(field(5), stat.pgrp) ||
      !parseNumber(field(6), stat.session) || !parseNumber(field(19), stat.nice) ||
      !parseNumber(field(22), stat.start_time)) {
    return std::nullopt;
  }
  return stat;
}

std::optional<ProcStat> readProcStat(pid_t pid) {
  std::ifstream file("/proc/" + std::to_string(pid) + "/stat");
  if (!file) return std::nullopt;
  std::ostringstream text;
  text << file.rdbuf();
  return parseProcStat(text.str());
}

std::vector<ProcStat> descendantsOf(pid_t ancestor) {
  std::unordered_multimap<pid_t, ProcStat> children_by_parent;
  std::error_code error;
  for (std::filesystem::directory_iterator it("/proc", error), end; !error && it != end;
       it.increment(error)) {
    pid_t pid = 0;
    if (!parseNumber(it->path().filename().native(), pid)) continue;
    // A process may exit between listing and reading: it is then simply not there.
    if (auto stat = readProcStat(pid)) children_by_parent.emplace(stat->ppid, *stat);
  }

  std::vector<ProcStat> descendants;
  std::deque<pid_t> parents{ancestor};
  while (!parents.empty()) {
    const auto [first, last] = children_by_parent.equal_range(parents.front());
    parents.pop_front();
    for (auto it = first; it != last; ++it) {
      descendants.push_back(it->second);
      parents.push_back(it->second.pid);
    }
  }
  return descendants;
}

}  // namespace rivet::core::shim
