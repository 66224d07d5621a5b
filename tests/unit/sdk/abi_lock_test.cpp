// Any change to a plugin-facing SDK header changes the plugin ABI. This test hashes the
// headers and compares them with sdk/abi.lock, so such a change cannot slip in unnoticed:
// bump rivet::sdk::kAbiVersion, then write the printed line into sdk/abi.lock.
#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "rivet/sdk/plugin.hpp"

namespace {

std::string sha256OfHeaders(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> headers;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() == ".hpp") headers.push_back(entry.path());
  }
  std::sort(headers.begin(), headers.end());
  EVP_MD_CTX* context = EVP_MD_CTX_new();
  EVP_DigestInit_ex(context, EVP_sha256(), nullptr);
  for (const auto& header : headers) {
    std::ifstream in(header, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    const auto name = header.filename().string();
    EVP_DigestUpdate(context, name.data(), name.size());
    EVP_DigestUpdate(context, text.str().data(), text.str().size());
  }
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_DigestFinal_ex(context, digest, &length);
  EVP_MD_CTX_free(context);
  std::ostringstream hex;
  for (unsigned int i = 0; i < length; ++i) {
    hex << "0123456789abcdef"[digest[i] >> 4] << "0123456789abcdef"[digest[i] & 15];
  }
  return hex.str();
}

TEST(SdkAbiLock, HeadersMatchTheLockedAbiVersion) {
  const std::filesystem::path source = RIVET_SOURCE_DIR;
  const auto expected = "abi_version=" + std::to_string(rivet::sdk::kAbiVersion) +
                        " sha256=" + sha256OfHeaders(source / "sdk/include/rivet/sdk");
  std::ifstream lock(source / "sdk/abi.lock");
  std::string locked;
  std::getline(lock, locked);
  EXPECT_EQ(locked, expected)
      << "The SDK headers changed. If the change is intended, bump rivet::sdk::kAbiVersion "
         "in sdk/include/rivet/sdk/plugin.hpp and put this line in sdk/abi.lock:\n"
      << expected;
}

}  // namespace
