// How much rivetd adds to a trivial Python action: a StackStorm-style action through rivetd
// (POST over mutual TLS, durable record, supervisor, venv wrapper, result read back) against
// the same venv's python running a do-nothing script directly, measured side by side in one
// run on this machine (the figures are ratios to a baseline, never absolute promises).
#include <spawn.h>
#include <sys/wait.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "rivet/client/client.hpp"
#include "rivet/client/dev_pki.hpp"
#include "rivet/test/rivetd_process.hpp"
#include "rivet/test/temp_dir.hpp"

extern char** environ;

namespace {

using Clock = std::chrono::steady_clock;
using rivet::test::RivetdProcess;

struct Summary {
  double median_ms;
  double p90_ms;
};

Summary summarize(std::vector<double> samples) {
  std::sort(samples.begin(), samples.end());
  return {samples[samples.size() / 2], samples[samples.size() * 9 / 10]};
}

void writeFile(const std::filesystem::path& path, const std::string& text) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path) << text;
}

double runDirectly(const std::vector<std::string>& argv) {
  std::vector<char*> args;
  for (const auto& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  const auto start = Clock::now();
  pid_t pid = -1;
  if (posix_spawn(&pid, args[0], nullptr, nullptr, args.data(), environ) != 0) return -1;
  int status = 0;
  waitpid(pid, &status, 0);
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
  const int runs = argc > 1 ? std::max(5, std::atoi(argv[1])) : 50;
  rivet::test::TempDir packs;
  rivet::test::TempDir venvs;
  const auto pack = packs.path() / "bench_py";
  writeFile(pack / "pack.yaml", "name: bench_py\nversion: 0.1.0\n");
  writeFile(pack / "actions/noop.py",
            "from st2common.runners.base_action import Action\n\n\n"
            "class Noop(Action):\n    def run(self):\n        return {}\n");
  writeFile(pack / "actions/noop.yaml",
            "name: noop\nrunner_type: python-script\nentry_point: noop.py\n");
  writeFile(pack / "actions/plain.py", "pass\n");

  RivetdProcess rivetd({"rivetd.packs_dir=" + packs.str(), "python-venv.python=/usr/bin/python3",
                        "python-venv.venv_root=" + venvs.str(), "rivetd.log_level=warning"});
  if (!rivetd.start()) {
    std::cerr << "rivetd did not start:\n" << rivetd.log();
    return 1;
  }
  const auto pki = rivet::client::devPkiFiles(rivetd.pkiDir().string());
  rivet::client::Client client({"127.0.0.1", rivetd.port()},
                               {pki.ca_cert, pki.client_cert, pki.client_key});

  // Through rivetd: submit, then poll until the end is recorded (as a caller would).
  const auto throughRivetd = [&]() -> double {
    const auto start = Clock::now();
    auto started = client.run("bench_py.noop", nlohmann::json::object());
    if (!started.ok()) return -1;
    auto ended = client.waitForEnd((*started)["id"].get<std::string>(), Clock::now() + std::chrono::seconds(60),
                                   std::chrono::milliseconds(1));
    if (!ended.ok() || (*ended)["status"] != "succeeded") return -1;
    return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  };
  // The venv is built in the background: the first success means it is ready.
  const auto ready_by = Clock::now() + std::chrono::minutes(3);
  while (throughRivetd() < 0) {
    if (Clock::now() > ready_by) {
      std::cerr << "the bench pack never became ready:\n" << rivetd.log();
      return 1;
    }
  }
  const auto venv = std::filesystem::canonical(venvs.path() / "bench_py" / "current");
  const std::vector<std::string> direct{(venv / "bin/python").string(),
                                        (pack / "actions/plain.py").string()};

  std::vector<double> rivetd_ms;
  std::vector<double> direct_ms;
  for (int i = 0; i < runs; ++i) {  // interleaved, so both see the same machine load
    direct_ms.push_back(runDirectly(direct));
    rivetd_ms.push_back(throughRivetd());
  }
  if (std::find(rivetd_ms.begin(), rivetd_ms.end(), -1.0) != rivetd_ms.end()) {
    std::cerr << "an execution failed:\n" << rivetd.log();
    return 1;
  }
  const auto base = summarize(direct_ms);
  const auto agent = summarize(rivetd_ms);
  std::printf("python action overhead, %d runs each, interleaved\n", runs);
  std::printf("%-52s %10s %10s\n", "", "median ms", "p90 ms");
  std::printf("%-52s %10.1f %10.1f\n", "venv/bin/python script.py, directly (baseline)",
              base.median_ms, base.p90_ms);
  std::printf("%-52s %10.1f %10.1f\n", "st2 Action through rivetd (POST .. result recorded)",
              agent.median_ms, agent.p90_ms);
  std::printf("%-52s %10.2fx %+9.1f ms\n", "rivetd / direct (median)",
              agent.median_ms / base.median_ms, agent.median_ms - base.median_ms);
  return 0;
}
