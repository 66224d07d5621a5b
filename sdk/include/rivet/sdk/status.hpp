// Errors that cross the plugin boundary travel as values, never as exceptions: a plugin is
// built separately from the host, and an exception thrown through a shared-object boundary
// is the quickest way to lose both the error and the process.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace rivet::sdk {

// What went wrong, coarse enough that the REST layer can map it to an HTTP status without
// knowing which plugin produced it.
enum class ErrorCode {
  ok,
  invalid_argument,   // the caller's input is malformed (HTTP 400)
  not_found,          // the named thing does not exist (404)
  conflict,           // the thing exists but is in the wrong state (409)
  too_large,          // input over a configured limit (413)
  unprocessable,      // well-formed input that breaks a rule, e.g. a wrong parameter type (422)
  exhausted,          // a limit of concurrent work is reached; try again later (429)
  unavailable,        // a dependency is missing or not ready (503)
  internal,           // a bug or an I/O failure (500)
};

class Status {
 public:
  Status() = default;
  Status(ErrorCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status success() { return {}; }

  bool ok() const { return code_ == ErrorCode::ok; }
  ErrorCode code() const { return code_; }
  const std::string& message() const { return message_; }

 private:
  ErrorCode code_ = ErrorCode::ok;
  std::string message_;
};

// A value or the Status saying why there is none. Constructing one from an ok Status is a
// programming error and yields an internal error instead of an empty value.
template <typename T>
class StatusOr {
 public:
  StatusOr(T value) : state_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  StatusOr(Status status)                          // NOLINT(google-explicit-constructor)
      : state_(status.ok() ? Status(ErrorCode::internal, "StatusOr built from an ok Status")
                           : std::move(status)) {}

  bool ok() const { return std::holds_alternative<T>(state_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(state_);
  }
  T& value() & { return std::get<T>(state_); }
  const T& value() const& { return std::get<T>(state_); }
  T&& value() && { return std::get<T>(std::move(state_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> state_;
};

}  // namespace rivet::sdk
