#include "server/util/validity_time.hpp"

#include <cctype>

namespace tessera::util {
namespace {

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil).
long long days_from_civil(long long y, unsigned m, unsigned d) {
  y -= m <= 2;
  const long long era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<long long>(doe) - 719468;
}

bool is_leap(long long y) {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

}  // namespace

std::optional<long long> parse_validity_time(std::string_view text) {
  size_t at = 0;
  const auto number = [&](size_t digits) -> std::optional<int> {
    if (at + digits > text.size()) return std::nullopt;
    int value = 0;
    for (size_t i = 0; i < digits; ++i) {
      const char c = text[at + i];
      if (!std::isdigit(static_cast<unsigned char>(c))) return std::nullopt;
      value = value * 10 + (c - '0');
    }
    at += digits;
    return value;
  };
  const auto literal = [&](char c) {
    if (at < text.size() && text[at] == c) return ++at, true;
    return false;
  };
  const auto year = number(4);
  if (!year || !literal('-')) return std::nullopt;
  const auto month = number(2);
  if (!month || !literal('-')) return std::nullopt;
  const auto day = number(2);
  if (!day || !(literal('T') || literal(' '))) return std::nullopt;
  const auto hour = number(2);
  if (!hour || !literal(':')) return std::nullopt;
  const auto minute = number(2);
  if (!minute) return std::nullopt;
  int second = 0;
  if (literal(':')) {
    const auto s = number(2);
    if (!s) return std::nullopt;
    second = *s;
  }
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (*month < 1 || *month > 12 || *day < 1 ||
      *day > kDays[*month - 1] + (*month == 2 && is_leap(*year)) || *hour > 23 || *minute > 59 ||
      second > 59)
    return std::nullopt;
  long long offset = 0;
  if (at < text.size() && text[at] == 'Z') {
    ++at;
  } else if (at < text.size() && (text[at] == '+' || text[at] == '-')) {
    const int sign = text[at++] == '-' ? -1 : 1;
    const auto hours = number(2);
    if (!hours) return std::nullopt;
    literal(':');
    const auto minutes = number(2);
    if (!minutes || *hours > 14 || *minutes > 59) return std::nullopt;
    offset = sign * (*hours * 3600LL + *minutes * 60LL);
  }
  if (at != text.size()) return std::nullopt;
  return days_from_civil(*year, static_cast<unsigned>(*month), static_cast<unsigned>(*day)) *
             86400 +
         *hour * 3600LL + *minute * 60LL + second - offset;
}

}  // namespace tessera::util
