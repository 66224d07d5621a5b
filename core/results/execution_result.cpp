#include "results/execution_result.hpp"

#include <fstream>
#include <sstream>

namespace rivet::core {
namespace {

// The file's JSON, or null when it is missing, too large or not JSON.
nlohmann::json readJsonFile(const std::filesystem::path& file) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(file, ec);
  if (ec || size == 0 || size > kMaxResultBytes) return nullptr;
  std::ifstream in(file, std::ios::binary);
  return nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
}

}  // namespace

nlohmann::json readExecutionResult(const std::filesystem::path& result_file,
                                   const std::filesystem::path& stdout_file) {
  if (auto written = readJsonFile(result_file); !written.is_discarded() && !written.is_null()) {
    return written;
  }
  auto printed = readJsonFile(stdout_file);
  return printed.is_object() ? printed : nlohmann::json(nullptr);
}

}  // namespace rivet::core
