// POST /v1/executions, GET /v1/executions[/{id}], GET /v1/executions/{id}/output.
//
// A POST is checked completely (JSON shape, action, parameters) before anything is written,
// so a rejected request leaves no trace; an accepted one is durable before its 202. A POST
// with `wait` answers once its execution has ended (200) or the wait is over (202), from the
// executor's end notice rather than a transport thread held meanwhile.
#include <Poco/NumberParser.h>

#include <algorithm>
#include <optional>

#include "api/availability.hpp"
#include "api/dev_packs.hpp"
#include "api/http_json.hpp"
#include "api/output_follow_stream.hpp"
#include "api/rest_api.hpp"
#include "output/output_file.hpp"
#include "packs/parameter_resolver.hpp"

namespace rivet::core {
namespace {

constexpr std::size_t kMaxListLimit = 500;
constexpr std::int64_t kMaxOutputChunk = 1 << 20;
constexpr std::size_t kMaxIdempotencyKey = 255;
constexpr std::int64_t kMaxWaitSeconds = 60;

nlohmann::json executionJson(const sdk::ExecutionRecord& record) {
  nlohmann::json duration = nullptr;
  if (record.started_at_ms && record.ended_at_ms) {
    duration = *record.ended_at_ms - *record.started_at_ms;
  }
  nlohmann::json usage = nullptr;
  if (record.usage) {
    usage = {{"peak_memory_bytes", optionalJson(record.usage->peak_memory_bytes)},
             {"cpu_time_us", optionalJson(record.usage->cpu_time_us)},
             {"oom_killed", record.usage->oom_killed}};
  }
  const auto time = [](const std::optional<std::int64_t>& ms) {
    return ms ? nlohmann::json(formatTime(*ms)) : nlohmann::json(nullptr);
  };
  return {{"id", record.id},
          {"action", record.ref()},
          {"pack", record.pack},
          {"parameters", record.parameters},
          {"status", toString(record.status)},
          {"exit_code", optionalJson(record.exit_code)},
          {"signal", optionalJson(record.term_signal)},
          {"error", record.error},
          {"pid", optionalJson(record.pid)},
          {"timeout_seconds", record.timeout_seconds},
          {"result", record.result},
          {"usage", usage},
          {"pack_version", record.pack_version},
          {"pack_source", record.pack_source},
          {"pack_digest", record.pack_digest},
          {"requester", {{"subject", record.requester.subject}, {"sans", record.requester.sans}}},
          {"created_at", formatTime(record.created_at_ms)},
          {"started_at", time(record.started_at_ms)},
          {"ended_at", time(record.ended_at_ms)},
          {"duration_ms", duration}};
}

// The answer to a POST: the execution as it is (202 while it has not ended, 200 once it has
// or when the request was a replay), with where to find it.
sdk::HttpResponse executionCreated(const sdk::ExecutionRecord& record, bool replay) {
  auto response =
      jsonResponse(replay || sdk::isTerminal(record.status) ? 200 : 202, executionJson(record));
  response.headers.emplace_back("Location", "/v1/executions/" + record.id);
  if (replay) response.headers.emplace_back("Idempotency-Replayed", "true");
  return response;
}

// The answer to a POST with `wait`, given when the execution has ended or the wait is over.
class AnswerWhenEnded final : public sdk::PendingResponse {
 public:
  AnswerWhenEnded(const ApiContext& context, std::string id, bool replay,
                  std::chrono::steady_clock::time_point deadline)
      : context_(context), id_(std::move(id)), replay_(replay), deadline_(deadline) {}

  void start(std::function<void(sdk::HttpResponse)> respond) override {
    // Holds the storage plugin, not the API: the executor (which may call this as it stops)
    // outlives the API but not the plugins.
    context_.executor.whenEnded(
        id_, deadline_,
        [&store = context_.plugins.storage(), id = id_, replay = replay_,
         respond](const sdk::ExecutionRecord* ended) {
          if (ended != nullptr) return respond(executionCreated(*ended, replay));
          auto record = store.get(id);
          respond(record.ok() ? executionCreated(*record, replay) : errorResponse(record.status()));
        });
  }

 private:
  const ApiContext& context_;
  std::string id_;
  bool replay_;
  std::chrono::steady_clock::time_point deadline_;
};

sdk::HttpResponse answer(const ApiContext& context, const sdk::ExecutionRecord& record,
                         bool replay, int wait_seconds) {
  if (wait_seconds == 0 || sdk::isTerminal(record.status)) return executionCreated(record, replay);
  sdk::HttpResponse response;
  response.pending = std::make_shared<AnswerWhenEnded>(
      context, record.id, replay,
      std::chrono::steady_clock::now() + std::chrono::seconds(wait_seconds));
  return response;
}

// The answer to a retried POST: the execution its Idempotency-Key made the first time.
sdk::HttpResponse replayed(const ApiContext& context, const sdk::ExecutionRecord& existing,
                           const std::string& ref, int wait_seconds) {
  if (existing.ref() != ref) {
    return errorResponse(409, "idempotency_key_reused",
                         "this Idempotency-Key was used for " + existing.ref() + ", not " + ref);
  }
  return answer(context, existing, true, wait_seconds);
}

sdk::HttpResponse notFoundOr(const sdk::Status& status, const std::string& id) {
  if (status.code() == sdk::ErrorCode::not_found) {
    return errorResponse(404, "unknown_execution", "no execution '" + id + "' on this host");
  }
  return errorResponse(status);
}

// Parses a non-negative integer query value within [min, max]; nullopt (with `error` set)
// when it is not one.
std::optional<std::int64_t> integerQuery(const RouteRequest& request, const std::string& name,
                                         std::int64_t fallback, std::int64_t min,
                                         std::int64_t max, sdk::HttpResponse& error) {
  auto it = request.query.find(name);
  if (it == request.query.end()) return fallback;
  Poco::Int64 value = 0;
  if (!Poco::NumberParser::tryParse64(it->second, value) || value < min || value > max) {
    error = errorResponse(400, "invalid_query",
                          "'" + name + "' must be an integer from " + std::to_string(min) +
                              " to " + std::to_string(max) + ", got '" + it->second + "'");
    return std::nullopt;
  }
  return value;
}

// A POST that passed every check of its own, to run the action `catalog` has under its ref.
struct CheckedCreate {
  std::string ref;
  nlohmann::json requested;            // the parameters as sent
  std::optional<int> timeout_seconds;
  int wait_seconds = 0;
  std::string idempotency_key;
  sdk::Requester requester;
};

sdk::HttpResponse submitExecution(const ApiContext& context, const CheckedCreate& create,
                                  const PackCatalog& catalog, const std::string& dev_digest) {
  const auto& ref = create.ref;
  const auto* action = catalog.findAction(ref);
  if (action == nullptr) {
    return errorResponse(404, "unknown_action",
                         "no action '" + ref + "' " +
                             (dev_digest.empty() ? "on this host" : "in the pack sent"));
  }
  const auto* pack = catalog.findPack(action->spec.pack);
  const auto* runner = context.plugins.runnerFor(action->spec.runner_type);
  const auto availability = actionAvailability(context, pack, *action);
  if (!availability.available || runner == nullptr) {
    return errorResponse(409, "action_unavailable",
                         "action '" + ref + "' is unavailable (" + availability.state +
                             "): " + availability.error);
  }
  if (!action->spec.enabled) {
    return errorResponse(409, "action_unavailable", "action '" + ref + "' is disabled");
  }

  auto resolved = resolveParameters(action->spec, create.requested);
  if (auto* errors = std::get_if<std::vector<ParameterError>>(&resolved)) {
    nlohmann::json details = nlohmann::json::array();
    std::string message;
    for (const auto& error : *errors) {
      details.push_back({{"parameter", error.parameter}, {"message", error.message}});
      message += (message.empty() ? "" : "; ") + ("parameter '" + error.parameter + "': ") +
                 error.message;
    }
    return errorResponse(422, "invalid_parameters", message, details);
  }
  const auto& parameters = std::get<nlohmann::json>(resolved);
  const auto recorded = redactSecrets(action->spec, parameters);

  const int timeout =
      create.timeout_seconds ? *create.timeout_seconds
      : action->spec.timeout_seconds ? *action->spec.timeout_seconds
                                     : runner->defaultTimeoutSeconds(action->spec.runner_type);
  auto record = context.executor.submit(SubmitRequest{pack->spec, action->spec, *runner,
                                                      parameters, recorded, create.requester,
                                                      timeout, create.idempotency_key,
                                                      pack->directory_hold,
                                                      !dev_digest.empty() ? "dev"
                                                      : pack->delivered   ? "store"
                                                                          : "packs_dir",
                                                      !dev_digest.empty() ? dev_digest
                                                      : pack->delivered   ? pack->delivered->digest
                                                                          : ""});
  if (!record.ok()) {
    if (record.status().code() == sdk::ErrorCode::exhausted) {
      if (context.metrics) context.metrics->executionRejected("queue_full");
      auto response = errorResponse(record.status());
      response.headers.emplace_back("Retry-After", "1");
      return response;
    }
    // Two requests with one key raced: the other one's execution is the answer.
    if (!create.idempotency_key.empty() && record.status().code() == sdk::ErrorCode::conflict) {
      if (auto existing = context.plugins.storage().getByIdempotencyKey(create.requester.subject,
                                                                        create.idempotency_key);
          existing.ok()) {
        return replayed(context, *existing, ref, create.wait_seconds);
      }
    }
    return errorResponse(record.status());
  }
  return answer(context, *record, false, create.wait_seconds);
}

sdk::HttpResponse createExecution(const ApiContext& context, const RouteRequest& request) {
  const auto content_type = request.http.header("Content-Type");
  if (!content_type.empty() && content_type.rfind("application/json", 0) != 0) {
    return errorResponse(415, "unsupported_media_type",
                         "the body must be application/json, not " + content_type);
  }
  nlohmann::json body;
  try {
    body = nlohmann::json::parse(request.http.body);
  } catch (const nlohmann::json::parse_error& e) {
    return errorResponse(400, "malformed_json", std::string("the body is not JSON: ") + e.what());
  }
  if (!body.is_object()) {
    return errorResponse(400, "invalid_request", "the body must be a JSON object");
  }
  for (const auto& [field, value] : body.items()) {
    if (field != "action" && field != "parameters" && field != "timeout" && field != "wait" &&
        field != "pack") {
      return errorResponse(400, "invalid_request",
                           "unknown field '" + field +
                               "'; expected action, parameters, timeout, wait, pack");
    }
  }
  if (body.contains("pack")) {
    if (auto refused = refuseDevPack(context.dev_packs, request.http.peer)) return *refused;
  }
  if (!body.contains("action") || !body["action"].is_string()) {
    return errorResponse(400, "invalid_request", "'action' must be a string like 'pack.action'");
  }
  const nlohmann::json requested = body.value("parameters", nlohmann::json::object());
  if (!requested.is_object()) {
    return errorResponse(400, "invalid_request", "'parameters' must be a JSON object");
  }

  if (body.contains("timeout") &&
      (!body["timeout"].is_number_integer() || body["timeout"].get<std::int64_t>() < 1 ||
       body["timeout"].get<std::int64_t>() > context.max_timeout_seconds)) {
    return errorResponse(400, "invalid_request",
                         "'timeout' must be an integer number of seconds from 1 to " +
                             std::to_string(context.max_timeout_seconds));
  }
  if (body.contains("wait") &&
      (!body["wait"].is_number_integer() || body["wait"].get<std::int64_t>() < 0 ||
       body["wait"].get<std::int64_t>() > kMaxWaitSeconds)) {
    return errorResponse(400, "invalid_request",
                         "'wait' must be an integer number of seconds from 0 to " +
                             std::to_string(kMaxWaitSeconds));
  }
  const int wait_seconds = body.value("wait", 0);
  const auto idempotency_key = request.http.header("Idempotency-Key");
  if (idempotency_key.size() > kMaxIdempotencyKey ||
      !std::all_of(idempotency_key.begin(), idempotency_key.end(),
                   [](char c) { return c > ' ' && c < 127; })) {
    return errorResponse(400, "invalid_request",
                         "Idempotency-Key must be 1 to 255 printable ASCII characters");
  }
  const auto& store = context.plugins.storage();
  const auto ref = body["action"].get<std::string>();
  if (!idempotency_key.empty()) {
    if (auto existing = store.getByIdempotencyKey(request.http.peer.subject, idempotency_key);
        existing.ok()) {
      return replayed(context, *existing, ref, wait_seconds);
    }
  }

  CheckedCreate create{ref, requested, std::nullopt, wait_seconds, idempotency_key,
                       request.http.peer};
  if (body.contains("timeout")) create.timeout_seconds = body["timeout"].get<int>();
  if (!body.contains("pack")) {
    // One catalog throughout, even if pack sync swaps in another meanwhile.
    return submitExecution(context, create, *context.catalog.current(), "");
  }
  // Dev mode: the pack sent is unpacked and prepared (maybe a virtualenv built) off the
  // transport's threads, and the action runs from it alone.
  sdk::HttpResponse response;
  response.pending = context.background->later(
      [&context, create = std::move(create), field = body["pack"]]() -> sdk::HttpResponse {
        auto installed = installDevPack(*context.dev_packs, context.plugins, field);
        if (auto* refused = std::get_if<sdk::HttpResponse>(&installed)) {
          return std::move(*refused);
        }
        const auto& dev = std::get<DevPack>(installed);
        return submitExecution(context, create, dev.catalog, dev.digest);
      });
  return response;
}


sdk::HttpResponse listExecutions(const ApiContext& context, const RouteRequest& request) {
  sdk::ExecutionQuery query;
  sdk::HttpResponse error;
  auto limit = integerQuery(request, "limit", 50, 1, kMaxListLimit, error);
  if (!limit) return error;
  query.limit = static_cast<std::size_t>(*limit);
  if (auto it = request.query.find("action"); it != request.query.end() && !it->second.empty()) {
    const auto dot = it->second.find('.');
    query.pack = it->second.substr(0, dot);
    if (dot != std::string::npos) query.action = it->second.substr(dot + 1);
  }
  if (auto it = request.query.find("status"); it != request.query.end() && !it->second.empty()) {
    query.status = sdk::parseExecutionStatus(it->second);
    if (!query.status) {
      return errorResponse(400, "invalid_query", "unknown status '" + it->second + "'");
    }
  }
  if (auto it = request.query.find("before"); it != request.query.end() && !it->second.empty()) {
    query.before = it->second;
  }
  auto page = context.plugins.storage().list(query);
  if (!page.ok()) return notFoundOr(page.status(), query.before.value_or(""));
  nlohmann::json items = nlohmann::json::array();
  for (const auto& record : page->items) items.push_back(executionJson(record));
  return jsonResponse(200, {{"items", items}, {"next_before", optionalJson(page->next_before)}});
}

sdk::HttpResponse getExecution(const ApiContext& context, const RouteRequest& request) {
  const auto& id = request.path.at("id");
  const auto& store = context.plugins.storage();
  auto record = store.get(id);
  if (!record.ok()) return notFoundOr(record.status(), id);
  auto json = executionJson(*record);
  auto transitions = store.transitions(id);
  if (!transitions.ok()) return errorResponse(transitions.status());
  json["transitions"] = nlohmann::json::array();
  for (const auto& transition : *transitions) {
    json["transitions"].push_back(
        {{"from", transition.from ? nlohmann::json(toString(*transition.from)) : nullptr},
         {"to", toString(transition.to)},
         {"at", formatTime(transition.at_ms)},
         {"reason", transition.reason}});
  }
  return jsonResponse(200, json);
}

sdk::HttpResponse getOutput(const ApiContext& context, const RouteRequest& request) {
  const auto& id = request.path.at("id");
  // The status is read before the file: if it was terminal then, the file is complete.
  auto record = context.plugins.storage().get(id);
  if (!record.ok()) return notFoundOr(record.status(), id);

  const auto stream = request.query.contains("stream") ? request.query.at("stream") : "stdout";
  if (stream != "stdout" && stream != "stderr") {
    return errorResponse(400, "invalid_query", "'stream' must be stdout or stderr");
  }
  sdk::HttpResponse error;
  auto offset = integerQuery(request, "offset", 0, 0, INT64_MAX, error);
  if (!offset) return error;
  auto limit = integerQuery(request, "limit", kMaxOutputChunk, 1, kMaxOutputChunk, error);
  if (!limit) return error;

  const auto& path = stream == "stdout" ? record->stdout_path : record->stderr_path;
  const auto follow = request.query.contains("follow") ? request.query.at("follow") : "false";
  if (follow != "true" && follow != "false") {
    return errorResponse(400, "invalid_query", "'follow' must be true or false");
  }
  if (follow == "true") {
    sdk::HttpResponse response;
    response.headers = {{"Content-Type", "application/octet-stream"},
                        {"Rivet-Output-Offset", std::to_string(*offset)}};
    response.stream = std::make_shared<OutputFollowStream>(context.executor, record->id, path,
                                                           static_cast<std::uint64_t>(*offset));
    return response;
  }

  auto slice = readOutput(path, static_cast<std::uint64_t>(*offset),
                          static_cast<std::uint64_t>(*limit));
  if (!slice.ok()) return errorResponse(slice.status());
  const auto next = *offset + static_cast<std::int64_t>(slice->bytes.size());
  const bool complete = sdk::isTerminal(record->status) &&
                        static_cast<std::uint64_t>(next) >= slice->total_size;
  sdk::HttpResponse response;
  response.headers = {{"Content-Type", "application/octet-stream"},
                      {"Rivet-Output-Offset", std::to_string(*offset)},
                      {"Rivet-Next-Offset", std::to_string(next)},
                      {"Rivet-Execution-Status", std::string(toString(record->status))},
                      {"Rivet-Output-Complete", complete ? "true" : "false"}};
  response.body = std::move(slice->bytes);
  return response;
}

sdk::HttpResponse cancelExecution(const ApiContext& context, const RouteRequest& request) {
  const auto& id = request.path.at("id");
  auto record = context.executor.cancel(id);
  if (!record.ok()) {
    if (record.status().code() == sdk::ErrorCode::conflict) {
      return errorResponse(409, "not_cancelable", record.status().message());
    }
    return notFoundOr(record.status(), id);
  }
  return jsonResponse(sdk::isTerminal(record->status) ? 200 : 202, executionJson(*record));
}

}  // namespace

void addExecutionRoutes(Router& router, const ApiContext& context) {
  router.add("POST", "/v1/executions",
             [&context](const RouteRequest& r) { return createExecution(context, r); });
  router.add("GET", "/v1/executions",
             [&context](const RouteRequest& r) { return listExecutions(context, r); });
  router.add("GET", "/v1/executions/{id}",
             [&context](const RouteRequest& r) { return getExecution(context, r); });
  router.add("DELETE", "/v1/executions/{id}",
             [&context](const RouteRequest& r) { return cancelExecution(context, r); });
  router.add("GET", "/v1/executions/{id}/output",
             [&context](const RouteRequest& r) { return getOutput(context, r); });
}

}  // namespace rivet::core
