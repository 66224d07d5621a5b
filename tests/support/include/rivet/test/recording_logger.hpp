// An sdk::Logger for tests: remembers every line with its level. Thread-safe, since plugins
// log from their own threads.
#pragma once

#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "rivet/sdk/plugin.hpp"

namespace rivet::test {

class RecordingLogger final : public sdk::Logger {
 public:
  struct Line {
    sdk::LogLevel level;
    std::string message;
  };

  void log(sdk::LogLevel level, std::string_view message) override;

  std::vector<Line> lines() const;
  // The messages alone, in order.
  std::vector<std::string> messages() const;
  // How many lines of `level` contain `fragment`.
  int count(sdk::LogLevel level, std::string_view fragment) const;
  void clear();

 private:
  mutable std::mutex mutex_;
  std::vector<Line> lines_;
};

}  // namespace rivet::test
