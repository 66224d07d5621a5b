// Maps "METHOD /path/{param}" to handlers. A path that exists under another method answers
// 405 with an Allow header; anything else 404. Path and query are percent-decoded here, so
// handlers only ever see decoded values.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "rivet/sdk/transport.hpp"

namespace rivet::core {

struct RouteRequest {
  const sdk::HttpRequest& http;
  std::map<std::string, std::string> path;   // {param} values
  std::map<std::string, std::string> query;  // last value wins
};

using RouteHandler = std::function<sdk::HttpResponse(const RouteRequest&)>;

class Router {
 public:
  void add(std::string method, const std::string& pattern, RouteHandler handler);
  sdk::HttpResponse dispatch(const sdk::HttpRequest& request) const;

 private:
  struct Route {
    std::string method;
    std::vector<std::string> segments;  // "{name}" captures one segment
    RouteHandler handler;
  };
  std::vector<Route> routes_;
};

}  // namespace rivet::core
