// Writes a file so that a reader (rivetd, possibly restarted mid-write) sees either no file or
// the whole content, never a prefix, and so that the content survives a crash of the host
// once the call has returned.
#pragma once

#include <filesystem>
#include <string_view>

#include "rivet/sdk/status.hpp"

namespace rivet::core::shim {

// Writes `content` to a temporary file beside `file`, fsyncs it, renames it over `file` and
// fsyncs the directory, so that the rename itself is durable.
sdk::Status writeFileAtomically(const std::filesystem::path& file, std::string_view content);

}  // namespace rivet::core::shim
