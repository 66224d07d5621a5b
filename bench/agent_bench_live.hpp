// The steps of rivet_bench_agent that run executions on one rivetd (agent_bench_live.cpp).
#pragma once

#include <atomic>
#include <string>

#include "agent_bench_common.hpp"
#include "agent_bench_webhook.hpp"

namespace rivet::bench {

// How a round trip learns of the end.
enum class EndNotice {
  waiting_post,  // the POST asks rivetd to wait (`wait`), and answers with the ended execution
  polling,       // the POST answers at once; then GET every 1 ms (Client::waitForEnd's way)
};

// POST and learn of the end as `notice` says (a waiting POST whose wait ran out goes on
// polling); ms, or -1 when it did not succeed. `polls` counts the GETs; `id` gets the
// execution's id.
double roundTrip(rivet::client::Client& client, const std::string& ref, EndNotice notice,
                 std::atomic<long>& polls, std::string* id = nullptr);

// `unsynced` is a second rivetd with storage-sqlite.synchronous = NORMAL: what the flushes of
// the durable record cost, beside the default.
void roundTripStep(Bench& bench, Agent& agent, Agent& unsynced, WebhookPeer& webhook);
void throughputStep(Bench& bench, Agent& agent, WebhookPeer& webhook);
// `ticker_script` is the bench pack's ticker.sh, also run directly for the baseline.
void latencyStep(Bench& bench, Agent& agent, const std::string& ticker_script);

}  // namespace rivet::bench
