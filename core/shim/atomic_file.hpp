// Writes a file so that a reader (rivetd, possibly restarted mid-write) sees either no file or
// the whole content, never a prefix; and, when asked, so that the content survives a crash of
// the host once the call has returned.
#pragma once

#include <filesystem>
#include <string_view>

#include "rivet/sdk/status.hpp"

namespace rivet::core::shim {

// What a file written by writeFileAtomically survives once the call has returned.
enum class Durability {
  // A crash of the host too: the file and then its directory are fsynced.
  synced,
  // A crash of the writer or of any reader, not of the host: no fsync. Readers on this host
  // share the page cache, so they see it whole; a host crash may lose it or leave it empty.
  process_crash_safe,
};

// Writes `content` to a temporary file beside `file` and renames it over `file`.
sdk::Status writeFileAtomically(const std::filesystem::path& file, std::string_view content,
                                Durability durability = Durability::synced);

}  // namespace rivet::core::shim
