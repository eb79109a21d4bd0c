#include "api/quantity.h"

#include <limits>
#include <string>

#include "api/internal/text.h"

namespace hami::api {
namespace {

constexpr int64_t kMaxMilli = std::numeric_limits<int64_t>::max();

struct Suffix {
  int base = 10;  // 10 or 2
  int64_t exponent = 0;
  Quantity::Format format = Quantity::Format::kDecimalSI;
};

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool InterpretSuffix(std::string_view s, Suffix* out) {
  static constexpr std::pair<std::string_view, int> kDecimal[] = {
      {"", 0}, {"n", -9}, {"u", -6}, {"m", -3}, {"k", 3},
      {"M", 6}, {"G", 9},  {"T", 12}, {"P", 15}, {"E", 18}};
  static constexpr std::pair<std::string_view, int> kBinary[] = {
      {"Ki", 10}, {"Mi", 20}, {"Gi", 30}, {"Ti", 40}, {"Pi", 50}, {"Ei", 60}};
  for (const auto& [name, exp] : kDecimal) {
    if (s == name) {
      *out = {10, exp, Quantity::Format::kDecimalSI};
      return true;
    }
  }
  for (const auto& [name, exp] : kBinary) {
    if (s == name) {
      *out = {2, exp, Quantity::Format::kBinarySI};
      return true;
    }
  }
  if (s.size() > 1 && (s[0] == 'e' || s[0] == 'E')) {
    auto exp = internal::ParseInt(s.substr(1), std::numeric_limits<int64_t>::min(),
                                  std::numeric_limits<int64_t>::max());
    if (!exp.ok()) return false;
    *out = {10, *exp, Quantity::Format::kDecimalExponent};
    return true;
  }
  return false;
}

// Multiplies a decimal digit string by a small factor.
std::string MultiplyDecimal(const std::string& digits, int factor) {
  std::string out(digits.size(), '0');
  int carry = 0;
  for (size_t i = digits.size(); i-- > 0;) {
    int v = (digits[i] - '0') * factor + carry;
    out[i] = static_cast<char>('0' + v % 10);
    carry = v / 10;
  }
  while (carry > 0) {
    out.insert(out.begin(), static_cast<char>('0' + carry % 10));
    carry /= 10;
  }
  return out;
}

}  // namespace

StatusOr<Quantity> Quantity::Parse(std::string_view text) {
  auto bad = [&](std::string_view why) {
    return InvalidArgumentError("quantity " + internal::Quote(text) + ": " + std::string(why));
  };
  if (text.empty()) return bad("empty");
  if (text.size() > 1024) return bad("longer than 1024 bytes");
  size_t pos = 0, end = text.size();
  bool negative = false;
  if (text[0] == '-' || text[0] == '+') negative = text[pos++] == '-';
  // The grammar, as apimachinery scans it: [sign] digits [. digits] [suffix].
  size_t num_start = pos;
  while (pos < end && IsDigit(text[pos])) ++pos;
  std::string digits(text.substr(num_start, pos - num_start));
  size_t fraction_digits = 0;
  if (pos < end && text[pos] == '.') {
    size_t frac_start = ++pos;
    while (pos < end && IsDigit(text[pos])) ++pos;
    fraction_digits = pos - frac_start;
    digits.append(text.substr(frac_start, fraction_digits));
  }
  if (digits.empty()) return bad("no digits before the suffix");
  size_t suffix_start = pos;
  while (pos < end && std::string_view("eEinumkKMGTP").find(text[pos]) != std::string_view::npos) {
    ++pos;
  }
  if (pos < end && (text[pos] == '+' || text[pos] == '-')) ++pos;
  while (pos < end && IsDigit(text[pos])) ++pos;
  if (pos != end) return bad("unexpected character at byte " + std::to_string(pos));
  Suffix suffix;
  if (!InterpretSuffix(text.substr(suffix_start), &suffix)) {
    return bad("unknown suffix " + internal::Quote(text.substr(suffix_start)));
  }

  size_t first_nonzero = digits.find_first_not_of('0');
  if (first_nonzero == std::string::npos) return Quantity(0, suffix.format);
  digits.erase(0, first_nonzero);

  auto out_of_range = [&] {
    return OutOfRangeError("quantity " + internal::Quote(text) +
                           ": magnitude above 9223372036854775807 milli-units");
  };
  // milli = ceil(digits * 10^(3 - fraction_digits [+ exponent]) [* 2^exponent]).
  int64_t shift = 3 - static_cast<int64_t>(fraction_digits);
  if (suffix.base == 10) {
    if (suffix.exponent > 40 || suffix.exponent < -2000) {
      if (suffix.exponent > 0) return out_of_range();
      shift = -100000;  // far below one milli-unit
    } else {
      shift += suffix.exponent;
    }
  } else {
    for (int64_t e = suffix.exponent; e > 0; e -= 10) digits = MultiplyDecimal(digits, 1024);
  }
  std::string integer;
  bool sticky = false;
  if (shift >= 0) {
    if (digits.size() + static_cast<size_t>(shift) > 19) return out_of_range();
    integer = digits + std::string(static_cast<size_t>(shift), '0');
  } else {
    size_t drop = static_cast<size_t>(-shift);
    if (drop >= digits.size()) {
      sticky = true;
    } else {
      integer = digits.substr(0, digits.size() - drop);
      sticky = digits.find_first_not_of('0', digits.size() - drop) != std::string::npos;
    }
  }
  size_t nz = integer.find_first_not_of('0');
  integer = nz == std::string::npos ? "" : integer.substr(nz);
  if (integer.size() > 19) return out_of_range();
  uint64_t magnitude = 0;
  for (char c : integer) magnitude = magnitude * 10 + static_cast<uint64_t>(c - '0');
  if (sticky) ++magnitude;  // round up, as apimachinery does
  if (magnitude > static_cast<uint64_t>(kMaxMilli)) return out_of_range();
  int64_t milli = static_cast<int64_t>(magnitude);
  Format format = suffix.format;
  // apimachinery shows binary values below one as decimal.
  if (format == Format::kBinarySI && milli < 1000) format = Format::kDecimalSI;
  return Quantity(negative ? -milli : milli, format);
}

Quantity Quantity::FromInteger(int64_t value, Format format) {
  constexpr int64_t kLimit = kMaxMilli / 1000;
  if (value > kLimit) value = kLimit;
  if (value < -kLimit) value = -kLimit;
  return Quantity(value * 1000, format);
}

int64_t Quantity::Value() const {
  int64_t whole = milli_ / 1000;
  if (milli_ % 1000 > 0) ++whole;
  if (milli_ % 1000 < 0) --whole;
  return whole;
}

std::string Quantity::ToString() const {
  if (milli_ == 0) return "0";
  Format format = format_;
  if (format == Format::kBinarySI) {
    if ((milli_ > -1024000 && milli_ < 1024000) || milli_ % 1000 != 0) format = Format::kDecimalSI;
  }
  if (format == Format::kBinarySI) {
    static constexpr std::string_view kSuffixes[] = {"", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"};
    int64_t amount = milli_ / 1000;
    size_t step = 0;
    while (step + 1 < std::size(kSuffixes) && amount % 1024 == 0) {
      amount /= 1024;
      ++step;
    }
    return std::to_string(amount) + std::string(kSuffixes[step]);
  }
  int64_t amount = milli_;
  int exponent = -3;
  while (amount % 10 == 0) {
    amount /= 10;
    ++exponent;
  }
  while (exponent % 3 != 0) {
    amount *= 10;
    --exponent;
  }
  std::string out = std::to_string(amount);
  if (format == Format::kDecimalExponent) {
    if (exponent != 0) out += "e" + std::to_string(exponent);
    return out;
  }
  switch (exponent) {
    case -3: return out + "m";
    case 3: return out + "k";
    case 6: return out + "M";
    case 9: return out + "G";
    case 12: return out + "T";
    case 15: return out + "P";
    default: return out;  // 0
  }
}

}  // namespace hami::api
