#include "runners/tokenizer/decoders.h"

#include <optional>

#include "harness/core/error.h"
#include "runners/tokenizer/byte_level.h"
#include "runners/tokenizer/json_fields.h"
#include "runners/tokenizer/regex.h"
#include "harness/core/utf8.h"

namespace dlmeval::tokenizer {
namespace {

// Maps byte-level characters back to bytes. A token holding any character outside the alphabet
// (an added token such as "<|im start|>" with a space) contributes its own UTF-8 bytes instead.
class ByteLevelDecoder : public Decoder {
 public:
  void decode_chain(std::vector<std::string>& tokens) const override {
    const auto& alphabet = ByteLevelAlphabet::instance();
    std::string bytes;
    std::string token_bytes;
    for (const auto& token : tokens) {
      token_bytes.clear();
      bool all_mapped = true;
      size_t pos = 0;
      while (pos < token.size()) {
        const auto byte = alphabet.byte_of(next_code_point(token, pos));
        if (!byte) {
          all_mapped = false;
          break;
        }
        token_bytes.push_back(static_cast<char>(*byte));
      }
      bytes += all_mapped ? token_bytes : token;
    }
    tokens.assign(1, utf8_lossy(bytes));
  }
};

class ReplaceDecoder : public Decoder {
 public:
  ReplaceDecoder(const Json& spec, const std::string& where)
      : regex_(pattern_source(spec, where), pattern_is_literal(spec, where), where),
        content_(string_field(spec, "content", where)) {}

  void decode_chain(std::vector<std::string>& tokens) const override {
    for (auto& token : tokens) {
      const auto matches = regex_.find_all(token);
      if (matches.empty()) continue;
      std::string out;
      size_t last = 0;
      for (const auto& [start, end] : matches) {
        out.append(token, last, start - last);
        out += content_;
        last = end;
      }
      out.append(token, last, std::string::npos);
      token = std::move(out);
    }
  }

 private:
  Regex regex_;
  std::string content_;
};

class StripDecoder : public Decoder {
 public:
  StripDecoder(const Json& spec, const std::string& where) {
    const std::string content = string_field(spec, "content", where);
    size_t pos = 0;
    if (content.empty() || !is_valid_utf8(content) || (next_code_point(content, pos), pos != content.size()))
      throw UserError(where + ": \"content\" must be a single character");
    content_ = content;
    start_ = spec.value("start", 0);
    stop_ = spec.value("stop", 0);
  }

  void decode_chain(std::vector<std::string>& tokens) const override {
    for (auto& token : tokens) {
      std::vector<size_t> offsets;  // start of each character, plus the end
      for (size_t pos = 0; pos < token.size();) {
        offsets.push_back(pos);
        next_code_point(token, pos);
      }
      const size_t count = offsets.size();
      offsets.push_back(token.size());
      const auto char_is_content = [&](size_t i) {
        return token.compare(offsets[i], offsets[i + 1] - offsets[i], content_) == 0;
      };
      size_t begin = 0;
      while (begin < count && begin < static_cast<size_t>(start_) && char_is_content(begin)) ++begin;
      size_t end = count;
      for (int i = 0; i < stop_ && end > 0 && char_is_content(end - 1); ++i) --end;
      if (end < begin) end = begin;
      token = token.substr(offsets[begin], offsets[end] - offsets[begin]);
    }
  }

 private:
  std::string content_;
  int start_ = 0;
  int stop_ = 0;
};

// Gathers runs of "<0xAB>" tokens into bytes; a run that is not valid UTF-8 becomes one U+FFFD
// per byte, as the reference does.
class ByteFallbackDecoder : public Decoder {
 public:
  void decode_chain(std::vector<std::string>& tokens) const override {
    std::vector<std::string> out;
    std::string pending;
    const auto flush = [&] {
      if (pending.empty()) return;
      if (is_valid_utf8(pending)) {
        out.push_back(pending);
      } else {
        for (size_t i = 0; i < pending.size(); ++i) out.emplace_back("\xEF\xBF\xBD");
      }
      pending.clear();
    };
    for (auto& token : tokens) {
      if (const auto byte = parse_byte_token(token)) {
        pending.push_back(static_cast<char>(*byte));
        continue;
      }
      flush();
      out.push_back(std::move(token));
    }
    flush();
    tokens = std::move(out);
  }

 private:
  static std::optional<uint8_t> parse_byte_token(const std::string& token) {
    if (token.size() != 6 || token.compare(0, 3, "<0x") != 0 || token[5] != '>') return std::nullopt;
    int value = 0;
    for (size_t i = 3; i < 5; ++i) {
      const char c = token[i];
      int digit;
      if (c >= '0' && c <= '9') digit = c - '0';
      else if (c >= 'a' && c <= 'f') digit = c - 'a' + 10;
      else if (c >= 'A' && c <= 'F') digit = c - 'A' + 10;
      else return std::nullopt;
      value = value * 16 + digit;
    }
    return static_cast<uint8_t>(value);
  }
};

class FuseDecoder : public Decoder {
 public:
  void decode_chain(std::vector<std::string>& tokens) const override {
    std::string joined;
    for (const auto& token : tokens) joined += token;
    tokens.assign(1, std::move(joined));
  }
};

class SequenceDecoder : public Decoder {
 public:
  explicit SequenceDecoder(std::vector<std::unique_ptr<Decoder>> steps) : steps_(std::move(steps)) {}
  void decode_chain(std::vector<std::string>& tokens) const override {
    for (const auto& step : steps_) step->decode_chain(tokens);
  }

 private:
  std::vector<std::unique_ptr<Decoder>> steps_;
};

}  // namespace

std::unique_ptr<Decoder> make_decoder(const Json& spec, const std::string& where) {
  if (spec.is_null()) return nullptr;
  const std::string type = type_field(spec, where);
  if (type == "ByteLevel") return std::make_unique<ByteLevelDecoder>();
  if (type == "Replace") return std::make_unique<ReplaceDecoder>(spec, where + ".Replace");
  if (type == "Strip") return std::make_unique<StripDecoder>(spec, where + ".Strip");
  if (type == "ByteFallback") return std::make_unique<ByteFallbackDecoder>();
  if (type == "Fuse") return std::make_unique<FuseDecoder>();
  if (type == "Sequence") {
    std::vector<std::unique_ptr<Decoder>> steps;
    const Json& list = array_field(spec, "decoders", where + ".Sequence");
    for (size_t i = 0; i < list.size(); ++i) {
      auto step = make_decoder(list[i], where + ".decoders[" + std::to_string(i) + "]");
      if (step) steps.push_back(std::move(step));
    }
    return std::make_unique<SequenceDecoder>(std::move(steps));
  }
  throw UserError(where + ": unsupported decoder type \"" + type +
                  "\" (supported: ByteLevel, Replace, Strip, ByteFallback, Fuse, Sequence)");
}

}  // namespace dlmeval::tokenizer
