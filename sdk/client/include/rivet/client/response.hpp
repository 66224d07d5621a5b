// An HTTP response as the client library hands it out, free of any HTTP library's types.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace rivet::client {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct Response {
  int status = 0;
  Headers headers;
  std::string body;

  // The first header of that name (case-insensitive), or "" when there is none.
  std::string_view header(std::string_view name) const;
};

}  // namespace rivet::client
