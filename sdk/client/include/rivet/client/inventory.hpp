// The instances a fleet run may reach, read on demand from a file or a command (docs/fleet.md,
// "Inventory"), and their selection by attributes. Rivet stores no inventory.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "rivet/client/endpoint.hpp"
#include "rivet/sdk/status.hpp"

namespace rivet::client {

struct Instance {
  std::string id;       // unique in its inventory; default "<address>:<port>"
  Endpoint endpoint;
  // Every other key of the entry; a scalar is a one-element list, numbers and booleans as text.
  std::map<std::string, std::vector<std::string>> attributes;

  // The first value of an attribute, "" when it has none.
  std::string attribute(const std::string& key) const;
};

// A JSON or YAML list of instances, or {"instances": [...]}. invalid_argument names the entry
// (by position) and what is wrong with it.
sdk::StatusOr<std::vector<Instance>> parseInventory(std::string_view text);
sdk::StatusOr<std::vector<Instance>> loadInventoryFile(const std::string& path);
// Runs `command` with /bin/sh -c (it is the operator's own command line, like a git hook) and
// parses its stdout; a non-zero exit is an error carrying its stderr.
sdk::StatusOr<std::vector<Instance>> loadInventoryCommand(const std::string& command);

// The instances matching every "key=value" selector (a list attribute matches when it contains
// the value; `id` and `address` are selectable), in inventory order.
sdk::StatusOr<std::vector<Instance>> selectInstances(const std::vector<Instance>& instances,
                                                     const std::vector<std::string>& selectors);

}  // namespace rivet::client
