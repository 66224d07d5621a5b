// Builds the sdk::ParameterSpec values that runner and argument tests declare by the dozen.
#pragma once

#include <optional>
#include <string>
#include <utility>

#include "rivet/sdk/types.hpp"

namespace rivet::test {

// A parameter of `type`, positional when `position` is set, named (--name=value) otherwise.
inline sdk::ParameterSpec param(std::string name, sdk::ParameterType type,
                                std::optional<int> position = std::nullopt) {
  sdk::ParameterSpec spec;
  spec.name = std::move(name);
  spec.type = type;
  spec.position = position;
  return spec;
}

}  // namespace rivet::test
