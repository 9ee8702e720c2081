#include "sources/rfc3339.h"

namespace vmdns::sources {
namespace {

// Reads exactly `digits` decimal digits at `pos`.
std::optional<int64_t> number(std::string_view text, size_t& pos, size_t digits) {
  if (pos + digits > text.size()) {
    return std::nullopt;
  }
  int64_t value = 0;
  for (size_t i = 0; i < digits; ++i) {
    char c = text[pos + i];
    if (c < '0' || c > '9') {
      return std::nullopt;
    }
    value = value * 10 + (c - '0');
  }
  pos += digits;
  return value;
}

bool expect(std::string_view text, size_t& pos, char c) {
  if (pos < text.size() && (text[pos] == c || (c == 'T' && text[pos] == 't'))) {
    ++pos;
    return true;
  }
  return false;
}

bool leap(int64_t year) {
  return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

// Days from 1970-01-01 to the first of `month` in `year` (proleptic Gregorian).
int64_t days_since_epoch(int64_t year, int64_t month, int64_t day) {
  static constexpr int kBefore[12] = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334};
  int64_t days = 0;
  for (int64_t y = 1970; y < year; ++y) {
    days += leap(y) ? 366 : 365;
  }
  days += kBefore[month - 1] + (month > 2 && leap(year) ? 1 : 0);
  return days + day - 1;
}

}  // namespace

std::optional<int64_t> parse_rfc3339(std::string_view text) {
  size_t pos = 0;
  auto year = number(text, pos, 4);
  if (!year || !expect(text, pos, '-')) {
    return std::nullopt;
  }
  auto month = number(text, pos, 2);
  if (!month || !expect(text, pos, '-')) {
    return std::nullopt;
  }
  auto day = number(text, pos, 2);
  if (!day || !expect(text, pos, 'T')) {
    return std::nullopt;
  }
  auto hour = number(text, pos, 2);
  if (!hour || !expect(text, pos, ':')) {
    return std::nullopt;
  }
  auto minute = number(text, pos, 2);
  if (!minute || !expect(text, pos, ':')) {
    return std::nullopt;
  }
  auto second = number(text, pos, 2);
  if (!second) {
    return std::nullopt;
  }
  int64_t fraction = 0;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    size_t digits = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      if (++digits > 9) {
        return std::nullopt;
      }
      fraction = fraction * 10 + (text[pos++] - '0');
    }
    if (digits == 0) {
      return std::nullopt;
    }
    for (; digits < 9; ++digits) {
      fraction *= 10;
    }
  }
  int64_t offset_minutes = 0;
  if (pos < text.size() && (text[pos] == 'Z' || text[pos] == 'z')) {
    ++pos;
  } else if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
    int64_t sign = text[pos++] == '-' ? -1 : 1;
    auto offset_hours = number(text, pos, 2);
    if (!offset_hours || !expect(text, pos, ':')) {
      return std::nullopt;
    }
    auto offset_mins = number(text, pos, 2);
    if (!offset_mins || *offset_hours > 23 || *offset_mins > 59) {
      return std::nullopt;
    }
    offset_minutes = sign * (*offset_hours * 60 + *offset_mins);
  } else {
    return std::nullopt;
  }
  if (pos != text.size()) {
    return std::nullopt;
  }
  static constexpr int kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (*year < 1970 || *year > 2261 || *month < 1 || *month > 12 || *day < 1 ||
      *day > kDays[*month - 1] + (*month == 2 && leap(*year) ? 1 : 0) || *hour > 23 ||
      *minute > 59 || *second > 60) {  // 60: a leap second
    return std::nullopt;
  }
  int64_t seconds = days_since_epoch(*year, *month, *day) * 86400 + *hour * 3600 + *minute * 60 +
                    *second - offset_minutes * 60;
  if (seconds < 0) {
    return std::nullopt;
  }
  return seconds * 1'000'000'000 + fraction;
}

}  // namespace vmdns::sources
