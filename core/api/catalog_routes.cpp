// GET /v1/packs, GET /v1/actions, GET /v1/actions/{pack}.{action}: what this host can run,
// and why anything it cannot run is unavailable.
#include <optional>

#include "api/availability.hpp"
#include "api/http_json.hpp"
#include "api/rest_api.hpp"

namespace rivet::core {
namespace {

nlohmann::json parameterJson(const sdk::ParameterSpec& parameter) {
  nlohmann::json json{{"type", toString(parameter.type)},
                      {"description", parameter.description},
                      {"required", parameter.required},
                      {"secret", parameter.secret},
                      {"immutable", parameter.immutable}};
  if (parameter.default_value) {
    json["default"] = parameter.secret ? nlohmann::json("********") : *parameter.default_value;
  }
  if (!parameter.enum_values.empty()) json["enum"] = parameter.enum_values;
  if (parameter.position) json["position"] = *parameter.position;
  return json;
}

// The configured caps every action runs under at most; empty when no usable sandbox caps them.
// Read once per request: the sandbox's state builds its description each time.
std::optional<sdk::ResourceLimits> sandboxCaps(const ApiContext& context) {
  const auto* sandbox = context.plugins.sandbox();
  if (sandbox == nullptr) return std::nullopt;
  auto state = sandbox->state();
  if (!state.usable) return std::nullopt;
  return state.limits;
}

nlohmann::json actionJson(const ApiContext& context, const PackCatalog& catalog,
                          const ActionEntry& entry,
                          const std::optional<sdk::ResourceLimits>& caps) {
  const auto& spec = entry.spec;
  const auto& plugins = context.plugins;
  const auto availability = actionAvailability(context, catalog.findPack(spec.pack), entry);
  nlohmann::json parameters = nlohmann::json::object();
  for (const auto& parameter : spec.parameters) parameters[parameter.name] = parameterJson(parameter);
  nlohmann::json timeout = nullptr;
  if (spec.timeout_seconds) {
    timeout = *spec.timeout_seconds;
  } else if (const auto* runner = plugins.runnerFor(spec.runner_type)) {
    timeout = runner->defaultTimeoutSeconds(spec.runner_type);
  }
  // The caps it runs under: its own tightened by the sandbox's; null when it runs uncapped.
  const nlohmann::json limits =
      caps ? limitsJson(sdk::tighterLimits(spec.limits, *caps)) : nlohmann::json(nullptr);
  return {{"ref", spec.ref()},
          {"pack", spec.pack},
          {"name", spec.name},
          {"runner_type", spec.runner_type},
          {"description", spec.description},
          {"enabled", spec.enabled},
          {"available", availability.available},
          {"state", availability.state},
          {"error", availability.error},
          {"entry_point", spec.entry_point},
          {"timeout_seconds", timeout},
          {"tags", spec.tags},
          {"limits", limits},
          {"parameters", parameters}};
}

// A pack upgrade that failed: the version the store offered and why it was not installed.
nlohmann::json upgradeFailureJson(const PackUpgradeFailure& failure) {
  return {{"version", failure.version},
          {"digest", failure.digest},
          {"error", failure.error},
          {"at", formatTime(failure.at_ms)},
          {"retried", failure.retried}};
}

nlohmann::json packJson(const ApiContext& context, const PackEntry& pack,
                        const PackSyncStatus* sync) {
  const auto availability = packAvailability(context, pack);
  nlohmann::json json{{"ref", pack.spec.ref},
                      {"name", pack.spec.name},
                      {"version", pack.spec.version},
                      {"description", pack.spec.description},
                      {"author", pack.spec.author},
                      {"path", pack.spec.path},
                      {"available", availability.available},
                      {"state", availability.state},
                      {"error", availability.error},
                      {"actions", pack.actions.size()},
                      {"source", pack.delivered ? "store" : "packs_dir"},
                      {"stage", nullptr},
                      {"digest", nullptr},
                      {"installed_at", nullptr},
                      {"upgrade_failure", nullptr}};
  if (pack.delivered) {
    json["stage"] = pack.delivered->stage;
    json["digest"] = pack.delivered->digest;
    json["installed_at"] = formatTime(pack.delivered->installed_at_ms);
  }
  if (sync != nullptr) {
    if (auto it = sync->failures.find(pack.spec.name); it != sync->failures.end()) {
      json["upgrade_failure"] = upgradeFailureJson(it->second);
    }
  }
  return json;
}

// The pack store this agent follows, and the packs of its stage it could not install at all.
nlohmann::json syncJson(const PackSyncStatus& sync, const PackCatalog& catalog) {
  nlohmann::json not_installed = nlohmann::json::object();
  for (const auto& [name, failure] : sync.failures) {
    bool listed = false;
    for (const auto& pack : catalog.packs()) listed = listed || pack.spec.name == name;
    if (!listed) not_installed[name] = upgradeFailureJson(failure);
  }
  return {{"store", sync.store},
          {"stage", sync.stage},
          {"last_check_at", sync.last_check_ms ? nlohmann::json(formatTime(sync.last_check_ms))
                                               : nlohmann::json(nullptr)},
          {"last_error", sync.last_error},
          {"not_installed", not_installed}};
}

}  // namespace

void addCatalogRoutes(Router& router, const ApiContext& context) {
  router.add("GET", "/v1/packs", [&context](const RouteRequest&) {
    const auto catalog = context.catalog.current();
    std::optional<PackSyncStatus> sync;
    if (context.pack_sync != nullptr) sync = context.pack_sync->status();
    nlohmann::json items = nlohmann::json::array();
    for (const auto& pack : catalog->packs()) {
      items.push_back(packJson(context, pack, sync ? &*sync : nullptr));
    }
    return jsonResponse(200, {{"items", items},
                              {"sync", sync ? syncJson(*sync, *catalog) : nlohmann::json(nullptr)}});
  });

  router.add("GET", "/v1/actions", [&context](const RouteRequest&) {
    const auto catalog = context.catalog.current();
    nlohmann::json items = nlohmann::json::array();
    const auto caps = sandboxCaps(context);
    for (const auto& pack : catalog->packs()) {
      for (const auto& action : pack.actions) {
        items.push_back(actionJson(context, *catalog, action, caps));
      }
    }
    return jsonResponse(200, {{"items", items}});
  });

  router.add("GET", "/v1/actions/{ref}", [&context](const RouteRequest& request) {
    const auto catalog = context.catalog.current();
    const auto& ref = request.path.at("ref");
    const auto* action = catalog->findAction(ref);
    if (action == nullptr) {
      return errorResponse(404, "unknown_action", "no action '" + ref + "' on this host");
    }
    return jsonResponse(200, actionJson(context, *catalog, *action, sandboxCaps(context)));
  });
}

}  // namespace rivet::core
