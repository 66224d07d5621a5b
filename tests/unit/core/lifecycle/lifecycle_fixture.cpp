#include "lifecycle_fixture.hpp"

#include <ctime>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace rivet::core::testing {

LifecycleTest::LifecycleTest() {
  rivet::test::PluginHandle library(RIVET_PLUGIN_DIR "/storage-sqlite.so");
  store_ = library.create<sdk::ExecutionStore>();
  sdk::PluginContext context;
  context.data_dir = data_dir_.str();
  context.logger = &logger_;
  if (auto status = store_->configure(context); !status.ok()) {
    throw std::runtime_error("configure storage-sqlite: " + status.message());
  }
}

std::string LifecycleTest::outputText(const std::string& id, const std::string& stream) {
  std::string text;
  for (int line = 0; line < 2000; ++line) {
    text += id + " " + stream + " line " + std::to_string(line) + ": all is well\n";
  }
  return text;
}

std::filesystem::path LifecycleTest::addExecution(const std::string& id, std::int64_t created_ms,
                                                  std::optional<std::int64_t> ended_ms) {
  const std::time_t seconds = created_ms / 1000;
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char day[16];
  std::strftime(day, sizeof day, "%Y/%m/%d", &utc);
  const auto relative_dir = std::string("executions/") + day + "/" + id;

  sdk::ExecutionRecord record;
  record.id = id;
  record.pack = "linux";
  record.action = "disk_usage";
  record.requester.subject = "CN=alice";
  record.created_at_ms = created_ms;
  record.stdout_path = data_dir_.child(relative_dir + "/stdout");
  record.stderr_path = data_dir_.child(relative_dir + "/stderr");
  EXPECT_TRUE(store_->create(record).ok());

  sdk::ExecutionUpdate running;
  running.status = sdk::ExecutionStatus::running;
  running.at_ms = created_ms + 10;
  running.started_at_ms = running.at_ms;
  running.pid = 4242;
  EXPECT_TRUE(store_->apply(id, running).ok());

  data_dir_.write(relative_dir + "/stdout", outputText(id, "stdout"));
  data_dir_.write(relative_dir + "/stderr", outputText(id, "stderr"));
  if (ended_ms) {
    sdk::ExecutionUpdate ended;
    ended.status = sdk::ExecutionStatus::succeeded;
    ended.at_ms = *ended_ms;
    ended.ended_at_ms = *ended_ms;
    ended.exit_code = 0;
    EXPECT_TRUE(store_->apply(id, ended).ok());
    const nlohmann::json status = {{"outcome", "exited"},
                                   {"exit_code", 0},
                                   {"signal", nullptr},
                                   {"reason", ""},
                                   {"started_at_ms", running.at_ms},
                                   {"ended_at_ms", *ended_ms}};
    data_dir_.write(relative_dir + "/status.json", status.dump());
  }
  return data_dir_.path() / relative_dir;
}

LifecycleOptions LifecycleTest::options() const {
  LifecycleOptions options;
  options.data_dir = data_dir_.path();
  return options;
}

HistoryLifecycle LifecycleTest::makeLifecycle(const LifecycleOptions& options) {
  return HistoryLifecycle(
      *store_, options, [this] { return now_ms_; }, logger_);
}

}  // namespace rivet::core::testing
