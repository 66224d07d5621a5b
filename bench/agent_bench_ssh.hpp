// The ssh peer of rivet_bench_agent (agent_bench_ssh.cpp).
#pragma once

#include "agent_bench_common.hpp"

namespace rivet::bench {

// `ssh 127.0.0.1 true` to an sshd of our own (LoopbackSshd), with a new connection per run and
// through one ControlMaster connection, one at a time, in turns with posix_spawn and a round
// trip of `bench.noop` on `agent`. A skip note when sshd or ssh is not installed.
void sshStep(Bench& bench, Agent& agent);

}  // namespace rivet::bench
