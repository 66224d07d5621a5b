#include "lifecycle/history_lifecycle.hpp"

#include <algorithm>
#include <charconv>
#include <ctime>
#include <fstream>
#include <optional>
#include <sstream>
#include <string_view>
#include <system_error>
#include <vector>

#include <nlohmann/json.hpp>

#include "output/output_file.hpp"

namespace rivet::core {
namespace {

namespace fs = std::filesystem;

std::int64_t toMs(std::chrono::seconds duration) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(duration).count();
}

// Whether `path` is strictly inside `root`, lexically (both normalised).
bool isInside(const fs::path& path, const fs::path& root) {
  const auto relative = path.lexically_relative(root);
  return !relative.empty() && relative != "." && *relative.begin() != "..";
}

// The number a YYYY, MM or DD directory is named by; nullopt for any other name.
std::optional<int> datePart(const fs::path& dir, std::size_t digits, int min, int max) {
  const auto name = dir.filename().string();
  int value = 0;
  const auto [end, error] = std::from_chars(name.data(), name.data() + name.size(), value);
  if (name.size() != digits || error != std::errc() || end != name.data() + name.size() ||
      value < min || value > max) {
    return std::nullopt;
  }
  return value;
}

std::int64_t dayStartMs(int year, int month, int day) {
  std::tm utc{};
  utc.tm_year = year - 1900;
  utc.tm_mon = month - 1;
  utc.tm_mday = day;
  return static_cast<std::int64_t>(timegm(&utc)) * 1000;
}

// When the execution in `execution_dir` ended, from its supervisor's status.json; nullopt
// while it runs (no file yet) or when the file cannot be made sense of.
std::optional<std::int64_t> endedAtMs(const fs::path& execution_dir) {
  std::ifstream file(execution_dir / "status.json", std::ios::binary);
  if (!file) return std::nullopt;
  std::stringstream text;
  text << file.rdbuf();
  const auto status = nlohmann::json::parse(text.str(), nullptr, /*allow_exceptions=*/false);
  if (!status.is_object()) return std::nullopt;
  const auto ended = status.find("ended_at_ms");
  if (ended == status.end() || !ended->is_number_integer()) return std::nullopt;
  return ended->get<std::int64_t>();
}

}  // namespace

HistoryLifecycle::HistoryLifecycle(sdk::ExecutionStore& store, LifecycleOptions options,
                                   std::function<std::int64_t()> now_ms, sdk::Logger& log)
    : store_(store),
      options_(std::move(options)),
      executions_dir_((options_.data_dir / "executions").lexically_normal()),
      now_ms_(std::move(now_ms)),
      log_(log) {}

LifecycleReport HistoryLifecycle::runOnce(std::stop_token stop) {
  LifecycleReport report;
  const std::int64_t now_ms = now_ms_();
  // Purge first: compressing what is about to be deleted would be wasted work.
  purge(now_ms, stop, report);
  compress(now_ms, stop, report);
  if (report.purged_executions > 0 || report.compressed_files > 0 || report.errors > 0) {
    log_.log(sdk::LogLevel::info,
             "history lifecycle: purged " + std::to_string(report.purged_executions) +
                 " executions, compressed " + std::to_string(report.compressed_files) +
                 " output files (" + std::to_string(report.bytes_saved) + " bytes saved), " +
                 std::to_string(report.errors) + " errors");
  }
  return report;
}

void HistoryLifecycle::fail(LifecycleReport& report, const std::string& message) {
  ++report.errors;
  log_.log(sdk::LogLevel::warning, "history lifecycle: " + message);
}

void HistoryLifecycle::purge(std::int64_t now_ms, const std::stop_token& stop,
                             LifecycleReport& report) {
  const std::int64_t cutoff_ms = now_ms - toMs(options_.retention);
  const std::size_t batch = std::max<std::size_t>(options_.batch, 1);
  while (!stop.stop_requested()) {
    auto purged = store_.purgeEndedBefore(cutoff_ms, batch);
    if (!purged.ok()) {
      fail(report, "cannot purge expired executions: " + purged.status().message());
      return;
    }
    for (const auto& record : *purged) {
      ++report.purged_executions;
      removeOutputDirectory(record, report);
    }
    if (purged->size() < batch) return;
  }
}

void HistoryLifecycle::removeOutputDirectory(const sdk::ExecutionRecord& record,
                                             LifecycleReport& report) {
  if (record.stdout_path.empty()) return;
  const auto dir = fs::path(record.stdout_path).parent_path().lexically_normal();
  // A record is data: one naming a directory elsewhere must not make us delete that.
  if (!isInside(dir, executions_dir_)) {
    fail(report, "execution " + record.id + ": kept " + dir.string() + ", which is outside " +
                     executions_dir_.string());
    return;
  }
  std::error_code error;
  fs::remove_all(dir, error);
  if (error) {
    fail(report,
         "execution " + record.id + ": cannot remove " + dir.string() + ": " + error.message());
    return;
  }
  // Then the day, month and year directories it leaves empty. No new execution lands in
  // them: they are past the retention period, and the executor creates only today's.
  for (auto parent = dir.parent_path(); isInside(parent, executions_dir_);
       parent = parent.parent_path()) {
    fs::remove(parent, error);  // fails, harmlessly, on a directory that is not empty
    if (error) return;
  }
}

void HistoryLifecycle::compress(std::int64_t now_ms, const std::stop_token& stop,
                                LifecycleReport& report) {
  const std::int64_t cutoff_ms = now_ms - toMs(options_.compress_after);
  // Directories of one level, or none (with an error counted) when it cannot be listed.
  auto subdirectories = [&](const fs::path& dir) {
    std::vector<fs::path> found;
    std::error_code error;
    for (fs::directory_iterator it(dir, error), end; !error && it != end; it.increment(error)) {
      if (it->is_directory(error)) found.push_back(it->path());
    }
    if (error && error != std::errc::no_such_file_or_directory) {
      fail(report, "cannot list " + dir.string() + ": " + error.message());
    }
    return found;
  };
  for (const auto& year_dir : subdirectories(executions_dir_)) {
    const auto year = datePart(year_dir, 4, 1970, 9999);
    if (!year) continue;
    for (const auto& month_dir : subdirectories(year_dir)) {
      const auto month = datePart(month_dir, 2, 1, 12);
      if (!month) continue;
      for (const auto& day_dir : subdirectories(month_dir)) {
        const auto day = datePart(day_dir, 2, 1, 31);
        if (!day) continue;
        // Executions in a day directory were created that day, and ended after that, so a
        // day starting after the cutoff holds nothing to compress.
        if (dayStartMs(*year, *month, *day) >= cutoff_ms) continue;
        for (const auto& execution_dir : subdirectories(day_dir)) {
          if (stop.stop_requested()) return;
          compressExecution(execution_dir, cutoff_ms, report);
        }
      }
    }
  }
}

void HistoryLifecycle::compressExecution(const fs::path& execution_dir, std::int64_t cutoff_ms,
                                         LifecycleReport& report) {
  std::vector<fs::path> plain_files;
  for (const char* stream : {"stdout", "stderr"}) {
    std::error_code error;
    if (fs::is_regular_file(execution_dir / stream, error)) {
      plain_files.push_back(execution_dir / stream);
    }
  }
  if (plain_files.empty()) return;  // nothing written, or compressed in an earlier pass
  const auto ended_at_ms = endedAtMs(execution_dir);
  if (!ended_at_ms || *ended_at_ms >= cutoff_ms) return;

  for (const auto& plain : plain_files) {
    std::error_code plain_error, compressed_error;
    const auto plain_size = fs::file_size(plain, plain_error);
    if (auto status = compressOutput(plain); !status.ok()) {
      fail(report, status.message());
      continue;
    }
    const auto compressed_size = fs::file_size(compressedPathOf(plain), compressed_error);
    ++report.compressed_files;
    if (!plain_error && !compressed_error) {
      report.bytes_saved +=
          static_cast<std::int64_t>(plain_size) - static_cast<std::int64_t>(compressed_size);
    }
  }
}

}  // namespace rivet::core
