// REST API v1 (docs/rest-api.md): the host's RequestHandler, shared by every transport.
// Routes are registered one file per resource: health, catalog (packs and actions),
// executions.
#pragma once

#include <cstdint>
#include <string>

#include "api/background_responder.hpp"
#include "api/router.hpp"
#include "config/pack_delivery_config.hpp"
#include "executor/executor.hpp"
#include "metrics/execution_metrics.hpp"
#include "packs/live_catalog.hpp"
#include "plugin_host/plugin_set.hpp"
#include "preparation/pack_preparation.hpp"
#include "sync/pack_sync.hpp"
#include "rivet/sdk/transport.hpp"

namespace rivet::core {

struct ApiContext {
  const LiveCatalog& catalog;          // a route takes current() once and works on that
  const PackPreparation& preparation;
  const PluginSet& plugins;
  Executor& executor;
  ExecutionMetrics* metrics;           // null: GET /v1/metrics answers 404
  std::int64_t started_at_ms;
  int max_timeout_seconds;             // the most a request's `timeout` may ask for
  const PackSync* pack_sync = nullptr; // null: packs come from the packs directory only
  const DevPacksConfig* dev_packs = nullptr;  // null: dev mode off
  BackgroundResponder* background = nullptr;  // set by RestApi: its own
};

void addHealthRoutes(Router& router, const ApiContext& context);
void addCatalogRoutes(Router& router, const ApiContext& context);
void addExecutionRoutes(Router& router, const ApiContext& context);
void addMetricsRoutes(Router& router, const ApiContext& context);

class RestApi final : public sdk::RequestHandler {
 public:
  explicit RestApi(ApiContext context);
  RestApi(const RestApi&) = delete;
  RestApi& operator=(const RestApi&) = delete;

  sdk::HttpResponse handle(const sdk::HttpRequest& request) noexcept override;
  sdk::HttpResponse reject(int http_status, std::string_view code,
                           std::string_view message) noexcept override;

 private:
  ApiContext context_;
  BackgroundResponder background_;  // stopped before the context's parts go
  Router router_;
};

}  // namespace rivet::core
