// The catalog rivetd serves from now. Readers take the current catalog and work on it
// throughout (a request, a listing); pack sync swaps in a new one. A catalog is never changed
// in place, so a reader never sees half an upgrade.
#pragma once

#include <memory>
#include <mutex>

#include "packs/pack_catalog.hpp"

namespace rivet::core {

class LiveCatalog {
 public:
  explicit LiveCatalog(PackCatalog initial)
      : current_(std::make_shared<const PackCatalog>(std::move(initial))) {}

  std::shared_ptr<const PackCatalog> current() const {
    std::lock_guard lock(mutex_);
    return current_;
  }

  void replace(PackCatalog next) {
    auto swapped_in = std::make_shared<const PackCatalog>(std::move(next));
    std::lock_guard lock(mutex_);
    current_.swap(swapped_in);
    // The old catalog is released outside the lock: it may hold a pack's last reference.
  }

 private:
  mutable std::mutex mutex_;
  std::shared_ptr<const PackCatalog> current_;
};

}  // namespace rivet::core
