// Dev mode ([dev-packs], docs/pack-delivery.md): a pack sent with an execution request, for
// trying a change on one instance before it is published. Off unless the config turns it on,
// and then only for the client certificate subjects it names. The pack is installed for that
// one execution: in a directory of its own, removed when the execution ends.
#pragma once

#include <optional>
#include <string>
#include <variant>

#include <nlohmann/json.hpp>

#include "config/pack_delivery_config.hpp"
#include "packs/pack_catalog.hpp"
#include "plugin_host/plugin_set.hpp"
#include "rivet/sdk/transport.hpp"

namespace rivet::core {

struct DevPack {
  PackCatalog catalog;  // the sent pack alone
  std::string digest;   // "sha256:..." of the archive as sent
};

// 403 when dev mode is off (null config or enabled = false) or `requester` is not one of its
// identities; nullopt when the request may carry a pack. Nothing is written either way.
std::optional<sdk::HttpResponse> refuseDevPack(const DevPacksConfig* config,
                                               const sdk::Requester& requester);

// Installs the `pack` field of a request ({"archive": "<base64 tar.zst>"}, as
// `rivet run --pack-dir` sends it): decodes, unpacks, reads and prepares it. An error response
// (400 shape, 413 size, 422 a pack that cannot be used) leaves nothing on disk.
std::variant<DevPack, sdk::HttpResponse> installDevPack(const DevPacksConfig& config,
                                                        const PluginSet& plugins,
                                                        const nlohmann::json& field);

}  // namespace rivet::core
