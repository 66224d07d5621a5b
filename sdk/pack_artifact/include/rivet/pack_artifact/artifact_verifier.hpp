// Verifying a pack artifact before anything in it is used: the check an agent makes on every
// download, and `rivet pack verify` makes by hand.
#pragma once

#include <filesystem>
#include <vector>

#include "rivet/pack_artifact/artifact_manifest.hpp"
#include "rivet/sdk/status.hpp"

namespace rivet::pack_artifact {

// Checks, in this order, and stops at the first failure with a message naming it: the
// manifest parses with every field (invalid_argument); the archive it names exists beside it
// (not_found); its size and SHA-256 match the manifest ("size mismatch", "digest mismatch");
// the manifest's key id is one of `trusted_public_keys` (PEM files; "signed by unknown key");
// the signature verifies with that key ("bad signature"). The last three are unprocessable.
sdk::StatusOr<ArtifactManifest> verifyArtifact(
    const std::filesystem::path& manifest_file,
    const std::vector<std::filesystem::path>& trusted_public_keys);

}  // namespace rivet::pack_artifact
