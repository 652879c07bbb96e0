#include "runners/tokenizer/byte_level.h"

#include "harness/core/utf8.h"

namespace dlmeval::tokenizer {
namespace {
bool maps_to_itself(int byte) {
  return (byte >= '!' && byte <= '~') || (byte >= 0xA1 && byte <= 0xAC) || (byte >= 0xAE && byte <= 0xFF);
}
}  // namespace

ByteLevelAlphabet::ByteLevelAlphabet() {
  byte_by_code_point_.fill(-1);
  char32_t next_extra = 0x100;
  for (int byte = 0; byte < 256; ++byte) {
    const char32_t cp = maps_to_itself(byte) ? static_cast<char32_t>(byte) : next_extra++;
    append_utf8(chars_[byte], cp);
    byte_by_code_point_[cp] = static_cast<int16_t>(byte);
  }
}

const ByteLevelAlphabet& ByteLevelAlphabet::instance() {
  static const ByteLevelAlphabet alphabet;
  return alphabet;
}

std::optional<uint8_t> ByteLevelAlphabet::byte_of(char32_t cp) const {
  if (cp >= byte_by_code_point_.size() || byte_by_code_point_[cp] < 0) return std::nullopt;
  return static_cast<uint8_t>(byte_by_code_point_[cp]);
}

std::string ByteLevelAlphabet::encode(std::string_view text) const {
  std::string out;
  out.reserve(text.size() * 2);
  for (char c : text) out += chars_[static_cast<uint8_t>(c)];
  return out;
}

}  // namespace dlmeval::tokenizer
