#pragma once
// GPT-2's reversible byte <-> printable character mapping used by byte-level BPE: printable
// Latin-1 bytes map to themselves, the other 68 bytes to U+0100 onwards, in byte order.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace dlmeval::tokenizer {

class ByteLevelAlphabet {
 public:
  static const ByteLevelAlphabet& instance();

  // UTF-8 of the character that stands for `byte`.
  const std::string& char_of(uint8_t byte) const { return chars_[byte]; }
  // The byte a character stands for, if it is one of the 256 alphabet characters.
  std::optional<uint8_t> byte_of(char32_t cp) const;
  // Maps every byte of `text` to its character.
  std::string encode(std::string_view text) const;

 private:
  ByteLevelAlphabet();
  std::array<std::string, 256> chars_;
  std::array<int16_t, 0x144> byte_by_code_point_{};  // highest alphabet code point is U+0143
};

}  // namespace dlmeval::tokenizer
