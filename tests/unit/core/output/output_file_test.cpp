#include "output/output_file.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <zstd.h>

#include <filesystem>
#include <ostream>
#include <random>
#include <string>
#include <vector>

#include "rivet/test/temp_dir.hpp"

namespace rivet::core {
namespace {

using rivet::test::readFile;
using rivet::test::TempDir;
using ::testing::HasSubstr;

constexpr std::uint64_t kFrame = kCompressedFrameBytes;

std::string randomBytes(std::size_t size) {
  std::mt19937 generator(static_cast<unsigned>(size));
  std::uniform_int_distribution<int> byte(0, 255);
  std::string bytes(size, '\0');
  for (auto& c : bytes) c = static_cast<char>(byte(generator));
  return bytes;
}

// Log-like lines, numbered so that no two frames hold the same text.
std::string textBytes(std::size_t size) {
  std::string text;
  for (int line = 0; text.size() < size; ++line) {
    text += "2024-05-01T12:00:00Z line " + std::to_string(line) +
            ": /dev/sda1 42% used, 17G available on /var\n";
  }
  text.resize(size);
  return text;
}

OutputSlice mustRead(const std::filesystem::path& path, std::uint64_t offset, std::uint64_t limit) {
  auto slice = readOutput(path, offset, limit);
  EXPECT_TRUE(slice.ok()) << slice.status().message();
  return slice.ok() ? std::move(slice).value() : OutputSlice{};
}

// Windows at the start, the end, past the end and across every frame boundary of `size`.
std::vector<std::pair<std::uint64_t, std::uint64_t>> windowsFor(std::uint64_t size) {
  std::vector<std::pair<std::uint64_t, std::uint64_t>> windows = {
      {0, size + 1}, {0, 1}, {0, 4096}, {size / 2, 1000}, {size, 10}, {size + 5, 10}, {0, 0}};
  if (size > 0) windows.emplace_back(size - 1, 10);
  for (std::uint64_t boundary = kFrame; boundary < size; boundary += kFrame) {
    windows.emplace_back(boundary - 10, 20);
    windows.emplace_back(boundary, 1);
    windows.emplace_back(boundary - 1, kFrame + 2);
  }
  return windows;
}

struct RoundTripCase {
  std::string name;
  std::string content;
};

// Test names show the case, not 64 bytes of the struct.
void PrintTo(const RoundTripCase& round_trip, std::ostream* out) { *out << round_trip.name; }

class OutputRoundTripTest : public ::testing::TestWithParam<RoundTripCase> {};

TEST_P(OutputRoundTripTest, CompressedReadsTheSameBytesAsPlain) {
  TempDir dir("output-test");
  const auto& content = GetParam().content;
  const auto plain = dir.write("stdout", content);

  std::vector<OutputSlice> before;
  for (auto [offset, limit] : windowsFor(content.size())) {
    before.push_back(mustRead(plain, offset, limit));
    EXPECT_FALSE(before.back().compressed);
  }

  ASSERT_TRUE(compressOutput(plain).ok());
  EXPECT_FALSE(std::filesystem::exists(plain));
  EXPECT_TRUE(std::filesystem::exists(compressedPathOf(plain)));
  EXPECT_FALSE(std::filesystem::exists(dir.child("stdout.zst.tmp")));

  std::size_t i = 0;
  for (auto [offset, limit] : windowsFor(content.size())) {
    SCOPED_TRACE("offset " + std::to_string(offset) + " limit " + std::to_string(limit));
    const auto after = mustRead(plain, offset, limit);
    EXPECT_TRUE(after.compressed);
    EXPECT_EQ(after.total_size, content.size());
    EXPECT_EQ(after.total_size, before[i].total_size);
    EXPECT_EQ(after.bytes, before[i].bytes);  // EXPECT_EQ on 3 MiB strings prints little
    EXPECT_EQ(after.bytes, content.substr(std::min<std::uint64_t>(offset, content.size()), limit));
    ++i;
  }
}

INSTANTIATE_TEST_SUITE_P(
    SizesAndKinds, OutputRoundTripTest,
    ::testing::Values(RoundTripCase{"empty", ""}, RoundTripCase{"one_byte", "x"},
                      RoundTripCase{"random_64k", randomBytes(64 << 10)},
                      RoundTripCase{"text_64k", textBytes(64 << 10)},
                      RoundTripCase{"random_3m", randomBytes(3 << 20)},
                      RoundTripCase{"text_3m", textBytes(3 << 20)},
                      RoundTripCase{"text_exactly_two_frames", textBytes(2 * kFrame)}),
    [](const auto& info) { return info.param.name; });

TEST(OutputFileTest, NeitherFileIsAnEmptySlice) {
  TempDir dir("output-test");
  const auto slice = mustRead(dir.path() / "stdout", 0, 100);
  EXPECT_EQ(slice.bytes, "");
  EXPECT_EQ(slice.total_size, 0u);
  EXPECT_FALSE(slice.compressed);
}

TEST(OutputFileTest, PlainFileWinsWhenBothExist) {
  // What a crash between the rename and the unlink of compressOutput leaves behind.
  TempDir dir("output-test");
  const auto plain = dir.write("stdout", "hello");
  ASSERT_TRUE(compressOutput(plain).ok());
  dir.write("stdout", "hello");
  const auto slice = mustRead(plain, 1, 3);
  EXPECT_EQ(slice.bytes, "ell");
  EXPECT_FALSE(slice.compressed);
}

TEST(OutputFileTest, TextIsMuchSmallerCompressed) {
  TempDir dir("output-test");
  const auto plain = dir.write("stdout", textBytes(3 << 20));
  ASSERT_TRUE(compressOutput(plain).ok());
  EXPECT_LT(std::filesystem::file_size(compressedPathOf(plain)), (3u << 20) / 5);
}

TEST(OutputFileTest, CompressingAMissingFileIsNotFound) {
  TempDir dir("output-test");
  const auto status = compressOutput(dir.path() / "stdout");
  EXPECT_EQ(status.code(), sdk::ErrorCode::not_found);
  EXPECT_FALSE(std::filesystem::exists(dir.child("stdout.zst.tmp")));
}

TEST(OutputFileTest, CompressedFileIsStandardZstd) {
  TempDir dir("output-test");
  const auto content = textBytes(kFrame + 123);
  const auto plain = dir.write("stdout", content);
  ASSERT_TRUE(compressOutput(plain).ok());
  const auto compressed = readFile(compressedPathOf(plain));
  std::string decoded(content.size(), '\0');
  const auto size =
      ZSTD_decompress(decoded.data(), decoded.size(), compressed.data(), compressed.size());
  ASSERT_FALSE(ZSTD_isError(size)) << ZSTD_getErrorName(size);
  EXPECT_EQ(decoded, content);
}

TEST(OutputFileTest, StreamWithoutContentSizesIsDecodedToCountItsSize) {
  // What another compressor writing to a pipe produces: one frame, no content size.
  TempDir dir("output-test");
  const auto content = textBytes(2 * kFrame + 7);
  std::string compressed(ZSTD_compressBound(content.size()), '\0');
  auto* cctx = ZSTD_createCCtx();
  ZSTD_outBuffer output{compressed.data(), compressed.size(), 0};
  ZSTD_inBuffer input{content.data(), content.size(), 0};
  ZSTD_CCtx_setParameter(cctx, ZSTD_c_contentSizeFlag, 0);
  ASSERT_EQ(ZSTD_compressStream2(cctx, &output, &input, ZSTD_e_end), 0u);
  ZSTD_freeCCtx(cctx);
  compressed.resize(output.pos);
  dir.write("stdout.zst", compressed);

  const auto slice = mustRead(dir.path() / "stdout", kFrame - 3, 6);
  EXPECT_EQ(slice.bytes, content.substr(kFrame - 3, 6));
  EXPECT_EQ(slice.total_size, content.size());
  EXPECT_TRUE(slice.compressed);
}

TEST(OutputFileTest, GarbageIsAClearError) {
  TempDir dir("output-test");
  dir.write("stdout.zst", "this is not zstd at all");
  const auto slice = readOutput(dir.path() / "stdout", 0, 100);
  ASSERT_FALSE(slice.ok());
  EXPECT_EQ(slice.status().code(), sdk::ErrorCode::internal);
  EXPECT_THAT(slice.status().message(), HasSubstr("corrupt compressed output"));
  EXPECT_THAT(slice.status().message(), HasSubstr(dir.child("stdout.zst")));
}

TEST(OutputFileTest, TruncatedFileIsAnError) {
  TempDir dir("output-test");
  const auto plain = dir.write("stdout", textBytes(64 << 10));
  ASSERT_TRUE(compressOutput(plain).ok());
  auto compressed = readFile(compressedPathOf(plain));
  compressed.resize(compressed.size() / 2);
  dir.write("stdout.zst", compressed);
  const auto slice = readOutput(plain, 0, 100);
  ASSERT_FALSE(slice.ok());
  EXPECT_THAT(slice.status().message(), HasSubstr("truncated"));
}

TEST(OutputFileTest, FlippedByteFailsTheChecksum) {
  TempDir dir("output-test");
  const auto plain = dir.write("stdout", randomBytes(64 << 10));
  ASSERT_TRUE(compressOutput(plain).ok());
  auto compressed = readFile(compressedPathOf(plain));
  compressed[compressed.size() / 2] ^= 0x5a;
  dir.write("stdout.zst", compressed);
  const auto slice = readOutput(plain, 0, 100 << 10);
  ASSERT_FALSE(slice.ok());
  EXPECT_THAT(slice.status().message(), HasSubstr("corrupt compressed output"));
}

TEST(OutputFileTest, FramesBeforeTheOffsetAreSkippedNotDecoded) {
  // A damaged first frame goes unnoticed by a read further on: proof it was never decoded.
  TempDir dir("output-test");
  const auto content = randomBytes(3 * kFrame);
  const auto plain = dir.write("stdout", content);
  ASSERT_TRUE(compressOutput(plain).ok());
  auto compressed = readFile(compressedPathOf(plain));
  compressed[1000] ^= 0x5a;  // inside the first block's (stored) data, not in a header
  dir.write("stdout.zst", compressed);

  const auto far = mustRead(plain, 2 * kFrame + 5, 100);
  EXPECT_EQ(far.bytes, content.substr(2 * kFrame + 5, 100));
  EXPECT_EQ(far.total_size, content.size());
  EXPECT_FALSE(readOutput(plain, 0, 100).ok());
}

}  // namespace
}  // namespace rivet::core
