// Kubernetes resource.Quantity: parse and format exactly as apimachinery does
// for the values hami meets (decimal SI m,k,M,G,T,P,E; binary SI Ki..Ei;
// decimal exponents e/E; fractions; signs). Values are held as a scaled integer
// in milli-units so that "100m" and "0.1" compare equal; overflow is an error.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace hami::api {

class Quantity {
 public:
  // Parses a quantity string; InvalidArgument on syntax errors, OutOfRange when
  // the value does not fit in int64 milli-units.
  static StatusOr<Quantity> Parse(std::string_view text);
  static Quantity FromInteger(int64_t value);

  // Value rounded up to an integer (as apimachinery's Value()).
  int64_t Value() const;
  int64_t MilliValue() const { return milli_; }
  // True when the quantity is a whole number.
  bool IsInteger() const { return milli_ % 1000 == 0; }
  // Canonical string form (as apimachinery's String() for decimal SI values).
  std::string ToString() const;

  friend bool operator==(const Quantity&, const Quantity&) = default;
  friend auto operator<=>(const Quantity&, const Quantity&) = default;

 private:
  explicit Quantity(int64_t milli) : milli_(milli) {}
  int64_t milli_ = 0;
};

}  // namespace hami::api
