#include "rivet/client/response.hpp"

#include <algorithm>
#include <cctype>

namespace rivet::client {

std::string_view Response::header(std::string_view name) const {
  const auto same_name = [name](const auto& header) {
    return std::ranges::equal(header.first, name, [](unsigned char a, unsigned char b) {
      return std::tolower(a) == std::tolower(b);
    });
  };
  const auto found = std::ranges::find_if(headers, same_name);
  return found == headers.end() ? std::string_view() : std::string_view(found->second);
}

}  // namespace rivet::client
