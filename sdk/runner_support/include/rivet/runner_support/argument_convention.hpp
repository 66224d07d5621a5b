// StackStorm's calling convention for script runners: how an action's typed parameters become
// the command-line arguments of its script (or of a local-shell-cmd's "$@").
//
// Pure functions over the action's parameter specs and the validated request values, kept apart
// from the plugin so they are tested without loading it. Every value becomes exactly one argv
// entry, byte for byte: nothing here is ever parsed by a shell.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "rivet/sdk/status.hpp"
#include "rivet/sdk/types.hpp"

namespace rivet::runner_support {

// The prefix of named arguments unless the pack overrides StackStorm's `kwarg_op`.
inline constexpr std::string_view kDefaultNamedPrefix = "--";

// The arguments for `parameters`, in this order:
//  1. parameters without a position, in declaration order, as `<prefix>name=value`; true as a
//     bare `<prefix>name`; false, null, absent and values whose text is empty are left out;
//  2. parameters with a position, sorted by position (ties keep declaration order), one entry
//     each; gaps between positions are not filled, as in StackStorm, so `$1` is the lowest
//     position whatever its number. Absent or null values give "".
// Values present in `parameters` but not declared in `specs` are ignored.
std::vector<std::string> parameterArguments(const std::vector<sdk::ParameterSpec>& specs,
                                            const nlohmann::json& parameters,
                                            std::string_view named_prefix = kDefaultNamedPrefix);

// One value as argument text: strings verbatim, integers without a decimal point (also an
// integral number given to an `integer` parameter), other numbers in shortest round-trip form,
// booleans `1`/`0`, arrays comma-joined (elements as text; booleans inside as true/false),
// objects as compact JSON, null as "".
std::string argumentText(sdk::ParameterType type, const nlohmann::json& value);

// Refuses negative and duplicate positions: StackStorm silently drops all but one parameter
// sharing a position, which would hide a value from the script.
sdk::Status checkPositions(const std::vector<sdk::ParameterSpec>& specs);

}  // namespace rivet::runner_support
