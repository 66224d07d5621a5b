// GET /v1/health: liveness for fleet checks and deployments, plus what this agent runs.
// GET /v1/metrics: the same and more in Prometheus text format.
#include "api/availability.hpp"
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
    std::size_t building = 0;
    std::size_t unavailable = 0;
    for (const auto& pack : context.catalog.current()->packs()) {
      const auto availability = packAvailability(context, pack);
      (availability.available ? loaded : availability.state == "building" ? building : unavailable)++;
    }
    // Running uncapped is allowed by config (required = false) but must not go unnoticed.
    nlohmann::json sandbox = nullptr;
    nlohmann::json warnings = nlohmann::json::array();
    if (const auto* plugin = context.plugins.sandbox(); plugin != nullptr) {
      const auto state = plugin->state();
      sandbox = {{"usable", state.usable},
                 {"description", state.description},
                 {"limits", limitsJson(state.limits)}};
      if (!state.usable) {
        warnings.push_back("actions run without resource caps: " + state.description);
      }
    }
    // A pack store that cannot be read, or a version of it that was not installed, leaves
    // older packs serving: fine for now, but someone should look.
    if (context.pack_sync != nullptr) {
      const auto sync = context.pack_sync->status();
      if (!sync.last_error.empty()) {
        warnings.push_back("pack store " + sync.store + " not readable: " + sync.last_error);
      }
      for (const auto& [pack, failure] : sync.failures) {
        warnings.push_back("pack " + pack + " " + failure.version + " not installed: " +
                           failure.error);
      }
    }
    const auto storage = context.plugins.storage().check();
    const auto counts = context.executor.counts();
    return jsonResponse(storage.ok() ? 200 : 503,
                        {{"status", storage.ok() ? "ok" : "degraded"},
                         {"version", RIVET_VERSION},
                         {"uptime_seconds", (nowMs() - context.started_at_ms) / 1000},
                         {"plugins", plugins},
                         {"packs", {{"loaded", loaded}, {"building", building}, {"unavailable", unavailable}}},
                         {"executions", {{"running", counts.running}, {"queued", counts.queued}}},
                         {"storage", {{"ok", storage.ok()}, {"error", storage.message()}}},
                         {"sandbox", sandbox},
                         {"warnings", warnings}});
  });
}

void addMetricsRoutes(Router& router, const ApiContext& context) {
  router.add("GET", "/v1/metrics", [&context](const RouteRequest&) -> sdk::HttpResponse {
    if (context.metrics == nullptr) return errorResponse(404, "not_found", "metrics are off");
    const auto counts = context.executor.counts();
    context.metrics->setRunning(counts.running);
    context.metrics->setQueued(counts.queued);
    sdk::HttpResponse response;
    response.headers = {{"Content-Type", "text/plain; version=0.0.4"}};
    response.body = context.metrics->render();
    return response;
  });
}

}  // namespace rivet::core
