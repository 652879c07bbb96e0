#include "tasks/python_literal.h"

#include <cmath>

#include "harness/core/error.h"
#include "harness/core/utf8.h"

namespace dlmeval {
namespace {

class LiteralParser {
 public:
  LiteralParser(const std::string& text, const std::string& where) : s_(text), where_(where) {}

  Json parse_all() {
    Json value = parse_value(0);
    skip_space();
    if (pos_ != s_.size()) fail("unexpected text after the value");
    return value;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw UserError(where_ + ": not a Python literal (" + what + " at offset " + std::to_string(pos_) + ")");
  }

  void skip_space() {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r')) ++pos_;
  }

  bool take(char c) {
    skip_space();
    if (pos_ < s_.size() && s_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }

  Json parse_value(int depth) {
    if (depth > 64) fail("nesting deeper than 64");
    skip_space();
    if (pos_ >= s_.size()) fail("missing value");
    const char c = s_[pos_];
    if (c == '[' || c == '(') return parse_sequence(c == '[' ? ']' : ')', depth);
    if (c == '{') return parse_dict(depth);
    if (c == '\'' || c == '"') {
      std::string out;
      // Adjacent literals concatenate, as in Python source.
      while (pos_ < s_.size() && (s_[pos_] == '\'' || s_[pos_] == '"')) {
        out += parse_string();
        skip_space();
      }
      return out;
    }
    if (s_.compare(pos_, 4, "True") == 0) return keyword(4, Json(true));
    if (s_.compare(pos_, 5, "False") == 0) return keyword(5, Json(false));
    if (s_.compare(pos_, 4, "None") == 0) return keyword(4, Json(nullptr));
    if (c == '-' || c == '+' || (c >= '0' && c <= '9') || c == '.') return parse_number();
    fail(std::string("unexpected character '") + c + "'");
  }

  Json keyword(size_t length, Json value) {
    pos_ += length;
    if (pos_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[pos_])) || s_[pos_] == '_')) fail("unknown name");
    return value;
  }

  Json parse_sequence(char close, int depth) {
    ++pos_;
    Json out = Json::array();
    if (take(close)) return out;
    while (true) {
      out.push_back(parse_value(depth + 1));
      if (take(close)) return out;
      if (!take(',')) fail("expected ',' or the closing bracket");
      if (take(close)) return out;
    }
  }

  Json parse_dict(int depth) {
    ++pos_;
    Json out = Json::object();
    if (take('}')) return out;
    while (true) {
      Json key = parse_value(depth + 1);
      if (!take(':')) fail("expected ':'");
      Json value = parse_value(depth + 1);
      out[key.is_string() ? key.get<std::string>() : key.dump()] = std::move(value);
      if (take('}')) return out;
      if (!take(',')) fail("expected ',' or '}'");
      if (take('}')) return out;
    }
  }

  Json parse_number() {
    const size_t start = pos_;
    if (s_[pos_] == '-' || s_[pos_] == '+') ++pos_;
    bool is_float = false;
    while (pos_ < s_.size()) {
      const char c = s_[pos_];
      if (c >= '0' && c <= '9') {
        ++pos_;
      } else if (c == '.' || c == 'e' || c == 'E') {
        is_float = true;
        ++pos_;
        if ((c == 'e' || c == 'E') && pos_ < s_.size() && (s_[pos_] == '-' || s_[pos_] == '+')) ++pos_;
      } else if (c == '_') {
        ++pos_;
      } else {
        break;
      }
    }
    std::string digits;
    for (size_t i = start; i < pos_; ++i)
      if (s_[i] != '_') digits += s_[i];
    try {
      size_t used = 0;
      if (!is_float) {
        const long long v = std::stoll(digits, &used);
        if (used == digits.size()) return v;
      } else {
        const double v = std::stod(digits, &used);
        if (used == digits.size() && std::isfinite(v)) return v;
      }
    } catch (const std::exception&) {
    }
    fail("malformed number \"" + digits + "\"");
  }

  unsigned hex_digits(size_t count) {
    if (pos_ + count > s_.size()) fail("truncated escape");
    unsigned value = 0;
    for (size_t i = 0; i < count; ++i) {
      const char c = s_[pos_++];
      value *= 16;
      if (c >= '0' && c <= '9') value += static_cast<unsigned>(c - '0');
      else if (c >= 'a' && c <= 'f') value += static_cast<unsigned>(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F') value += static_cast<unsigned>(c - 'A' + 10);
      else fail("bad hex digit in an escape");
    }
    return value;
  }

  std::string parse_string() {
    const char quote = s_[pos_];
    const bool triple = s_.compare(pos_, 3, std::string(3, quote)) == 0;
    pos_ += triple ? 3 : 1;
    std::string out;
    while (true) {
      if (pos_ >= s_.size()) fail("unterminated string");
      const char c = s_[pos_];
      if (c == quote && (!triple || s_.compare(pos_, 3, std::string(3, quote)) == 0)) {
        pos_ += triple ? 3 : 1;
        return out;
      }
      if (c == '\n' && !triple) fail("newline inside a string");
      if (c != '\\') {
        out += c;
        ++pos_;
        continue;
      }
      if (++pos_ >= s_.size()) fail("unterminated escape");
      const char e = s_[pos_++];
      switch (e) {
        case '\n': break;
        case '\\': out += '\\'; break;
        case '\'': out += '\''; break;
        case '"': out += '"'; break;
        case 'a': out += '\a'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'v': out += '\v'; break;
        case 'x': append_utf8(out, hex_digits(2)); break;
        case 'u': append_utf8(out, hex_digits(4)); break;
        case 'U': {
          const unsigned cp = hex_digits(8);
          if (cp > 0x10FFFF) fail("escape beyond U+10FFFF");
          append_utf8(out, cp);
          break;
        }
        default:
          if (e >= '0' && e <= '7') {
            unsigned value = static_cast<unsigned>(e - '0');
            for (int i = 0; i < 2 && pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '7'; ++i)
              value = value * 8 + static_cast<unsigned>(s_[pos_++] - '0');
            append_utf8(out, value);
          } else {
            out += '\\';
            out += e;
          }
      }
    }
  }

  const std::string& s_;
  const std::string& where_;
  size_t pos_ = 0;
};

}  // namespace

Json parse_python_literal(const std::string& text, const std::string& where) {
  return LiteralParser(text, where).parse_all();
}

}  // namespace dlmeval
