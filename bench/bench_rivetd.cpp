#include "bench_rivetd.hpp"

namespace rivet::bench {

std::vector<std::string> benchRivetdDefines(const rivet::client::DevPkiFiles& pki,
                                            const std::string& packs_dir) {
  return {"rivetd.packs_dir=" + packs_dir,
          "rivetd.plugins=storage-sqlite, transport-https, shell",
          "rivetd.log_level=warning",
          "transport-https.ca_file=" + pki.ca_cert,
          "transport-https.cert_file=" + pki.server_cert,
          "transport-https.key_file=" + pki.server_key,
          "transport-https.dev_pki=false"};
}

}  // namespace rivet::bench
