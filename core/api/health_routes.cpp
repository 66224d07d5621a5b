// GET /v1/health: liveness for fleet checks and deployments, plus what this agent runs.
#include "api/http_json.hpp"
#include "api/rest_api.hpp"

namespace rivet::core {

void addHealthRoutes(Router& router, const ApiContext& context) {
  router.add("GET", "/v1/health", [&context](const RouteRequest&) {
    nlohmann::json plugins = nlohmann::json::array();
    for (const auto& info : context.plugins.infos()) {
      plugins.push_back({{"name", info.name},
                         {"kind", toString(info.kind)},
                         {"version", info.version},
                         {"file", info.file}});
    }
    std::size_t loaded = 0;
    std::size_t unavailable = 0;
    for (const auto& pack : context.catalog.packs()) (pack.available ? loaded : unavailable)++;
    return jsonResponse(200, {{"status", "ok"},
                              {"version", RIVET_VERSION},
                              {"uptime_seconds", (nowMs() - context.started_at_ms) / 1000},
                              {"plugins", plugins},
                              {"packs", {{"loaded", loaded}, {"unavailable", unavailable}}},
                              {"executions", {{"running", context.executor.runningCount()}}}});
  });
}

}  // namespace rivet::core
