#include "harness/core/utf8.h"

namespace dlmeval {
namespace {

// Bounds of the second byte allowed after each lead byte (Unicode Table 3-7); the rest of a
// sequence are plain continuation bytes 0x80..0xBF.
bool second_byte_ok(unsigned char lead, unsigned char second) {
  if (lead == 0xE0) return second >= 0xA0 && second <= 0xBF;
  if (lead == 0xED) return second >= 0x80 && second <= 0x9F;
  if (lead == 0xF0) return second >= 0x90 && second <= 0xBF;
  if (lead == 0xF4) return second >= 0x80 && second <= 0x8F;
  return second >= 0x80 && second <= 0xBF;
}

size_t sequence_width(unsigned char lead) {
  if (lead < 0x80) return 1;
  if (lead >= 0xC2 && lead <= 0xDF) return 2;
  if (lead >= 0xE0 && lead <= 0xEF) return 3;
  if (lead >= 0xF0 && lead <= 0xF4) return 4;
  return 0;
}

bool is_continuation(unsigned char byte) { return (byte & 0xC0) == 0x80; }

}  // namespace

size_t valid_utf8_length(std::string_view text, size_t pos) {
  const auto lead = static_cast<unsigned char>(text[pos]);
  const size_t width = sequence_width(lead);
  if (width <= 1 || pos + width > text.size()) return width == 1 ? 1 : 0;
  if (!second_byte_ok(lead, static_cast<unsigned char>(text[pos + 1]))) return 0;
  for (size_t k = 2; k < width; ++k)
    if (!is_continuation(static_cast<unsigned char>(text[pos + k]))) return 0;
  return width;
}

bool is_valid_utf8(std::string_view text) {
  size_t pos = 0;
  while (pos < text.size()) {
    if (static_cast<unsigned char>(text[pos]) < 0x80) {
      ++pos;
      continue;
    }
    const size_t width = valid_utf8_length(text, pos);
    if (width == 0) return false;
    pos += width;
  }
  return true;
}

char32_t next_code_point(std::string_view text, size_t& pos) {
  const auto lead = static_cast<unsigned char>(text[pos]);
  if (lead < 0x80) {
    ++pos;
    return lead;
  }
  const size_t width = sequence_width(lead);
  char32_t cp = width == 2 ? (lead & 0x1F) : width == 3 ? (lead & 0x0F) : (lead & 0x07);
  for (size_t k = 1; k < width; ++k) cp = (cp << 6) | (static_cast<unsigned char>(text[pos + k]) & 0x3F);
  pos += width;
  return cp;
}

void append_utf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

std::string utf8_lossy(std::string_view bytes) {
  static constexpr std::string_view replacement = "\xEF\xBF\xBD";
  std::string out;
  out.reserve(bytes.size());
  size_t pos = 0;
  while (pos < bytes.size()) {
    const auto lead = static_cast<unsigned char>(bytes[pos]);
    if (lead < 0x80) {
      out.push_back(static_cast<char>(lead));
      ++pos;
      continue;
    }
    const size_t width = sequence_width(lead);
    if (width == 0) {
      out += replacement;
      ++pos;
      continue;
    }
    // Consume the longest valid prefix of the sequence; that prefix (a "maximal subpart")
    // becomes a single replacement character when the sequence is incomplete.
    size_t taken = 1;
    if (pos + 1 < bytes.size() && second_byte_ok(lead, static_cast<unsigned char>(bytes[pos + 1]))) {
      taken = 2;
      while (taken < width && pos + taken < bytes.size() &&
             is_continuation(static_cast<unsigned char>(bytes[pos + taken])))
        ++taken;
    }
    if (taken == width) {
      out.append(bytes.substr(pos, width));
    } else {
      out += replacement;
    }
    pos += taken;
  }
  return out;
}

}  // namespace dlmeval
