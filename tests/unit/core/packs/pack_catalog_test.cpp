#include "packs/pack_catalog.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "rivet/test/temp_dir.hpp"

namespace rivet::core {
namespace {

using rivet::test::TempDir;
using ::testing::HasSubstr;

constexpr const char* kPackYaml = "name: demo\nversion: 0.1.0\nauthor: ops\n";

// A pack "demo" whose only action is the given metadata, so one test = one rule.
const ActionEntry& loadSingleAction(const TempDir& dir, PackCatalog& catalog,
                                    const std::string& action_yaml) {
  dir.write("demo/pack.yaml", kPackYaml);
  dir.write("demo/actions/act.yaml", action_yaml);
  catalog = PackCatalog::load(dir.str());
  EXPECT_EQ(catalog.packs().size(), 1u);
  EXPECT_TRUE(catalog.packs().at(0).available) << catalog.packs().at(0).error;
  EXPECT_EQ(catalog.packs().at(0).actions.size(), 1u);
  return catalog.packs().at(0).actions.at(0);
}

// The error an action with this parameters block gets ("" if it is available).
std::string parameterError(const std::string& parameters_yaml) {
  TempDir dir;
  PackCatalog catalog;
  const ActionEntry& action = loadSingleAction(
      dir, catalog, "name: act\nrunner_type: local-shell-script\nparameters:\n" + parameters_yaml);
  EXPECT_EQ(action.available, action.error.empty());
  return action.error;
}

TEST(PackCatalogTest, ReadsAValidPackWithThreeActions) {
  TempDir dir;
  dir.write("linux/pack.yaml", R"(
name: linux
description: Linux diagnostics
version: 0.2.0
author: ops
keywords: [disk, memory]
extra:
  count: 3
  ratio: 1.5
  flag: true
  legacy_flag: yes
  quoted: "true"
  nothing: ~
)");
  dir.write("linux/actions/disk_usage.yaml", R"(
name: disk_usage
runner_type: local-shell-script
description: du of a directory
entry_point: disk_usage.sh
tags: [{name: disk, value: x}, storage]
parameters:
  path: {type: string, required: true, position: 0, description: where}
  depth: {type: integer, default: 1, position: 1}
  human: {type: boolean, default: true}
  ratio: {type: number, default: 2}
  mode: {type: string, enum: [fast, slow], default: fast}
  token: {type: string, secret: true}
  paths: {type: array, default: [a, b]}
  options: {type: object, default: {k: v}}
  plain: {}
)");
  dir.write("linux/actions/disk_usage.sh", "#!/bin/sh\n");
  dir.write("linux/actions/uptime.yml",
            "name: uptime\nrunner_type: local-shell-script\nentry_point: bin/uptime.sh\n");
  dir.write("linux/actions/whoami.yaml", "name: whoami\nrunner_type: local-shell-cmd\n");

  PackCatalog catalog = PackCatalog::load(dir.str());
  ASSERT_EQ(catalog.packs().size(), 1u);
  const PackEntry& pack = catalog.packs()[0];
  ASSERT_TRUE(pack.available) << pack.error;
  EXPECT_EQ(pack.spec.ref, "linux");
  EXPECT_EQ(pack.spec.name, "linux");
  EXPECT_EQ(pack.spec.version, "0.2.0");
  EXPECT_EQ(pack.spec.author, "ops");
  EXPECT_EQ(pack.spec.description, "Linux diagnostics");
  EXPECT_EQ(pack.spec.path, (dir.path() / "linux").string());
  EXPECT_EQ(pack.spec.metadata["keywords"], nlohmann::json({"disk", "memory"}));
  const nlohmann::json& extra = pack.spec.metadata["extra"];
  EXPECT_TRUE(extra["count"].is_number_integer());
  EXPECT_EQ(extra["count"], 3);
  EXPECT_TRUE(extra["ratio"].is_number_float());
  EXPECT_EQ(extra["flag"], true);
  EXPECT_EQ(extra["legacy_flag"], true);
  EXPECT_EQ(extra["quoted"], "true");
  EXPECT_TRUE(extra["nothing"].is_null());

  ASSERT_EQ(pack.actions.size(), 3u);
  for (const ActionEntry& action : pack.actions) {
    EXPECT_TRUE(action.available) << action.error;
    EXPECT_EQ(action.spec.pack, "linux");
  }
  const sdk::ActionSpec& disk = pack.actions[0].spec;
  EXPECT_EQ(disk.ref(), "linux.disk_usage");
  EXPECT_EQ(disk.runner_type, "local-shell-script");
  EXPECT_EQ(disk.description, "du of a directory");
  EXPECT_TRUE(disk.enabled);
  EXPECT_EQ(disk.entry_point, "disk_usage.sh");
  EXPECT_EQ(disk.entry_point_path, (dir.path() / "linux/actions/disk_usage.sh").string());
  EXPECT_EQ(disk.tags, (std::vector<std::string>{"disk", "storage"}));
  EXPECT_FALSE(disk.timeout_seconds);
  EXPECT_EQ(disk.runner_parameters, nlohmann::json::object());

  std::vector<std::string> names;
  for (const auto& parameter : disk.parameters) names.push_back(parameter.name);
  EXPECT_EQ(names, (std::vector<std::string>{"path", "depth", "human", "ratio", "mode", "token",
                                             "paths", "options", "plain"}));
  const auto& path = disk.parameters[0];
  EXPECT_EQ(path.type, sdk::ParameterType::string);
  EXPECT_TRUE(path.required);
  EXPECT_EQ(path.position, 0);
  EXPECT_EQ(path.description, "where");
  EXPECT_FALSE(path.default_value);
  const auto& depth = disk.parameters[1];
  EXPECT_EQ(depth.type, sdk::ParameterType::integer);
  EXPECT_EQ(depth.default_value, nlohmann::json(1));
  EXPECT_EQ(depth.position, 1);
  EXPECT_EQ(disk.parameters[2].default_value, nlohmann::json(true));
  EXPECT_EQ(disk.parameters[3].type, sdk::ParameterType::number);
  EXPECT_EQ(disk.parameters[4].enum_values, (std::vector<nlohmann::json>{"fast", "slow"}));
  EXPECT_TRUE(disk.parameters[5].secret);
  EXPECT_EQ(disk.parameters[6].default_value, nlohmann::json({"a", "b"}));
  EXPECT_EQ(disk.parameters[7].default_value, nlohmann::json({{"k", "v"}}));
  EXPECT_EQ(disk.parameters[8].type, sdk::ParameterType::string);  // no type: string

  // A missing script is the runner's business, not the catalog's.
  EXPECT_EQ(pack.actions[1].spec.name, "uptime");
  EXPECT_EQ(pack.actions[1].spec.entry_point_path,
            (dir.path() / "linux/actions/bin/uptime.sh").string());
  EXPECT_EQ(pack.actions[2].spec.name, "whoami");
  EXPECT_EQ(pack.actions[2].spec.entry_point_path, "");
}

TEST(PackCatalogTest, InvalidPackYamlMakesThePackUnavailableUnderItsDirectoryName) {
  TempDir dir;
  dir.write("broken/pack.yaml", "name: broken\nkeywords: [a, b\n");
  dir.write("broken/actions/a.yaml", "name: a\nrunner_type: local-shell-cmd\n");
  PackCatalog catalog = PackCatalog::load(dir.str());
  ASSERT_EQ(catalog.packs().size(), 1u);
  const PackEntry& pack = catalog.packs()[0];
  EXPECT_FALSE(pack.available);
  EXPECT_EQ(pack.spec.ref, "broken");
  EXPECT_THAT(pack.error, HasSubstr((dir.path() / "broken/pack.yaml").string() + ":3: "));
  EXPECT_THAT(pack.error, HasSubstr("invalid YAML"));
  EXPECT_TRUE(pack.actions.empty());
  EXPECT_EQ(catalog.findPack("broken"), &pack);
  EXPECT_EQ(catalog.findAction("broken.a"), nullptr);
}

TEST(PackCatalogTest, PackWithoutPackYamlIsUnavailable) {
  TempDir dir;
  dir.write("nometa/actions/a.yaml", "name: a\nrunner_type: local-shell-cmd\n");
  PackCatalog catalog = PackCatalog::load(dir.str());
  ASSERT_EQ(catalog.packs().size(), 1u);
  EXPECT_FALSE(catalog.packs()[0].available);
  EXPECT_EQ(catalog.packs()[0].spec.ref, "nometa");
  EXPECT_THAT(catalog.packs()[0].error, HasSubstr("nometa/pack.yaml: missing"));
}

TEST(PackCatalogTest, PackYamlThatIsNotAMapOrHasNoNameIsRefused) {
  TempDir dir;
  dir.write("a_list/pack.yaml", "- name: x\n");
  dir.write("b_empty/pack.yaml", "");
  dir.write("c_noname/pack.yaml", "version: 1.0\n");
  PackCatalog catalog = PackCatalog::load(dir.str());
  ASSERT_EQ(catalog.packs().size(), 3u);
  EXPECT_THAT(catalog.packs()[0].error, HasSubstr("must be a map"));
  EXPECT_THAT(catalog.packs()[1].error, HasSubstr("must be a map"));
  EXPECT_THAT(catalog.packs()[2].error, HasSubstr("name is required"));
}

TEST(PackCatalogTest, PackNameThatIsNotARefNeedsAnExplicitRef) {
  TempDir dir;
  dir.write("a/pack.yaml", "name: My Pack\n");
  dir.write("b/pack.yaml", "name: My Pack\nref: my_pack\nversion: 1.10\n");
  dir.write("c/pack.yaml", "name: c\nref: Not-Valid\n");
  PackCatalog catalog = PackCatalog::load(dir.str());
  ASSERT_EQ(catalog.packs().size(), 3u);
  EXPECT_FALSE(catalog.packs()[0].available);
  EXPECT_EQ(catalog.packs()[0].spec.ref, "a");
  EXPECT_THAT(catalog.packs()[0].error,
              HasSubstr("pack.yaml:1: pack name 'My Pack' is not a valid ref; add ref: my_pack"));
  EXPECT_TRUE(catalog.packs()[1].available) << catalog.packs()[1].error;
  EXPECT_EQ(catalog.packs()[1].spec.ref, "my_pack");
  EXPECT_EQ(catalog.packs()[1].spec.name, "My Pack");
  EXPECT_EQ(catalog.packs()[1].spec.version, "1.10");  // as written, not the float 1.1
  EXPECT_FALSE(catalog.packs()[2].available);
  EXPECT_THAT(catalog.packs()[2].error, HasSubstr("ref 'Not-Valid' is not valid"));
}

TEST(PackCatalogTest, LaterPackWithTheSameRefIsUnavailable) {
  TempDir dir;
  dir.write("a_first/pack.yaml", "name: first\nref: shared\n");
  dir.write("a_first/actions/x.yaml", "name: x\nrunner_type: local-shell-cmd\n");
  dir.write("b_second/pack.yaml", "name: shared\n");
  dir.write("b_second/actions/y.yaml", "name: y\nrunner_type: local-shell-cmd\n");
  PackCatalog catalog = PackCatalog::load(dir.str());
  ASSERT_EQ(catalog.packs().size(), 2u);
  EXPECT_TRUE(catalog.packs()[0].available);
  const PackEntry& second = catalog.packs()[1];
  EXPECT_FALSE(second.available);
  EXPECT_THAT(second.error, HasSubstr("pack ref 'shared' is already used by " +
                                      (dir.path() / "a_first").string()));
  EXPECT_TRUE(second.actions.empty());
  EXPECT_EQ(catalog.findPack("shared"), &catalog.packs()[0]);
  EXPECT_NE(catalog.findAction("shared.x"), nullptr);
  EXPECT_EQ(catalog.findAction("shared.y"), nullptr);
}

TEST(PackCatalogTest, HiddenDirectoriesFilesAndAMissingPacksDirAreIgnored) {
  TempDir dir;
  dir.write(".git/pack.yaml", "name: git\n");
  dir.write("README.md", "packs\n");
  EXPECT_TRUE(PackCatalog::load(dir.str()).packs().empty());
  EXPECT_TRUE(PackCatalog::load((dir.path() / "does-not-exist").string()).packs().empty());
}

TEST(PackCatalogTest, InvalidActionFileLeavesTheOtherActionsAvailable) {
  TempDir dir;
  dir.write("demo/pack.yaml", kPackYaml);
  dir.write("demo/actions/a_good.yaml", "name: a_good\nrunner_type: local-shell-cmd\n");
  dir.write("demo/actions/b_bad.yaml", "name: b_bad\nrunner_type: local-shell-cmd\n  oops: [\n");
  dir.write("demo/actions/c_good.yaml", "name: c_good\nrunner_type: local-shell-cmd\n");
  dir.write("demo/actions/notes.txt", "not metadata");
  PackCatalog catalog = PackCatalog::load(dir.str());
  const PackEntry& pack = catalog.packs().at(0);
  ASSERT_TRUE(pack.available) << pack.error;
  ASSERT_EQ(pack.actions.size(), 3u);
  EXPECT_TRUE(pack.actions[0].available);
  EXPECT_FALSE(pack.actions[1].available);
  EXPECT_EQ(pack.actions[1].spec.name, "b_bad");  // listed under its file's name
  EXPECT_THAT(pack.actions[1].error,
              HasSubstr((dir.path() / "demo/actions/b_bad.yaml").string() + ":"));
  EXPECT_THAT(pack.actions[1].error, HasSubstr("invalid YAML"));
  EXPECT_TRUE(pack.actions[2].available);
  ASSERT_NE(catalog.findAction("demo.b_bad"), nullptr);
  EXPECT_FALSE(catalog.findAction("demo.b_bad")->available);
}

TEST(PackCatalogTest, ActionNeedsNameAndRunnerType) {
  {
    TempDir dir;
    PackCatalog catalog;
    const ActionEntry& action = loadSingleAction(dir, catalog, "runner_type: local-shell-cmd\n");
    EXPECT_FALSE(action.available);
    EXPECT_EQ(action.spec.name, "act");
    EXPECT_THAT(action.error, HasSubstr("act.yaml: name is required"));
  }
  {
    TempDir dir;
    PackCatalog catalog;
    const ActionEntry& action = loadSingleAction(dir, catalog, "name: runme\n");
    EXPECT_FALSE(action.available);
    EXPECT_EQ(action.spec.name, "runme");  // declared name kept for the listing
    EXPECT_THAT(action.error, HasSubstr("runner_type is required"));
  }
  {
    TempDir dir;
    PackCatalog catalog;
    const ActionEntry& action = loadSingleAction(dir, catalog, "just a string\n");
    EXPECT_FALSE(action.available);
    EXPECT_THAT(action.error, HasSubstr("must be a map"));
  }
}

TEST(PackCatalogTest, BadActionNamesAreRefused) {
  for (const std::string name : {"a.b", "-dash", "has space", "'../x'", "[a]"}) {
    TempDir dir;
    PackCatalog catalog;
    const ActionEntry& action =
        loadSingleAction(dir, catalog, "name: " + name + "\nrunner_type: local-shell-cmd\n");
    EXPECT_FALSE(action.available) << name;
    EXPECT_EQ(action.spec.name, "act") << name;
  }
  TempDir dir;
  PackCatalog catalog;
  EXPECT_TRUE(loadSingleAction(dir, catalog, "name: Check-disk_2\nrunner_type: local-shell-cmd\n")
                  .available);
}

TEST(PackCatalogTest, BadParameterNamesAreRefused) {
  EXPECT_THAT(parameterError("  my-param: {type: string}\n"),
              HasSubstr("parameter name 'my-param' is not valid"));
  EXPECT_THAT(parameterError("  a.b: {type: string}\n"), HasSubstr("is not valid"));
  EXPECT_THAT(parameterError("  ok: string\n"), HasSubstr("parameter 'ok' must be a map"));
  EXPECT_THAT(parameterError("  ok: {type: string}\n  ok: {type: integer}\n"),
              HasSubstr("act.yaml:5: duplicate key 'ok'"));
}

TEST(PackCatalogTest, LaterActionWithTheSameNameIsUnavailable) {
  TempDir dir;
  dir.write("demo/pack.yaml", kPackYaml);
  dir.write("demo/actions/a.yaml", "name: same\nrunner_type: local-shell-cmd\n");
  dir.write("demo/actions/b.yaml", "name: same\nrunner_type: local-shell-script\n");
  PackCatalog catalog = PackCatalog::load(dir.str());
  const PackEntry& pack = catalog.packs().at(0);
  ASSERT_EQ(pack.actions.size(), 2u);
  EXPECT_TRUE(pack.actions[0].available);
  EXPECT_FALSE(pack.actions[1].available);
  EXPECT_THAT(pack.actions[1].error, HasSubstr("action name 'same' is already declared by " +
                                               (dir.path() / "demo/actions/a.yaml").string()));
  EXPECT_EQ(catalog.findAction("demo.same"), &pack.actions[0]);
}

TEST(PackCatalogTest, EntryPointsOutsideThePackAreRefused) {
  TempDir dir;
  dir.write("demo/pack.yaml", kPackYaml);
  auto action = [&](const std::string& name, const std::string& entry_point) {
    dir.write("demo/actions/" + name + ".yaml", "name: " + name +
                                                    "\nrunner_type: local-shell-script\n"
                                                    "entry_point: '" +
                                                    entry_point + "'\n");
  };
  action("a_dotdot", "../../etc/passwd");
  action("b_absolute", "/etc/passwd");
  action("c_symlink", "outside.sh");
  action("d_symlinked_dir", "etc_link/passwd");
  action("e_sneaky", "missing/../../../etc/passwd");
  action("f_inside", "../scripts/run.sh");
  action("g_internal_link", "inside_link.sh");
  std::filesystem::create_symlink("/etc/passwd", dir.path() / "demo/actions/outside.sh");
  std::filesystem::create_symlink("/etc", dir.path() / "demo/actions/etc_link");
  dir.write("demo/scripts/run.sh", "#!/bin/sh\n");
  std::filesystem::create_symlink("../scripts/run.sh", dir.path() / "demo/actions/inside_link.sh");

  PackCatalog catalog = PackCatalog::load(dir.str());
  const auto& actions = catalog.packs().at(0).actions;
  ASSERT_EQ(actions.size(), 7u);
  EXPECT_THAT(actions[0].error, HasSubstr("entry point '../../etc/passwd' escapes the pack"));
  EXPECT_THAT(actions[1].error,
              HasSubstr("entry point '/etc/passwd' must be relative to the pack's actions/"));
  EXPECT_THAT(actions[2].error, HasSubstr("entry point 'outside.sh' escapes the pack"));
  EXPECT_THAT(actions[3].error, HasSubstr("escapes the pack"));
  EXPECT_THAT(actions[4].error, HasSubstr("escapes the pack"));
  for (int i = 0; i < 5; ++i) EXPECT_FALSE(actions[i].available) << actions[i].spec.name;
  const std::string run_sh = (dir.path() / "demo/scripts/run.sh").string();
  EXPECT_TRUE(actions[5].available) << actions[5].error;
  EXPECT_EQ(actions[5].spec.entry_point_path, run_sh);
  EXPECT_TRUE(actions[6].available) << actions[6].error;
  EXPECT_EQ(actions[6].spec.entry_point_path, run_sh);  // symlink resolved
}

TEST(PackCatalogTest, DefaultMustFitTheType) {
  EXPECT_EQ(parameterError("  n: {type: integer, default: 3}\n"), "");
  EXPECT_EQ(parameterError("  n: {type: number, default: 3}\n"), "");
  EXPECT_EQ(parameterError("  n: {type: number, default: 3.5}\n"), "");
  EXPECT_EQ(parameterError("  n: {type: string, default: null}\n"), "");  // no default
  EXPECT_THAT(parameterError("  n: {type: integer, default: abc}\n"),
              HasSubstr("act.yaml:4: parameter 'n': default \"abc\" does not fit its type: "
                        "expected integer, got string"));
  EXPECT_THAT(parameterError("  n: {type: integer, default: 3.0}\n"),
              HasSubstr("expected integer, got number"));
  EXPECT_THAT(parameterError("  n: {type: integer, default: '3'}\n"),
              HasSubstr("expected integer, got string"));
  EXPECT_THAT(parameterError("  b: {type: boolean, default: 'true'}\n"),
              HasSubstr("expected boolean, got string"));
  EXPECT_THAT(parameterError("  s: {type: string, default: 5}\n"),
              HasSubstr("expected string, got integer"));
  EXPECT_THAT(parameterError("  a: {type: array, default: x}\n"),
              HasSubstr("expected array, got string"));
  EXPECT_THAT(parameterError("  o: {type: object, default: [x]}\n"),
              HasSubstr("expected object, got array"));
  EXPECT_THAT(parameterError("  t: {type: float}\n"),
              HasSubstr("type 'float' is not one of string, integer"));
  EXPECT_THAT(parameterError("  r: {type: string, required: maybe}\n"),
              HasSubstr("required must be true or false"));
}

TEST(PackCatalogTest, EnumValuesMustFitTheTypeAndHoldTheDefault) {
  EXPECT_EQ(parameterError("  n: {type: integer, enum: [1, 2], default: 2}\n"), "");
  EXPECT_THAT(parameterError("  n: {type: integer, enum: [1, two]}\n"),
              HasSubstr("parameter 'n': enum value \"two\" does not fit its type: "
                        "expected integer, got string"));
  EXPECT_THAT(parameterError("  s: {type: string, enum: []}\n"),
              HasSubstr("enum must be a non-empty list"));
  EXPECT_THAT(parameterError("  s: {type: string, enum: a}\n"),
              HasSubstr("enum must be a non-empty list"));
  EXPECT_THAT(parameterError("  s: {type: string, enum: [a, b], default: c}\n"),
              HasSubstr("default \"c\" must be one of: a, b"));
}

TEST(PackCatalogTest, PositionsAreNonNegativeAndUnique) {
  EXPECT_EQ(parameterError("  a: {position: 0}\n  b: {position: 1}\n"), "");
  EXPECT_THAT(parameterError("  a: {position: 1}\n  b: {position: 1}\n"),
              HasSubstr("parameter 'b': position 1 is already taken"));
  EXPECT_THAT(parameterError("  a: {position: -1}\n"),
              HasSubstr("position must be an integer of at least 0"));
  EXPECT_THAT(parameterError("  a: {position: first}\n"), HasSubstr("position must be an integer"));
}

TEST(PackCatalogTest, UnsupportedSchemaKeysAndImmutableWithoutDefaultAreRefused) {
  EXPECT_THAT(parameterError("  a: {type: string, pattern: '^[a-z]+$'}\n"),
              HasSubstr("parameter 'a': 'pattern' is not supported"));
  EXPECT_THAT(parameterError("  a: {type: string, immutable: true}\n"),
              HasSubstr("immutable, so it needs a default"));
  EXPECT_EQ(parameterError("  a: {type: string, immutable: true, default: x}\n"), "");
}

TEST(PackCatalogTest, RunnerParametersAreSplitOffTheActionParameters) {
  TempDir dir;
  PackCatalog catalog;
  const ActionEntry& action = loadSingleAction(dir, catalog, R"(
name: act
runner_type: local-shell-cmd
parameters:
  cmd: {default: "df -h"}
  cwd: {type: string, default: /tmp}
  env: {default: {LANG: C}}
  sudo: {default: false, immutable: true}
  timeout: {type: integer, default: 30}
  kwarg_op: {}
  path: {type: string}
)");
  ASSERT_TRUE(action.available) << action.error;
  ASSERT_EQ(action.spec.parameters.size(), 1u);
  EXPECT_EQ(action.spec.parameters[0].name, "path");
  EXPECT_EQ(action.spec.timeout_seconds, 30);
  EXPECT_EQ(action.spec.runner_parameters,
            nlohmann::json(
                {{"cmd", "df -h"}, {"cwd", "/tmp"}, {"env", {{"LANG", "C"}}}, {"sudo", false}}));
}

TEST(PackCatalogTest, RunnerParameterDefaultsMustFitTheirType) {
  EXPECT_THAT(parameterError("  timeout: {default: 0}\n"),
              HasSubstr("parameter 'timeout': default must be an integer of at least 1"));
  EXPECT_THAT(parameterError("  timeout: {default: '30'}\n"),
              HasSubstr("default must be an integer"));
  EXPECT_THAT(parameterError("  timeout: {type: string, default: '30'}\n"),
              HasSubstr("a runner parameter of type integer, not string"));
  EXPECT_THAT(parameterError("  cmd: {default: [rm]}\n"), HasSubstr("expected string, got array"));
  EXPECT_THAT(parameterError("  env: {default: X=1}\n"), HasSubstr("expected object, got string"));
}

TEST(PackCatalogTest, TopLevelTimeoutIsAccepted) {
  {
    TempDir dir;
    PackCatalog catalog;
    const ActionEntry& action =
        loadSingleAction(dir, catalog, "name: act\nrunner_type: x\ntimeout: 90\n");
    ASSERT_TRUE(action.available) << action.error;
    EXPECT_EQ(action.spec.timeout_seconds, 90);
  }
  {
    TempDir dir;
    PackCatalog catalog;
    const ActionEntry& action = loadSingleAction(
        dir, catalog,
        "name: act\nrunner_type: x\ntimeout: 90\nparameters:\n  timeout: {default: 5}\n");
    EXPECT_THAT(action.error, HasSubstr("timeout is given twice"));
  }
  {
    TempDir dir;
    PackCatalog catalog;
    const ActionEntry& action =
        loadSingleAction(dir, catalog, "name: act\nrunner_type: x\ntimeout: -5\n");
    EXPECT_THAT(action.error, HasSubstr("act.yaml:3: timeout must be an integer of at least 1"));
  }
}

TEST(PackCatalogTest, DisabledActionIsListedAndAvailable) {
  TempDir dir;
  PackCatalog catalog;
  const ActionEntry& action =
      loadSingleAction(dir, catalog, "name: act\nrunner_type: x\nenabled: false\n");
  EXPECT_TRUE(action.available) << action.error;
  EXPECT_FALSE(action.spec.enabled);
  EXPECT_EQ(catalog.findAction("demo.act"), &action);
}

TEST(PackCatalogTest, DuplicateYamlKeysAreRefused) {
  EXPECT_THAT(parameterError("  a: {type: string, default: x, default: y}\n"),
              HasSubstr("duplicate key 'default'"));
}

TEST(PackCatalogTest, FindActionTakesExactlyPackDotAction) {
  TempDir dir;
  PackCatalog catalog;
  const ActionEntry& action = loadSingleAction(dir, catalog, "name: act\nrunner_type: x\n");
  EXPECT_EQ(catalog.findAction("demo.act"), &action);
  EXPECT_EQ(catalog.findPack("demo"), &catalog.packs()[0]);
  for (const char* ref : {"nope", "a.b.c", "demo.act.x", "../x", "", ".", "demo.", ".act",
                          "demo.nope", "nope.act", "demo/act", "Demo.act"}) {
    EXPECT_EQ(catalog.findAction(ref), nullptr) << ref;
  }
  EXPECT_EQ(catalog.findPack("nope"), nullptr);
  EXPECT_EQ(catalog.findPack(""), nullptr);
}

TEST(PackCatalogTest, WithPackReplacesADeliveredPackButNeverALocalOne) {
  TempDir dir;
  dir.write("packs/local/pack.yaml", "name: local\nversion: 1.0.0\n");
  dir.write("delivered-v1/pack.yaml", "name: delivered\nversion: 1.0.0\n");
  dir.write("delivered-v2/pack.yaml", "name: delivered\nversion: 2.0.0\n");
  dir.write("impostor/pack.yaml", "name: local\nversion: 9.0.0\n");
  const auto catalog = PackCatalog::load((dir.path() / "packs").string());

  auto v1 = PackCatalog::loadPack((dir.path() / "delivered-v1").string());
  v1.delivered = DeliveredFrom{"test", "sha256:1", 1};
  auto with_v1 = catalog.withPack(v1);
  ASSERT_TRUE(with_v1.ok()) << with_v1.status().message();
  ASSERT_EQ(with_v1->packs().size(), 2u);
  EXPECT_EQ(with_v1->findPack("delivered")->spec.version, "1.0.0");
  EXPECT_EQ(catalog.packs().size(), 1u) << "withPack must leave the original as it was";

  auto v2 = PackCatalog::loadPack((dir.path() / "delivered-v2").string());
  v2.delivered = DeliveredFrom{"test", "sha256:2", 2};
  auto with_v2 = with_v1->withPack(v2);
  ASSERT_TRUE(with_v2.ok()) << with_v2.status().message();
  ASSERT_EQ(with_v2->packs().size(), 2u);
  EXPECT_EQ(with_v2->findPack("delivered")->spec.version, "2.0.0");
  EXPECT_EQ(with_v1->findPack("delivered")->spec.version, "1.0.0");

  auto impostor = PackCatalog::loadPack((dir.path() / "impostor").string());
  impostor.delivered = DeliveredFrom{"test", "sha256:3", 3};
  auto refused = with_v2->withPack(impostor);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), sdk::ErrorCode::conflict);
  EXPECT_THAT(refused.status().message(), HasSubstr("already used by"));

  const auto without = with_v2->withoutDeliveredPack("delivered");
  ASSERT_EQ(without.packs().size(), 1u);
  EXPECT_EQ(without.findPack("delivered"), nullptr);
  EXPECT_EQ(with_v2->findPack("delivered")->spec.version, "2.0.0") << "the original stays";
  EXPECT_EQ(without.withoutDeliveredPack("local").packs().size(), 1u) << "a local pack stays";
}

TEST(PackCatalogTest, LoadPackReadsOneDirectoryByTheSameRules) {
  TempDir dir;
  dir.write("one/pack.yaml", "name: one\nversion: 3.1.4\n");
  dir.write("one/actions/act.yaml", "name: act\nrunner_type: local-shell-script\n");
  dir.write("broken/pack.yaml", "version: 1\n");
  const auto one = PackCatalog::loadPack((dir.path() / "one").string());
  EXPECT_TRUE(one.available) << one.error;
  EXPECT_EQ(one.spec.ref, "one");
  EXPECT_EQ(one.spec.version, "3.1.4");
  ASSERT_EQ(one.actions.size(), 1u);
  EXPECT_FALSE(one.delivered.has_value());
  const auto broken = PackCatalog::loadPack((dir.path() / "broken").string());
  EXPECT_FALSE(broken.available);
  EXPECT_THAT(broken.error, HasSubstr("name is required"));
  EXPECT_EQ(broken.spec.ref, "broken");
}

}  // namespace
}  // namespace rivet::core
