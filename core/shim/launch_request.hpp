// launch.json, the one input of rivet-shim: what to run and under which limits. rivetd
// writes it into the execution directory before starting the shim, the shim reads it, both
// through these functions; README.md has the format.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "rivet/sdk/status.hpp"
#include "shim/process_start.hpp"

namespace rivet::core::shim {

struct LaunchRequest {
  std::string execution_id;
  ProcessSpec process;
  int timeout_seconds = 0;  // 0: no timeout
  int kill_grace_seconds = 0;
};

// Every key is required and no other key is accepted, so a rivetd and a shim that disagree
// about the format fail loudly at the first launch. The error says which key is wrong and why.
sdk::StatusOr<LaunchRequest> parseLaunchRequest(std::string_view json_text);
sdk::StatusOr<LaunchRequest> readLaunchRequest(const std::filesystem::path& file);

// What rivetd writes before starting the shim: every key, atomically and synced.
sdk::Status writeLaunchRequest(const std::filesystem::path& file, const LaunchRequest& request);

}  // namespace rivet::core::shim
