#include "api/rest_api.hpp"

#include <Poco/Logger.h>

#include <exception>

#include "api/http_json.hpp"

namespace rivet::core {

RestApi::RestApi(ApiContext context) : context_(context) {
  context_.background = &background_;
  addHealthRoutes(router_, context_);
  addCatalogRoutes(router_, context_);
  addExecutionRoutes(router_, context_);
  addMetricsRoutes(router_, context_);
}

sdk::HttpResponse RestApi::handle(const sdk::HttpRequest& request) noexcept {
  try {
    return router_.dispatch(request);
  } catch (const std::exception& e) {
    Poco::Logger::get("rivetd.api")
        .error(request.method + " " + request.target + " failed: " + e.what());
    return errorResponse(500, "internal", "internal error; see the rivetd log");
  }
}

sdk::HttpResponse RestApi::reject(int http_status, std::string_view code,
                                  std::string_view message) noexcept {
  try {
    return errorResponse(http_status, code, message);
  } catch (...) {
    sdk::HttpResponse response;
    response.status = 500;
    response.headers = {{"Content-Type", "application/json"}};
    response.body = R"({"error":{"code":"internal","message":"internal error"}})";
    return response;
  }
}

}  // namespace rivet::core
