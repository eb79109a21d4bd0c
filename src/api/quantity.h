// Kubernetes resource.Quantity: parse and format as apimachinery does for the
// values hami meets (decimal SI n,u,m,k,M,G,T,P,E; binary SI Ki..Ei; decimal
// exponents e/E with sign; fractions; signs; apimachinery's quirks such as
// "1." and ".5"). Values are held as an integer count of milli-units, rounded
// up away from zero (as MilliValue()), so "100m" and "0.1" compare equal.
// Differences from apimachinery: |value| above INT64_MAX/1000 is OutOfRange
// (apimachinery caps it silently); sub-milli precision is rounded up.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace hami::api {

class Quantity {
 public:
  // The suffix family of the parsed text; ToString writes the value back in it.
  enum class Format { kDecimalSI, kBinarySI, kDecimalExponent };

  Quantity() = default;  // zero

  // Parses a quantity string; InvalidArgument on syntax errors, OutOfRange when
  // the value does not fit in int64 milli-units.
  static StatusOr<Quantity> Parse(std::string_view text);
  // Saturates at the largest representable value.
  static Quantity FromInteger(int64_t value, Format format = Format::kDecimalSI);
  static Quantity FromMilli(int64_t milli, Format format = Format::kDecimalSI) {
    return Quantity(milli, format);
  }

  // Value rounded up (away from zero) to an integer (as apimachinery's Value()).
  int64_t Value() const;
  int64_t MilliValue() const { return milli_; }
  // True when the quantity is a whole number.
  bool IsInteger() const { return milli_ % 1000 == 0; }
  Format format() const { return format_; }
  // Canonical string form, as apimachinery's String(): "1500m", "1536Mi", "12e6".
  std::string ToString() const;

  // Compare values only (as apimachinery's Cmp), not formats.
  friend bool operator==(const Quantity& a, const Quantity& b) { return a.milli_ == b.milli_; }
  friend auto operator<=>(const Quantity& a, const Quantity& b) { return a.milli_ <=> b.milli_; }

 private:
  Quantity(int64_t milli, Format format) : milli_(milli), format_(format) {}
  int64_t milli_ = 0;
  Format format_ = Format::kDecimalSI;
};

}  // namespace hami::api
