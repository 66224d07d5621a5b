// A process that uses a known amount of memory or CPU, run as an action by the resource-cap
// tests (a compiled program, so that its own footprint is a few hundred KiB, not an
// interpreter's ten MiB):
//   resource_hog memory MIB HOLD_MS   touches MIB MiB, holds them HOLD_MS ms, exits 0
//   resource_hog spin SECONDS         keeps one CPU busy for SECONDS of wall time, exits 0
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <thread>

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "";
  if (mode == "memory" && argc == 4) {
    const std::size_t bytes = std::strtoull(argv[2], nullptr, 10) << 20;
    const auto block = std::make_unique<char[]>(bytes);
    std::memset(block.get(), 1, bytes);  // resident, not just reserved
    std::printf("holding %s MiB\n", argv[2]);
    std::fflush(stdout);
    std::this_thread::sleep_for(std::chrono::milliseconds(std::atoi(argv[3])));
    return block[bytes - 1] == 1 ? 0 : 1;
  }
  if (mode == "spin" && argc == 3) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(std::atoi(argv[2]));
    volatile unsigned long spins = 0;
    while (std::chrono::steady_clock::now() < until) spins = spins + 1;
    return 0;
  }
  std::fprintf(stderr, "usage: resource_hog memory MIB HOLD_MS | spin SECONDS\n");
  return 2;
}
