// How the benchmarks configure the rivetd agents they start.
#pragma once

#include <string>
#include <vector>

#include "rivet/client/dev_pki.hpp"

namespace rivet::bench {

// The settings (key=value) of a rivetd on 127.0.0.1 with the packs under `packs_dir`, the shared
// PKI `pki` and only the plugins the benchmarks need, logging warnings and worse.
std::vector<std::string> benchRivetdDefines(const rivet::client::DevPkiFiles& pki,
                                            const std::string& packs_dir);

}  // namespace rivet::bench
