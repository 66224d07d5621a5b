// unique_ptr for C library handles (OpenSSL, libarchive): OwnedHandle<EVP_PKEY, EVP_PKEY_free>
// frees with the library's own function. Private to the library.
#pragma once

#include <memory>

namespace rivet::pack_artifact {

template <auto FreeFunction>
struct FreeWith {
  template <typename T>
  void operator()(T* handle) const {
    FreeFunction(handle);
  }
};

template <typename T, auto FreeFunction>
using OwnedHandle = std::unique_ptr<T, FreeWith<FreeFunction>>;

}  // namespace rivet::pack_artifact
