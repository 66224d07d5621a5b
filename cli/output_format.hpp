// Human-readable output: aligned "key: value" lines, column tables, and JSON for --json.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

namespace rivet::cli {

using Fields = std::vector<std::pair<std::string, std::string>>;
using TableRow = std::vector<std::string>;

// A JSON value as one table cell or field: strings bare, null as "-", others as compact JSON.
std::string valueText(const nlohmann::json& value);

// valueText of object[key], "-" when the key is absent.
std::string fieldText(const nlohmann::json& object, const char* key);

// "850 ms", "12.3 s", "4 min 05 s", "2 h 03 min".
std::string durationText(std::int64_t milliseconds);

// "key:   value" lines, values aligned.
void printFields(std::ostream& out, const Fields& fields);

// Columns aligned on the widest cell, two spaces apart, no trailing blanks.
void printTable(std::ostream& out, const TableRow& header, const std::vector<TableRow>& rows);

// Indented JSON. Bytes that are not UTF-8 are replaced rather than failing the dump.
void printJson(std::ostream& out, const nlohmann::json& value);

}  // namespace rivet::cli
