// The structured result of an execution that has ended, as StackStorm and Puppet Bolt read
// it: what the action wrote to $RIVET_RESULT_FILE, or else its stdout when that is exactly one
// JSON object. Anything else (no file, plain text, a partial or huge document) gives null:
// the output stays available as bytes either way.
#pragma once

#include <cstdint>
#include <filesystem>

#include <nlohmann/json.hpp>

namespace rivet::core {

// Larger results are not parsed: they would not fit storage's limit anyway.
inline constexpr std::uintmax_t kMaxResultBytes = 1 << 20;

nlohmann::json readExecutionResult(const std::filesystem::path& result_file,
                                   const std::filesystem::path& stdout_file);

}  // namespace rivet::core
