#include "rivet/test/recording_logger.hpp"

namespace rivet::test {

void RecordingLogger::log(sdk::LogLevel level, std::string_view message) {
  std::lock_guard lock(mutex_);
  lines_.push_back({level, std::string(message)});
}

std::vector<RecordingLogger::Line> RecordingLogger::lines() const {
  std::lock_guard lock(mutex_);
  return lines_;
}

std::vector<std::string> RecordingLogger::messages() const {
  std::lock_guard lock(mutex_);
  std::vector<std::string> messages;
  for (const auto& line : lines_) messages.push_back(line.message);
  return messages;
}

int RecordingLogger::count(sdk::LogLevel level, std::string_view fragment) const {
  std::lock_guard lock(mutex_);
  int found = 0;
  for (const auto& line : lines_) {
    if (line.level == level && line.message.find(fragment) != std::string::npos) ++found;
  }
  return found;
}

void RecordingLogger::clear() {
  std::lock_guard lock(mutex_);
  lines_.clear();
}

}  // namespace rivet::test
