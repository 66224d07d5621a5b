#include "api/output_follow_stream.hpp"

#include "output/output_file.hpp"

namespace rivet::core {

sdk::BodyStream::Chunk OutputFollowStream::read() {
  // Asked before reading: an action writes its output before its supervisor reports the end,
  // so if it was no longer active here, the read below sees every byte there will ever be.
  const bool active = executor_.isActive(id_);
  auto slice = readOutput(path_, offset_, kMaxChunk);
  if (!slice.ok()) return {"", true};
  offset_ += slice->bytes.size();
  const bool ended = !active && offset_ >= slice->total_size;
  return {std::move(slice->bytes), ended};
}

}  // namespace rivet::core
