// The body of GET /v1/executions/{id}/output?follow=true: what an execution writes, sent as
// it is written, ending once the execution has ended and every byte went out.
#pragma once

#include <cstdint>
#include <string>

#include "executor/executor.hpp"
#include "rivet/sdk/transport.hpp"

namespace rivet::core {

class OutputFollowStream final : public sdk::BodyStream {
 public:
  OutputFollowStream(const Executor& executor, std::string execution_id, std::string path,
                     std::uint64_t offset)
      : executor_(executor), id_(std::move(execution_id)), path_(std::move(path)),
        offset_(offset) {}

  Chunk read() override;

 private:
  static constexpr std::uint64_t kMaxChunk = 64 * 1024;

  const Executor& executor_;
  std::string id_;
  std::string path_;
  std::uint64_t offset_;
};

}  // namespace rivet::core
