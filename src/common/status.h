// Status and StatusOr<T>: errors as values, shared by every hami component
// except libvgpu (which has its own allocation-free C error codes).
// A Status is cheap to copy when OK; an error carries a canonical code and a
// human-readable message that names what was wrong and where.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace hami {

// Canonical error codes (a subset of the gRPC/abseil set).
enum class StatusCode {
  kOk = 0,
  kCancelled,
  kInvalidArgument,     // the input is malformed; retrying the same input won't help
  kDeadlineExceeded,    // a timeout expired
  kNotFound,            // the named object does not exist
  kAlreadyExists,       // create of something that exists
  kPermissionDenied,    // the caller may not do this
  kResourceExhausted,   // a quota or capacity limit was hit
  kFailedPrecondition,  // the system is not in a state where this can work
  kAborted,             // a concurrency conflict (e.g. resourceVersion); retry
  kOutOfRange,          // a value is outside its valid range
  kUnimplemented,
  kInternal,            // an invariant broke: a bug
  kUnavailable,         // a dependency is down; retry with backoff
};

std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "CODE: message", or "OK".
  std::string ToString() const;
  // Returns a copy whose message is "<prefix>: <message>".
  Status WithContext(std::string_view prefix) const;

  friend bool operator==(const Status& a, const Status& b) {
    return a.code_ == b.code_ && a.message_ == b.message_;
  }

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

inline Status OkStatus() { return Status(); }
inline Status InvalidArgumentError(std::string m) { return {StatusCode::kInvalidArgument, std::move(m)}; }
inline Status NotFoundError(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
inline Status AlreadyExistsError(std::string m) { return {StatusCode::kAlreadyExists, std::move(m)}; }
inline Status FailedPreconditionError(std::string m) { return {StatusCode::kFailedPrecondition, std::move(m)}; }
inline Status OutOfRangeError(std::string m) { return {StatusCode::kOutOfRange, std::move(m)}; }
inline Status InternalError(std::string m) { return {StatusCode::kInternal, std::move(m)}; }
inline Status UnavailableError(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
inline Status AbortedError(std::string m) { return {StatusCode::kAborted, std::move(m)}; }
inline Status DeadlineExceededError(std::string m) { return {StatusCode::kDeadlineExceeded, std::move(m)}; }
inline Status ResourceExhaustedError(std::string m) { return {StatusCode::kResourceExhausted, std::move(m)}; }
inline Status PermissionDeniedError(std::string m) { return {StatusCode::kPermissionDenied, std::move(m)}; }
inline Status UnimplementedError(std::string m) { return {StatusCode::kUnimplemented, std::move(m)}; }

// StatusOr<T>: either a T or a non-OK Status. Accessing value() of an error is a
// programming bug and aborts.
template <typename T>
class [[nodiscard]] StatusOr {
 public:
  StatusOr(const T& value) : value_(value) {}             // NOLINT(implicit)
  StatusOr(T&& value) : value_(std::move(value)) {}       // NOLINT(implicit)
  StatusOr(Status status) : status_(std::move(status)) {  // NOLINT(implicit)
    if (status_.ok()) status_ = InternalError("StatusOr constructed from OK status without value");
  }

  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }
  const T& value() const& { CheckOk(); return *value_; }
  T& value() & { CheckOk(); return *value_; }
  T&& value() && { CheckOk(); return std::move(*value_); }
  const T& operator*() const& { return value(); }
  T& operator*() & { return value(); }
  const T* operator->() const { return &value(); }
  T* operator->() { return &value(); }

 private:
  void CheckOk() const;
  Status status_;
  std::optional<T> value_;
};

[[noreturn]] void DieBadStatusOrAccess(const Status& status);

template <typename T>
void StatusOr<T>::CheckOk() const {
  if (!value_.has_value()) DieBadStatusOrAccess(status_);
}

}  // namespace hami

#define HAMI_STATUS_CONCAT_INNER(a, b) a##b
#define HAMI_STATUS_CONCAT(a, b) HAMI_STATUS_CONCAT_INNER(a, b)

// Returns from the enclosing function if `expr` (a Status) is not OK.
#define RETURN_IF_ERROR(expr)                      \
  do {                                             \
    ::hami::Status hami_status_tmp_ = (expr);      \
    if (!hami_status_tmp_.ok()) return hami_status_tmp_; \
  } while (0)

// ASSIGN_OR_RETURN(lhs, expr): evaluates the StatusOr `expr`; on error returns
// its status, else assigns (or declares, e.g. `auto x`) lhs from the value.
#define ASSIGN_OR_RETURN(lhs, expr) \
  HAMI_ASSIGN_OR_RETURN_IMPL(HAMI_STATUS_CONCAT(hami_statusor_, __LINE__), lhs, expr)
#define HAMI_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                               \
  if (!tmp.ok()) return tmp.status();              \
  lhs = std::move(tmp).value()
