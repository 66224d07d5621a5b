#include "venv_builder.hpp"

#include <fcntl.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <iterator>
#include <memory>
#include <sstream>

#include "embedded_python.hpp"
#include "venv_store.hpp"

namespace rivet::plugins::python_venv {
namespace {

namespace fs = std::filesystem;
using sdk::ErrorCode;
using sdk::Status;

constexpr int kErrorTailLines = 15;
constexpr std::uintmax_t kLargestScriptToRelocate = 1 << 20;

std::string readText(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

bool writeText(const fs::path& file, std::string_view text) {
  std::error_code ec;
  fs::create_directories(file.parent_path(), ec);
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
  return static_cast<bool>(out.flush());
}

std::string joined(const std::vector<std::string>& argv) {
  std::string text;
  for (const auto& arg : argv) text += (text.empty() ? "" : " ") + arg;
  return text;
}

class BuildLog {
 public:
  explicit BuildLog(const fs::path& path)
      : path_(path), fd_(::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600)) {}
  BuildLog(const BuildLog&) = delete;
  BuildLog& operator=(const BuildLog&) = delete;
  ~BuildLog() {
    if (fd_ >= 0) ::close(fd_);
  }
  bool ok() const { return fd_ >= 0; }
  int fd() const { return fd_; }
  // Best effort: a lost heading in the log is no reason to fail a build.
  void write(const std::string& text) {
    if (fd_ < 0) return;
    const ssize_t written = ::write(fd_, text.data(), text.size());
    static_cast<void>(written);
  }
  // The output of the last step: what follows its "$ command" line.
  std::string lastStepTail() const {
    const std::string text = readText(path_);
    const auto step = text.rfind("\n$ ");
    return lastLines(step == std::string::npos ? text : text.substr(text.find('\n', step + 1) + 1),
                     kErrorTailLines);
  }

 private:
  fs::path path_;
  int fd_;
};

class Step {
 public:
  Step(const VenvBuild& build, BuildLog& log) : build_(build), log_(log) {}

  void info(const std::string& message) const {
    build_.logger->log(sdk::LogLevel::info,
                       "python-venv: pack " + build_.pack_ref + ": " + message);
  }

  // Runs one command of the build; on failure, "<what> failed (<outcome>): <output tail>".
  Status run(const std::string& what, const std::vector<std::string>& argv) {
    log_.write("\n$ " + joined(argv) + "\n");
    const auto outcome = runChild(argv, log_.fd(), build_.deadline);
    if (outcome.succeeded()) return Status::success();
    std::string reason = outcome.describe();
    if (outcome.timed_out) reason += " after build_timeout_seconds";
    const std::string tail = log_.lastStepTail();
    return {ErrorCode::unavailable,
            what + " failed (" + reason + ")" + (tail.empty() ? "" : ": ") + tail};
  }

 private:
  const VenvBuild& build_;
  BuildLog& log_;
};

sdk::StatusOr<fs::path> sitePackages(const fs::path& venv) {
  std::error_code ec;
  std::vector<fs::path> found;
  for (const auto& entry : fs::directory_iterator(venv / "lib", ec)) {
    if (entry.path().filename().string().starts_with("python") &&
        fs::is_directory(entry.path() / "site-packages", ec)) {
      found.push_back(entry.path() / "site-packages");
    }
  }
  if (found.size() != 1) {
    return Status(ErrorCode::unavailable,
                  "cannot find the site-packages directory of " + venv.string());
  }
  return found.front();
}

// Writes st2common into site-packages and the wrapper into <venv>/rivet/.
Status installEmbeddedSources(const fs::path& venv, const fs::path& site_packages) {
  for (const auto& file : kEmbeddedPythonFiles) {
    const fs::path target = file.relative_path == kWrapperName ? venv / kWrapperDir / kWrapperName
                                                               : site_packages / file.relative_path;
    if (!writeText(target, file.content)) {
      return {ErrorCode::internal, "cannot write " + target.string()};
    }
  }
  return Status::success();
}

// A virtualenv names its own directory in its scripts (console-script shebangs, activate):
// point those at the directory it is renamed to.
Status relocateScripts(const fs::path& from, const fs::path& to) {
  const std::string old_path = from.string();
  const std::string new_path = to.string();
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(from / "bin", ec)) {
    if (entry.is_symlink(ec) || !entry.is_regular_file(ec) ||
        entry.file_size(ec) > kLargestScriptToRelocate) {
      continue;
    }
    std::string text = readText(entry.path());
    if (text.find(old_path) == std::string::npos) continue;
    for (auto at = text.find(old_path); at != std::string::npos;
         at = text.find(old_path, at + new_path.size())) {
      text.replace(at, old_path.size(), new_path);
    }
    if (!writeText(entry.path(), text)) {
      return {ErrorCode::internal, "cannot rewrite " + entry.path().string()};
    }
  }
  return Status::success();
}

}  // namespace

bool namesRequirements(const std::string& requirements_text) {
  std::istringstream lines(requirements_text);
  std::string line;
  while (std::getline(lines, line)) {
    const auto first = line.find_first_not_of(" \t\r");
    if (first != std::string::npos && line[first] != '#') return true;
  }
  return false;
}

std::string venvKey(const std::string& requirements_text, const Interpreter& interpreter) {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> context(EVP_MD_CTX_new(),
                                                                  &EVP_MD_CTX_free);
  EVP_DigestInit_ex(context.get(), EVP_sha256(), nullptr);
  // Each part length-prefixed, so no two different inputs hash the same bytes.
  auto add = [&](std::string_view part) {
    const std::string length = std::to_string(part.size()) + ":";
    EVP_DigestUpdate(context.get(), length.data(), length.size());
    EVP_DigestUpdate(context.get(), part.data(), part.size());
  };
  add(requirements_text);
  add(interpreter.path);
  add(interpreter.resolved);
  add(interpreter.build);
  for (const auto& file : kEmbeddedPythonFiles) {
    add(file.relative_path);
    add(file.content);
  }
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_DigestFinal_ex(context.get(), digest, &size);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string key;
  for (unsigned int i = 0; i < 10 && i < size; ++i) {  // 80 bits name a pack's venvs well enough
    key += kHex[digest[i] >> 4];
    key += kHex[digest[i] & 0xf];
  }
  return key;
}

Status buildVenv(const VenvBuild& build) {
  const auto started = std::chrono::steady_clock::now();
  BuildLog log(build.build_dir / kBuildLog);
  if (!log.ok()) {
    return {ErrorCode::internal, "cannot create " + (build.build_dir / kBuildLog).string()};
  }
  Step step(build, log);
  step.info("building virtualenv " + build.final_dir.string() + " with " + build.interpreter.path +
            " (Python " + build.interpreter.version + "); log " +
            (build.build_dir / kBuildLog).string());

  if (auto status = step.run(build.interpreter.path + " -m venv",
                             {build.interpreter.path, "-m", "venv", build.build_dir.string()});
      !status.ok()) {
    return status;
  }
  auto site_packages = sitePackages(build.build_dir);
  if (!site_packages.ok()) return site_packages.status();
  if (auto status = installEmbeddedSources(build.build_dir, *site_packages); !status.ok()) {
    return status;
  }

  if (!build.requirements.empty()) {
    step.info("pip install -r " + build.requirements.string());
    std::vector<std::string> argv{(build.build_dir / "bin" / "python").string(),
                                  "-m",
                                  "pip",
                                  "install",
                                  "--disable-pip-version-check",
                                  "--no-input",
                                  "--progress-bar",
                                  "off"};
    argv.insert(argv.end(), build.pip_options.begin(), build.pip_options.end());
    argv.insert(argv.end(), {"-r", build.requirements.string()});
    if (auto status = step.run("pip install", argv); !status.ok()) return status;
  }

  if (auto status = relocateScripts(build.build_dir, build.final_dir); !status.ok()) return status;
  const std::string marker = nlohmann::json{{"python", build.interpreter.path},
                                            {"version", build.interpreter.version},
                                            {"requirements", build.requirements.string()}}
                                 .dump() +
                             "\n";
  if (!writeText(build.build_dir / kCompleteMarker, marker)) {
    return {ErrorCode::internal, "cannot write " + (build.build_dir / kCompleteMarker).string()};
  }
  const auto seconds = std::chrono::duration_cast<std::chrono::milliseconds>(
                           std::chrono::steady_clock::now() - started)
                           .count() /
                       1000.0;
  std::ostringstream took;
  took.precision(1);
  took << std::fixed << seconds;
  step.info("virtualenv built in " + took.str() + " s");
  return Status::success();
}

}  // namespace rivet::plugins::python_venv
