#include "runners/tokenizer/normalizers.h"

#include <unicode/bytestream.h>
#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/ustring.h>

#include <vector>

#include "harness/core/error.h"
#include "runners/tokenizer/json_fields.h"
#include "runners/tokenizer/regex.h"
#include "harness/core/utf8.h"

namespace dlmeval::tokenizer {
namespace {

bool is_ascii(const std::string& text) {
  for (char c : text)
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  return true;
}

class UnicodeNormalization : public Normalizer {
 public:
  UnicodeNormalization(const std::string& form, const std::string& where) {
    UErrorCode status = U_ZERO_ERROR;
    if (form == "NFC") instance_ = icu::Normalizer2::getNFCInstance(status);
    if (form == "NFD") instance_ = icu::Normalizer2::getNFDInstance(status);
    if (form == "NFKC") instance_ = icu::Normalizer2::getNFKCInstance(status);
    if (form == "NFKD") instance_ = icu::Normalizer2::getNFKDInstance(status);
    if (U_FAILURE(status) || !instance_) throw UserError(where + ": ICU has no " + form + " normalizer");
  }

  void normalize(std::string& text) const override {
    // Every form leaves ASCII unchanged, and most model input is ASCII.
    if (is_ascii(text)) return;
    UErrorCode status = U_ZERO_ERROR;
    if (instance_->isNormalizedUTF8(text, status) && U_SUCCESS(status)) return;
    status = U_ZERO_ERROR;
    std::string result;
    icu::StringByteSink<std::string> sink(&result, static_cast<int32_t>(text.size()));
    instance_->normalizeUTF8(0, text, sink, nullptr, status);
    if (U_FAILURE(status)) throw UserError(std::string("Unicode normalization failed: ") + u_errorName(status));
    text = std::move(result);
  }

 private:
  const icu::Normalizer2* instance_ = nullptr;
};

// Character-by-character full lowercase mapping (no context such as final sigma), like Rust's
// char::to_lowercase that the reference applies per character.
class Lowercase : public Normalizer {
 public:
  void normalize(std::string& text) const override {
    std::string out;
    out.reserve(text.size());
    size_t pos = 0;
    while (pos < text.size()) {
      const char32_t cp = next_code_point(text, pos);
      if (cp < 0x80) {
        out.push_back(static_cast<char>(cp >= 'A' && cp <= 'Z' ? cp + 32 : cp));
        continue;
      }
      UChar source[2];
      int32_t source_length = 0;
      U16_APPEND_UNSAFE(source, source_length, static_cast<UChar32>(cp));
      UChar lowered[8];
      UErrorCode status = U_ZERO_ERROR;
      const int32_t length = u_strToLower(lowered, 8, source, source_length, "", &status);
      if (U_FAILURE(status)) {
        append_utf8(out, cp);
        continue;
      }
      for (int32_t k = 0; k < length;) {
        UChar32 c;
        U16_NEXT(lowered, k, length, c);
        append_utf8(out, static_cast<char32_t>(c));
      }
    }
    text = std::move(out);
  }
};

class Replace : public Normalizer {
 public:
  Replace(const Json& spec, const std::string& where)
      : regex_(pattern_source(spec, where), pattern_is_literal(spec, where), where),
        content_(string_field(spec, "content", where)) {}

  void normalize(std::string& text) const override {
    const auto matches = regex_.find_all(text);
    if (matches.empty()) return;
    std::string out;
    size_t last = 0;
    for (const auto& [start, end] : matches) {
      out.append(text, last, start - last);
      out += content_;
      last = end;
    }
    out.append(text, last, std::string::npos);
    text = std::move(out);
  }

 private:
  Regex regex_;
  std::string content_;
};

class Prepend : public Normalizer {
 public:
  explicit Prepend(std::string prefix) : prefix_(std::move(prefix)) {}
  void normalize(std::string& text) const override {
    if (!text.empty()) text.insert(0, prefix_);
  }

 private:
  std::string prefix_;
};

class Strip : public Normalizer {
 public:
  Strip(bool left, bool right) : left_(left), right_(right) {}
  void normalize(std::string& text) const override {
    size_t begin = 0;
    size_t end = text.size();
    if (left_) {
      while (begin < end) {
        size_t next = begin;
        if (!u_isUWhiteSpace(static_cast<UChar32>(next_code_point(text, next)))) break;
        begin = next;
      }
    }
    if (right_) {
      while (end > begin) {
        size_t start = end - 1;
        while (start > begin && (static_cast<unsigned char>(text[start]) & 0xC0) == 0x80) --start;
        size_t probe = start;
        if (!u_isUWhiteSpace(static_cast<UChar32>(next_code_point(text, probe)))) break;
        end = start;
      }
    }
    text = text.substr(begin, end - begin);
  }

 private:
  bool left_, right_;
};

class Sequence : public Normalizer {
 public:
  explicit Sequence(std::vector<std::unique_ptr<Normalizer>> steps) : steps_(std::move(steps)) {}
  void normalize(std::string& text) const override {
    for (const auto& step : steps_) step->normalize(text);
  }

 private:
  std::vector<std::unique_ptr<Normalizer>> steps_;
};

}  // namespace

std::unique_ptr<Normalizer> make_normalizer(const Json& spec, const std::string& where) {
  if (spec.is_null()) return nullptr;
  const std::string type = type_field(spec, where);
  if (type == "NFC" || type == "NFD" || type == "NFKC" || type == "NFKD")
    return std::make_unique<UnicodeNormalization>(type, where);
  if (type == "Lowercase") return std::make_unique<Lowercase>();
  if (type == "Replace") return std::make_unique<Replace>(spec, where + ".Replace");
  if (type == "Prepend") return std::make_unique<Prepend>(string_field(spec, "prepend", where + ".Prepend"));
  if (type == "Strip")
    return std::make_unique<Strip>(spec.value("strip_left", false), spec.value("strip_right", false));
  if (type == "Sequence") {
    std::vector<std::unique_ptr<Normalizer>> steps;
    const Json& list = array_field(spec, "normalizers", where + ".Sequence");
    for (size_t i = 0; i < list.size(); ++i) {
      auto step = make_normalizer(list[i], where + ".normalizers[" + std::to_string(i) + "]");
      if (step) steps.push_back(std::move(step));
    }
    return std::make_unique<Sequence>(std::move(steps));
  }
  throw UserError(where + ": unsupported normalizer type \"" + type +
                  "\" (supported: NFC, NFD, NFKC, NFKD, Lowercase, Replace, Prepend, Strip, Sequence)");
}

}  // namespace dlmeval::tokenizer
