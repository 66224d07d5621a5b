#include "execution_commands.hpp"

#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <memory>
#include <sstream>
#include <string_view>
#include <thread>

#include "exit_codes.hpp"
#include "failure_report.hpp"
#include "fleet_commands.hpp"
#include "output_format.hpp"
#include "packs/pack_catalog.hpp"
#include "rivet/client/parameter_arguments.hpp"
#include "rivet/pack_artifact/artifact_builder.hpp"

namespace rivet::cli {
namespace {

using nlohmann::json;
using rivet::client::Client;
using rivet::client::Result;
using rivet::sdk::ErrorCode;

// How often to ask again while an execution runs.
constexpr std::chrono::milliseconds kPollInterval(250);
// Beyond the action's own timeout, how long `run --wait` gives rivetd to record the end.
constexpr std::chrono::seconds kWaitMargin(30);

struct RunArguments {
  std::string ref;
  std::vector<std::string> parameters;
  bool wait = false;
  bool follow = false;
  std::optional<int> timeout_seconds;       // the action's, sent to rivetd
  std::optional<int> wait_timeout_seconds;  // how long --wait waits here
  std::string idempotency_key;
  std::string pack_dir;                     // dev mode: run from this pack, sent along
};

struct ListArguments {
  rivet::client::ExecutionFilter filter;
};

struct OutputArguments {
  std::string id;
  std::string stream = "stdout";
};

// Reads one output stream from its start until the execution has ended and every byte was
// returned, handing each chunk to `sink` as it arrives. Returns the number of bytes read.
Result<std::uint64_t> readOutput(Client& client, const std::string& id, const std::string& stream,
                                 const std::function<void(const std::string&)>& sink) {
  std::uint64_t offset = 0;
  while (true) {
    auto chunk = client.output(id, stream, offset);
    if (!chunk.ok()) return chunk.failureAs<std::uint64_t>();
    sink(chunk->bytes);
    if (chunk->complete) return chunk->next_offset;
    if (chunk->next_offset == offset) std::this_thread::sleep_for(kPollInterval);
    offset = chunk->next_offset;
  }
}

// Output bytes as they come, not held in a buffer, to whoever watches or pipes them on.
void printLive(std::string_view bytes) {
  std::cout.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  std::cout.flush();
}

// "peak 50.3 MiB, CPU 1.2 s, OOM-killed".
std::string usageText(const json& usage) {
  const auto peak = usage.value("peak_memory_bytes", json());
  const auto cpu = usage.value("cpu_time_us", json());
  std::ostringstream text;
  text << std::fixed << std::setprecision(1) << "peak ";
  if (peak.is_number()) {
    text << peak.get<double>() / (1 << 20) << " MiB";
  } else {
    text << "-";
  }
  text << ", CPU " << (cpu.is_number() ? durationText(cpu.get<std::int64_t>() / 1000) : "-");
  if (usage.value("oom_killed", false)) text << ", OOM-killed";
  return text.str();
}

Fields executionFields(const json& execution) {
  Fields fields = {{"id", fieldText(execution, "id")},
                   {"action", fieldText(execution, "action")},
                   {"status", fieldText(execution, "status")},
                   {"exit code", fieldText(execution, "exit_code")}};
  if (const auto signal = execution.find("signal");
      signal != execution.end() && !signal->is_null()) {
    fields.push_back({"signal", valueText(*signal)});
  }
  if (const auto error = execution.value("error", ""); !error.empty()) {
    fields.push_back({"error", error});
  }
  const auto duration = execution.find("duration_ms");
  fields.push_back({"duration", duration != execution.end() && duration->is_number()
                                    ? durationText(duration->get<std::int64_t>())
                                    : "-"});
  if (const auto usage = execution.find("usage"); usage != execution.end() && usage->is_object()) {
    fields.push_back({"usage", usageText(*usage)});
  }
  return fields;
}

void printExecution(const json& execution) {
  Fields fields = executionFields(execution);
  const json requester = execution.value("requester", json::object());
  fields.insert(fields.end(), {{"parameters", fieldText(execution, "parameters")},
                               {"requester", fieldText(requester, "subject")},
                               {"created", fieldText(execution, "created_at")},
                               {"started", fieldText(execution, "started_at")},
                               {"ended", fieldText(execution, "ended_at")}});
  printFields(std::cout, fields);

  std::vector<TableRow> rows;
  for (const auto& transition : execution.value("transitions", json::array())) {
    rows.push_back({fieldText(transition, "at"), fieldText(transition, "from"),
                    fieldText(transition, "to"), fieldText(transition, "reason")});
  }
  if (!rows.empty()) {
    std::cout << '\n';
    printTable(std::cout, {"AT", "FROM", "TO", "REASON"}, rows);
  }
}

// The end of `run --wait` in human form: the summary, then each stream that has output.
int printEndedExecution(Client& client, const json& execution) {
  printFields(std::cout, executionFields(execution));
  const std::string id = execution.value("id", "");
  for (const std::string stream : {"stdout", "stderr"}) {
    std::string bytes;
    const auto read =
        readOutput(client, id, stream, [&bytes](const std::string& chunk) { bytes += chunk; });
    if (!read.ok()) return reportFailure(read);
    if (bytes.empty()) continue;
    std::cout << "--- " << stream << " ---\n" << bytes;
    if (bytes.back() != '\n') std::cout << '\n';
  }
  return execution.value("status", "") == "succeeded" ? kExitOk : kExitFailed;
}

// Prints stdout as it is written and returns once the execution has ended; then the ended
// execution goes to stderr (JSON with --json, else its stderr output and the summary), so that
// stdout carries the action's output alone.
int followExecution(Client& client, const std::string& id, bool json_output) {
  const auto followed = client.follow(id, "stdout", 0, printLive);
  if (!followed.ok()) return reportFailure(followed);
  // The output ends with the execution; rivetd may record its end a moment later.
  const auto ended =
      client.waitForEnd(id, std::chrono::steady_clock::now() + kWaitMargin, kPollInterval);
  if (!ended.ok()) return reportFailure(ended);
  const bool succeeded = ended->value("status", "") == "succeeded";
  if (json_output) {
    printJson(std::cerr, *ended);
    return succeeded ? kExitOk : kExitFailed;
  }
  std::string errors;
  const auto read =
      readOutput(client, id, "stderr", [&errors](const std::string& chunk) { errors += chunk; });
  if (!read.ok()) return reportFailure(read);
  if (!errors.empty()) {
    std::cerr << "--- stderr ---\n" << errors;
    if (errors.back() != '\n') std::cerr << '\n';
  }
  printFields(std::cerr, executionFields(*ended));
  return succeeded ? kExitOk : kExitFailed;
}

// The action as GET /v1/actions/{ref} would describe it (what parameterArguments reads), from
// a pack directory here rather than from the host.
Result<json> localAction(const std::string& pack_dir, const std::string& ref) {
  auto pack = rivet::core::PackCatalog::loadPack(pack_dir);
  if (!pack.available) return rivet::sdk::Status(ErrorCode::invalid_argument, pack.error);
  auto catalog = rivet::core::PackCatalog().withPack(std::move(pack));
  if (!catalog.ok()) return catalog.status();
  const auto* action = catalog->findAction(ref);
  if (action == nullptr) {
    return rivet::sdk::Status(ErrorCode::not_found, "no action '" + ref + "' in " + pack_dir);
  }
  if (!action->available) {
    return rivet::sdk::Status(ErrorCode::invalid_argument, action->error);
  }
  json parameters = json::object();
  for (const auto& parameter : action->spec.parameters) {
    parameters[parameter.name] = {{"type", toString(parameter.type)}};
  }
  return json{{"parameters", parameters},
              {"timeout_seconds", action->spec.timeout_seconds.value_or(0)}};
}

// The pack directory's archive, as dev mode sends it (written to a scratch directory first:
// libarchive writes files).
Result<std::string> packArchive(const std::string& pack_dir) {
  std::string scratch = (std::filesystem::temp_directory_path() / "rivet-pack-XXXXXX").string();
  if (::mkdtemp(scratch.data()) == nullptr) {
    return rivet::sdk::Status(ErrorCode::internal, "cannot make a scratch directory in " +
                                                       std::filesystem::temp_directory_path().string());
  }
  const auto archive_file = std::filesystem::path(scratch) / "pack.tar.zst";
  auto status = rivet::pack_artifact::writePackArchive(pack_dir, archive_file);
  std::string bytes;
  if (status.ok()) {
    std::ifstream in(archive_file, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  std::error_code ignored;
  std::filesystem::remove_all(scratch, ignored);
  if (!status.ok()) return status;
  return bytes;
}

int runAction(Client& client, const RunArguments& arguments, bool json_output) {
  const auto action = arguments.pack_dir.empty() ? client.action(arguments.ref)
                                                 : localAction(arguments.pack_dir, arguments.ref);
  if (!action.ok()) return reportFailure(action);
  std::string pack_archive;
  if (!arguments.pack_dir.empty()) {
    auto archive = packArchive(arguments.pack_dir);
    if (!archive.ok()) return reportFailure(archive.status());
    pack_archive = std::move(*archive);
  }
  const auto parameters = rivet::client::parameterArguments(arguments.parameters, *action);
  if (!parameters.ok()) return reportFailure(parameters.status());
  const auto action_timeout =
      std::chrono::seconds(arguments.timeout_seconds.value_or(action->value("timeout_seconds", 0)));
  const auto wait_for = arguments.wait_timeout_seconds
                            ? std::chrono::seconds(*arguments.wait_timeout_seconds)
                            : action_timeout + kWaitMargin;
  const auto deadline = std::chrono::steady_clock::now() + wait_for;
  // With --wait, a short action ends within the POST's own wait: one round trip, no polling.
  std::optional<int> server_wait;
  if (arguments.wait && !arguments.follow) {
    server_wait = static_cast<int>(
        std::min<std::int64_t>(rivet::client::kMaxRunWaitSeconds, wait_for.count()));
  }
  const auto started = client.run(arguments.ref, *parameters,
                                  {arguments.idempotency_key, arguments.timeout_seconds,
                                   server_wait, std::move(pack_archive)});
  if (!started.ok()) return reportFailure(started);
  const std::string id = started->value("id", "");

  if (arguments.follow) return followExecution(client, id, json_output);
  if (!arguments.wait) {
    if (json_output) {
      printJson(std::cout, *started);
    } else {
      printFields(std::cout, {{"id", id}, {"status", fieldText(*started, "status")}});
      std::cout << "follow it with: rivet tail " << id << '\n';
    }
    return kExitOk;
  }

  const auto ended = rivet::client::isTerminalStatus(started->value("status", ""))
                         ? started
                         : client.waitForEnd(id, deadline, kPollInterval);
  if (!ended.ok()) return reportFailure(ended);
  const std::string status = ended->value("status", "");
  if (!rivet::client::isTerminalStatus(status)) {
    std::cerr << "rivet: execution " << id << " is still " << status << " after "
              << wait_for.count() << " s; follow it with: rivet get " << id << '\n';
    return kExitFailed;
  }
  if (json_output) {
    printJson(std::cout, *ended);
    return status == "succeeded" ? kExitOk : kExitFailed;
  }
  return printEndedExecution(client, *ended);
}

void printExecutionList(const json& list) {
  std::vector<TableRow> rows;
  for (const auto& execution : list.value("items", json::array())) {
    const auto duration = execution.find("duration_ms");
    rows.push_back({fieldText(execution, "id"), fieldText(execution, "action"),
                    fieldText(execution, "status"), fieldText(execution, "exit_code"),
                    fieldText(execution, "created_at"),
                    duration != execution.end() && duration->is_number()
                        ? durationText(duration->get<std::int64_t>())
                        : "-"});
  }
  printTable(std::cout, {"ID", "ACTION", "STATUS", "EXIT", "CREATED", "DURATION"}, rows);
  if (const auto next = list.find("next_before"); next != list.end() && next->is_string()) {
    std::cout << "more: rivet list --before " << next->get<std::string>() << '\n';
  }
}

}  // namespace

void addExecutionCommands(CLI::App& app, const GlobalOptions& options, Commands& commands) {
  auto run_arguments = std::make_shared<RunArguments>();
  CLI::App* run = app.add_subcommand("run", "Run an action: rivet run PACK.ACTION name=value ...");
  run->add_option("ref", run_arguments->ref, "the action, as PACK.ACTION")->required();
  run->add_option("parameters", run_arguments->parameters,
                  "name=value (typed by the action's declaration) or name:=JSON");
  CLI::Option* wait =
      run->add_flag("--wait", run_arguments->wait,
                    "wait for the end, print the result and output; exit 0 only if it succeeded");
  run->add_flag("--follow", run_arguments->follow,
                "print stdout as it is written, then the result on stderr; exit 0 only if it "
                "succeeded")
      ->excludes(wait);
  run->add_option("--timeout", run_arguments->timeout_seconds,
                  "seconds the action may run before rivetd stops it (default: the action's)")
      ->check(CLI::PositiveNumber);
  run->add_option("--wait-timeout", run_arguments->wait_timeout_seconds,
                  "seconds to wait with --wait (default: the action's timeout + 30)")
      ->check(CLI::PositiveNumber)
      ->needs(wait);
  run->add_option("--idempotency-key", run_arguments->idempotency_key,
                  "names this request: repeating it with the same key returns the execution it "
                  "started instead of starting another");
  run->add_option("--pack-dir", run_arguments->pack_dir,
                  "dev mode: run the action from this pack directory, sent with the request "
                  "and installed on the host for this run only (the host must allow it: "
                  "[dev-packs])")
      ->check(CLI::ExistingDirectory);
  auto fleet_arguments = std::make_shared<FleetArguments>();
  addFleetRunOptions(*run, *fleet_arguments);
  commands.push_back({run, [&options, run_arguments, fleet_arguments] {
                        if (fleet_arguments->requested()) {
                          return runOnFleet(options, *fleet_arguments, run_arguments->ref,
                                            run_arguments->parameters,
                                            run_arguments->timeout_seconds);
                        }
                        return withClient(options.connection, [&](Client& client) {
                          return runAction(client, *run_arguments, options.json);
                        });
                      }});

  auto id = std::make_shared<std::string>();
  CLI::App* get = app.add_subcommand("get", "Show one execution");
  get->add_option("id", *id, "execution id")->required();
  commands.push_back({get, [&options, id] {
                        return withClient(options.connection, [&](Client& client) {
                          const auto execution = client.get(*id);
                          if (!execution.ok()) return reportFailure(execution);
                          if (options.json) {
                            printJson(std::cout, *execution);
                          } else {
                            printExecution(*execution);
                          }
                          return static_cast<int>(kExitOk);
                        });
                      }});

  auto list_arguments = std::make_shared<ListArguments>();
  CLI::App* list = app.add_subcommand("list", "List executions, newest first");
  list->add_option("--action", list_arguments->filter.action, "an action (PACK.ACTION) or a pack");
  list->add_option("--status", list_arguments->filter.status, "only executions in this status");
  list->add_option("--limit", list_arguments->filter.limit,
                   "at most this many (1..500, default 50)")
      ->check(CLI::Range(1, 500));
  list->add_option("--before", list_arguments->filter.before,
                   "the page after this execution id (the `more:` line of the previous page)");
  commands.push_back({list, [&options, list_arguments] {
                        return withClient(options.connection, [&](Client& client) {
                          const auto executions = client.list(list_arguments->filter);
                          if (!executions.ok()) return reportFailure(executions);
                          if (options.json) {
                            printJson(std::cout, *executions);
                          } else {
                            printExecutionList(*executions);
                          }
                          return static_cast<int>(kExitOk);
                        });
                      }});

  auto tail_arguments = std::make_shared<OutputArguments>();
  CLI::App* tail = app.add_subcommand(
      "tail", "Print an execution's output as it is written, until the execution ends");
  tail->add_option("id", tail_arguments->id, "execution id")->required();
  tail->add_option("--stream", tail_arguments->stream, "stdout or stderr")
      ->capture_default_str()
      ->check(CLI::IsMember({"stdout", "stderr"}));
  commands.push_back({tail, [&options, tail_arguments] {
                        return withClient(options.connection, [&](Client& client) {
                          const auto followed = client.follow(tail_arguments->id,
                                                              tail_arguments->stream, 0, printLive);
                          return followed.ok() ? static_cast<int>(kExitOk)
                                               : reportFailure(followed);
                        });
                      }});

  auto kill_id = std::make_shared<std::string>();
  CLI::App* kill = app.add_subcommand("kill", "Cancel an execution and show its status");
  kill->add_option("id", *kill_id, "execution id")->required();
  commands.push_back({kill, [&options, kill_id] {
                        return withClient(options.connection, [&](Client& client) {
                          const auto canceled = client.cancel(*kill_id);
                          if (!canceled.ok()) return reportFailure(canceled);
                          if (options.json) {
                            printJson(std::cout, *canceled);
                          } else {
                            printFields(std::cout, {{"id", fieldText(*canceled, "id")},
                                                    {"status", fieldText(*canceled, "status")}});
                          }
                          return static_cast<int>(kExitOk);
                        });
                      }});

  auto output_arguments = std::make_shared<OutputArguments>();
  CLI::App* output = app.add_subcommand(
      "output", "Print an execution's output; follows it until the execution ends");
  output->add_option("id", output_arguments->id, "execution id")->required();
  output->add_option("--stream", output_arguments->stream, "stdout or stderr")
      ->capture_default_str()
      ->check(CLI::IsMember({"stdout", "stderr"}));
  commands.push_back({output, [&options, output_arguments] {
                        return withClient(options.connection, [&](Client& client) {
                          const auto read = readOutput(
                              client, output_arguments->id, output_arguments->stream,
                              [](const std::string& chunk) { std::cout << chunk << std::flush; });
                          return read.ok() ? static_cast<int>(kExitOk) : reportFailure(read);
                        });
                      }});
}

}  // namespace rivet::cli
