#include "api/router.hpp"

#include <Poco/Exception.h>
#include <Poco/StringTokenizer.h>
#include <Poco/URI.h>

#include "api/http_json.hpp"

namespace rivet::core {
namespace {

std::vector<std::string> splitPath(const std::string& path) {
  Poco::StringTokenizer parts(path, "/", Poco::StringTokenizer::TOK_IGNORE_EMPTY);
  return {parts.begin(), parts.end()};
}

bool isCapture(const std::string& segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

}  // namespace

void Router::add(std::string method, const std::string& pattern, RouteHandler handler) {
  routes_.push_back({std::move(method), splitPath(pattern), std::move(handler)});
}

sdk::HttpResponse Router::dispatch(const sdk::HttpRequest& request) const {
  std::vector<std::string> segments;
  std::map<std::string, std::string> query;
  try {
    Poco::URI uri(request.target);
    segments = splitPath(uri.getPath());
    for (auto& [name, value] : uri.getQueryParameters()) query[name] = value;
  } catch (const Poco::Exception& e) {
    return errorResponse(400, "bad_request", "unparsable request target: " + e.displayText());
  }

  std::string allowed;
  for (const auto& route : routes_) {
    if (route.segments.size() != segments.size()) continue;
    std::map<std::string, std::string> captures;
    bool matches = true;
    for (std::size_t i = 0; matches && i < segments.size(); ++i) {
      if (isCapture(route.segments[i])) {
        captures[route.segments[i].substr(1, route.segments[i].size() - 2)] = segments[i];
      } else {
        matches = route.segments[i] == segments[i];
      }
    }
    if (!matches) continue;
    if (route.method == request.method) {
      return route.handler(RouteRequest{request, std::move(captures), std::move(query)});
    }
    allowed += (allowed.empty() ? "" : ", ") + route.method;
  }
  if (!allowed.empty()) {
    auto response = errorResponse(405, "method_not_allowed",
                                  request.method + " is not allowed here; allowed: " + allowed);
    response.headers.emplace_back("Allow", allowed);
    return response;
  }
  return errorResponse(404, "not_found", "no route for " + request.method + " " + request.target);
}

}  // namespace rivet::core
