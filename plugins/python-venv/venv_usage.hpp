// Which virtualenvs running processes use. Every plan sets VIRTUAL_ENV=<venv> in the action's
// environment and children inherit it, so a virtualenv is in use exactly when some process's
// /proc/<pid>/environ holds that assignment (the initial environment: what it was started
// with, which is what matters here).
#pragma once

#include <set>
#include <string>

namespace rivet::plugins::python_venv {

// The VIRTUAL_ENV values of every process whose environment can be read.
std::set<std::string> virtualEnvsInUse();

}  // namespace rivet::plugins::python_venv
