#include "shim/process_tree.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>

#include "shim_fixture.hpp"

namespace rivet::core::shim {
namespace {

TEST(ProcessTreeTest, CountsFieldsFromTheLastParenthesisOfTheName) {
  // A command name may hold spaces and ") (": only the last ')' ends it.
  const auto stat = parseProcStat(
      "4242 (a) (b c) S 17 4242 4000 0 -1 4194560 100 0 0 0 1 2 0 0 25 5 1 0 987654 2334720 "
      "200 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n");
  ASSERT_TRUE(stat);
  EXPECT_EQ(stat->pid, 4242);
  EXPECT_EQ(stat->ppid, 17);
  EXPECT_EQ(stat->pgrp, 4242);
  EXPECT_EQ(stat->session, 4000);
  EXPECT_EQ(stat->nice, 5);
  EXPECT_EQ(stat->start_time, 987654u);
}

TEST(ProcessTreeTest, RefusesWhatIsNotAStatLine) {
  EXPECT_FALSE(parseProcStat(""));
  EXPECT_FALSE(parseProcStat("12 (x) S 1 2"));
  EXPECT_FALSE(parseProcStat("x (y) S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20"));
}

TEST(ProcessTreeTest, ReadsThisProcess) {
  const auto self = readProcStat(::getpid());
  ASSERT_TRUE(self);
  EXPECT_EQ(self->pid, ::getpid());
  EXPECT_EQ(self->ppid, ::getppid());
  EXPECT_EQ(self->pgrp, ::getpgrp());
  EXPECT_GT(self->start_time, 0u);
}

TEST(ProcessTreeTest, FindsChildrenAndGrandchildren) {
  int gate[2];
  ASSERT_EQ(::pipe(gate), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    // The child forks a grandchild; both wait until the test closes the pipe.
    ::close(gate[1]);
    const pid_t grandchild = ::fork();
    char byte;
    [[maybe_unused]] auto n = ::read(gate[0], &byte, 1);
    if (grandchild > 0) ::waitpid(grandchild, nullptr, 0);
    ::_exit(0);
  }
  ::close(gate[0]);
  const auto has = [](const std::vector<ProcStat>& tree, auto predicate) {
    return std::any_of(tree.begin(), tree.end(), predicate);
  };
  const bool found = waitUntil(
      [&] {
        const auto tree = descendantsOf(::getpid());
        return has(tree, [&](const ProcStat& p) { return p.pid == child; }) &&
               has(tree, [&](const ProcStat& p) { return p.ppid == child; });
      },
      5s);
  ::close(gate[1]);
  ::waitpid(child, nullptr, 0);
  EXPECT_TRUE(found) << "descendantsOf() never listed the child and the grandchild";
}

}  // namespace
}  // namespace rivet::core::shim
