"""Runs one StackStorm python-script action inside its pack's virtualenv.

Rivet's python-venv runner starts it as
    <venv>/bin/python <venv>/rivet/rivet_python_action.py <entry_point_path>
with one JSON object on stdin:
    {"parameters": {...}, "config": {...}, "argv": [...], "pack_path": "..."}
Parameters never travel through argv or a shell. The entry point is either
  - an action module defining one subclass of st2common.runners.base_action.Action: the class
    is constructed with the pack config and run(**parameters) is called. A returned value is
    the result (exit 0); a (bool, result) tuple sets the status (exit 0 if True, else 1); an
    exception prints its traceback on stderr and gives {"error", "traceback"} (exit 1);
  - or a plain script: run as __main__ with sys.argv = [path] + argv (StackStorm's argument
    convention, built by Rivet); its exit status is the execution's.
The result goes, as JSON, to the file named by $RIVET_RESULT_FILE when that is set.
"""

import ast
import importlib.util
import json
import os
import runpy
import sys
import traceback

RESULT_FILE_VARIABLE = "RIVET_RESULT_FILE"


def write_result(result):
    """Writes the result as JSON where rivetd reads it; returns False if it cannot be encoded."""
    path = os.environ.get(RESULT_FILE_VARIABLE)
    try:
        text = json.dumps(result, default=str)
    except (TypeError, ValueError) as error:
        sys.stderr.write("rivet: the result is not JSON-serialisable: %s\n" % error)
        text = json.dumps({"error": "the result is not JSON-serialisable: %s" % error})
        ok = False
    else:
        ok = True
    if path:
        with open(path, "w", encoding="utf-8") as out:
            out.write(text)
    return ok


def fail(error):
    """Reports an exception the way StackStorm does: traceback on stderr and in the result."""
    text = "".join(traceback.format_exception(type(error), error, error.__traceback__))
    sys.stderr.write(text)
    write_result({"error": str(error), "traceback": text})
    return 1


def read_request():
    request = json.load(sys.stdin)
    if not isinstance(request, dict):
        raise ValueError("stdin must hold one JSON object")
    parameters = request.get("parameters") or {}
    config = request.get("config") or {}
    argv = request.get("argv") or []
    if not isinstance(parameters, dict) or not isinstance(config, dict):
        raise ValueError("`parameters` and `config` must be JSON objects")
    if not isinstance(argv, list) or not all(isinstance(a, str) for a in argv):
        raise ValueError("`argv` must be a list of strings")
    return parameters, config, argv, request.get("pack_path") or os.getcwd()


def set_import_path(entry_point, pack_path):
    """The entry point's directory, then <pack>/actions/lib, before everything else."""
    wrapper_dir = os.path.dirname(os.path.abspath(__file__))
    sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != wrapper_dir]
    lib_dir = os.path.join(pack_path, "actions", "lib")
    sys.path[0:0] = [os.path.dirname(entry_point), lib_dir]


def defines_classes(entry_point):
    """Whether the module defines any class: a plain script without one is never imported."""
    with open(entry_point, "rb") as source:
        tree = ast.parse(source.read(), filename=entry_point)
    return any(isinstance(node, ast.ClassDef) for node in tree.body)


def load_module(entry_point):
    name = os.path.splitext(os.path.basename(entry_point))[0]
    spec = importlib.util.spec_from_file_location(name, entry_point)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def action_class(module):
    """The one Action subclass the module defines (a base class of another one does not count)."""
    from st2common.runners.base_action import Action

    candidates = [
        value
        for value in vars(module).values()
        if isinstance(value, type)
        and issubclass(value, Action)
        and value is not Action
        and value.__module__ == module.__name__
    ]
    leaves = [c for c in candidates if not any(o is not c and issubclass(o, c) for o in candidates)]
    if len(leaves) > 1:
        names = ", ".join(sorted(c.__name__ for c in leaves))
        raise TypeError("%s defines several Action classes (%s); expected one" % (module.__file__, names))
    return leaves[0] if leaves else None


def run_action(cls, parameters, config):
    result = cls(config=config).run(**parameters)
    status = True
    if isinstance(result, tuple) and len(result) == 2 and isinstance(result[0], bool):
        status, result = result
    if not write_result(result):
        return 1
    return 0 if status else 1


def main():
    if len(sys.argv) != 2:
        sys.stderr.write("usage: rivet_python_action.py <entry_point.py> < request.json\n")
        return 2
    entry_point = os.path.abspath(sys.argv[1])
    try:
        parameters, config, argv, pack_path = read_request()
    except (ValueError, OSError) as error:
        return fail(error)
    set_import_path(entry_point, pack_path)
    sys.argv = [entry_point] + argv

    try:
        cls = action_class(load_module(entry_point)) if defines_classes(entry_point) else None
        if cls is not None:
            return run_action(cls, parameters, config)
    except Exception as error:  # pylint: disable=broad-except
        return fail(error)
    runpy.run_path(entry_point, run_name="__main__")
    return 0


if __name__ == "__main__":
    sys.exit(main())
