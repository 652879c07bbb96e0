#pragma once
#include <string>
#include <string_view>

namespace dlmeval {

// Lower-case hex SHA-256 of a byte string.
std::string sha256_hex(std::string_view bytes);
// Lower-case hex SHA-256 of a file's bytes, streamed; throws UserError if unreadable.
std::string sha256_file(const std::string& path);
// Short fingerprint (first 16 hex chars of SHA-256) for display and file names.
std::string short_fingerprint(std::string_view bytes);

}  // namespace dlmeval
