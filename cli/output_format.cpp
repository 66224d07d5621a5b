#include "output_format.hpp"

#include <algorithm>
#include <cstdio>

namespace rivet::cli {

std::string valueText(const nlohmann::json& value) {
  if (value.is_null()) return "-";
  if (value.is_string()) return value.get<std::string>();
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string fieldText(const nlohmann::json& object, const char* key) {
  const auto found = object.find(key);
  return found == object.end() ? "-" : valueText(*found);
}

std::string durationText(std::int64_t milliseconds) {
  char text[32];
  if (milliseconds < 1000) {
    std::snprintf(text, sizeof text, "%lld ms", static_cast<long long>(milliseconds));
  } else if (milliseconds < 60'000) {
    std::snprintf(text, sizeof text, "%.1f s", static_cast<double>(milliseconds) / 1000);
  } else if (milliseconds < 3'600'000) {
    const long long seconds = milliseconds / 1000;
    std::snprintf(text, sizeof text, "%lld min %02lld s", seconds / 60, seconds % 60);
  } else {
    const long long minutes = milliseconds / 60'000;
    std::snprintf(text, sizeof text, "%lld h %02lld min", minutes / 60, minutes % 60);
  }
  return text;
}

void printFields(std::ostream& out, const Fields& fields) {
  std::size_t width = 0;
  for (const auto& field : fields) width = std::max(width, field.first.size());
  for (const auto& [key, value] : fields) {
    out << key << ':' << std::string(width - key.size() + 1, ' ') << value << '\n';
  }
}

void printTable(std::ostream& out, const TableRow& header, const std::vector<TableRow>& rows) {
  std::vector<std::size_t> widths(header.size(), 0);
  const auto measure = [&widths](const TableRow& row) {
    for (std::size_t column = 0; column < row.size() && column < widths.size(); ++column) {
      widths[column] = std::max(widths[column], row[column].size());
    }
  };
  measure(header);
  for (const auto& row : rows) measure(row);

  const auto print = [&](const TableRow& row) {
    std::string line;
    for (std::size_t column = 0; column < row.size() && column < widths.size(); ++column) {
      line += row[column] + std::string(widths[column] - row[column].size() + 2, ' ');
    }
    line.erase(line.find_last_not_of(' ') + 1);
    out << line << '\n';
  };
  print(header);
  for (const auto& row : rows) print(row);
}

void printJson(std::ostream& out, const nlohmann::json& value) {
  out << value.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
}

}  // namespace rivet::cli
