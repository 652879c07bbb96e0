#include "harness/core/jinja_lexer.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>

#include "harness/core/jinja_value.h"

namespace dlmeval::jinja {
namespace {

bool is_ws(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }

// Python str.rstrip() on UTF-8 text.
std::string py_rstrip(const std::string& s) {
  std::u32string u = utf8_decode(s);
  size_t n = u.size();
  while (n > 0 && py_isspace(u[n - 1])) --n;
  u.resize(n);
  return utf8_encode(u);
}
bool all_py_space(const std::string& s) {
  if (s.empty()) return false;
  for (char32_t c : utf8_decode(s))
    if (!py_isspace(c)) return false;
  return true;
}

class Lexer {
 public:
  Lexer(std::string src, const LexOptions& o) : src_(std::move(src)), opt_(o) {
    line_starts_.push_back(0);
    for (size_t k = 0; k < src_.size(); ++k)
      if (src_[k] == '\n') line_starts_.push_back(k + 1);
  }

  std::vector<Token> run() {
    size_t pos = 0;
    bool line_starting = true;
    const size_t n = src_.size();
    while (pos < n) {
      size_t start = find_tag(pos);
      if (start == std::string::npos) {
        emit_text(src_.substr(pos), pos);
        break;
      }
      char kind = src_[start + 1];  // '{', '%' or '#'
      size_t after = start + 2;
      char sign = 0;
      if (after < n && (src_[after] == '-' || src_[after] == '+')) {
        sign = src_[after];
        ++after;
      }
      size_t raw_body = 0;
      bool raw = kind == '%' && match_raw_begin(start, &raw_body);
      std::string text = src_.substr(pos, start - pos);
      if (sign == '-') {
        text = py_rstrip(text);
      } else if (sign != '+' && opt_.lstrip_blocks && kind != '{') {
        size_t l_pos = text.rfind('\n');
        l_pos = l_pos == std::string::npos ? 0 : l_pos + 1;
        if ((l_pos > 0 || line_starting) && all_py_space(text.substr(l_pos))) text.resize(l_pos);
      }
      emit_text(text, pos);
      if (raw) {
        pos = lex_raw(raw_body, &line_starting);
        continue;
      }
      if (kind == '#') {
        pos = lex_comment(start, after, &line_starting);
        continue;
      }
      tokens_.push_back(Token{kind == '{' ? Tok::VarBegin : Tok::BlockBegin, "", 0, 0.0, at(start)});
      pos = lex_tag(after, kind == '%', &line_starting);
    }
    tokens_.push_back(Token{Tok::Eof, "", 0, 0.0, at(n)});
    return std::move(tokens_);
  }

 private:
  Pos at(size_t offset) const {
    auto it = std::upper_bound(line_starts_.begin(), line_starts_.end(), offset);
    size_t line = static_cast<size_t>(it - line_starts_.begin());
    return Pos{static_cast<int>(line), static_cast<int>(offset - line_starts_[line - 1] + 1)};
  }
  [[noreturn]] void fail(size_t offset, const std::string& msg) const { throw SyntaxError{at(offset), msg}; }

  size_t find_tag(size_t from) const {
    for (size_t k = from; k + 1 < src_.size(); ++k)
      if (src_[k] == '{' && (src_[k + 1] == '{' || src_[k + 1] == '%' || src_[k + 1] == '#')) return k;
    return std::string::npos;
  }

  void emit_text(const std::string& text, size_t offset) {
    if (text.empty()) return;
    tokens_.push_back(Token{Tok::Text, text, 0, 0.0, at(offset)});
  }

  size_t skip_ws(size_t p) const {
    while (p < src_.size() && is_ws(src_[p])) ++p;
    return p;
  }

  // {%(-|+|)\s*raw\s*(-%}\s*|%}) at `start`; sets *body to the offset after it.
  bool match_raw_begin(size_t start, size_t* body) const {
    size_t p = start + 2;
    if (p < src_.size() && (src_[p] == '-' || src_[p] == '+')) ++p;
    p = skip_ws(p);
    if (src_.compare(p, 3, "raw") != 0) return false;
    p = skip_ws(p + 3);
    if (src_.compare(p, 3, "-%}") == 0) {
      *body = skip_ws(p + 3);
      return true;
    }
    if (src_.compare(p, 2, "%}") == 0) {
      *body = p + 2;
      return true;
    }
    return false;
  }

  size_t lex_raw(size_t body, bool* line_starting) {
    for (size_t k = body; k + 1 < src_.size(); ++k) {
      if (src_[k] != '{' || src_[k + 1] != '%') continue;
      size_t p = k + 2;
      char sign = 0;
      if (p < src_.size() && (src_[p] == '-' || src_[p] == '+')) sign = src_[p++];
      p = skip_ws(p);
      if (src_.compare(p, 6, "endraw") != 0) continue;
      p = skip_ws(p + 6);
      size_t end;
      if (src_.compare(p, 3, "+%}") == 0) {
        end = p + 3;
      } else if (src_.compare(p, 3, "-%}") == 0) {
        end = skip_ws(p + 3);
      } else if (src_.compare(p, 2, "%}") == 0) {
        end = p + 2;
        if (opt_.trim_blocks && end < src_.size() && src_[end] == '\n') ++end;
      } else {
        continue;
      }
      std::string text = src_.substr(body, k - body);
      if (sign == '-') {
        text = py_rstrip(text);
      } else if (sign != '+' && opt_.lstrip_blocks) {
        size_t l_pos = text.rfind('\n');
        l_pos = l_pos == std::string::npos ? 0 : l_pos + 1;
        if ((l_pos > 0 || *line_starting) && all_py_space(text.substr(l_pos))) text.resize(l_pos);
      }
      emit_text(text, body);
      *line_starting = end > 0 && src_[end - 1] == '\n';
      return end;
    }
    fail(body, "Missing end of raw directive");
  }

  size_t lex_comment(size_t start, size_t from, bool* line_starting) {
    for (size_t k = from; k + 1 < src_.size(); ++k) {
      if (src_[k] == '+' && src_.compare(k, 3, "+#}") == 0) {
        *line_starting = false;
        return k + 3;
      }
      if (src_[k] == '-' && src_.compare(k, 3, "-#}") == 0) {
        size_t end = skip_ws(k + 3);
        *line_starting = src_[end - 1] == '\n';
        return end;
      }
      if (src_[k] == '#' && src_[k + 1] == '}') {
        size_t end = k + 2;
        if (opt_.trim_blocks && end < src_.size() && src_[end] == '\n') ++end;
        *line_starting = src_[end - 1] == '\n';
        return end;
      }
    }
    fail(start, "Missing end of comment tag");
  }

  // Expression tokens up to the end of a {% %} or {{ }} tag.
  size_t lex_tag(size_t p, bool block, bool* line_starting) {
    std::vector<char> stack;
    const size_t n = src_.size();
    while (true) {
      if (p >= n) fail(p, block ? "unexpected end of template, expected end of block tag ('%}')"
                                : "unexpected end of template, expected end of print statement ('}}')");
      if (stack.empty()) {
        if (block) {
          if (src_.compare(p, 3, "+%}") == 0) {
            tokens_.push_back(Token{Tok::BlockEnd, "", 0, 0.0, at(p)});
            *line_starting = false;
            return p + 3;
          }
          if (src_.compare(p, 3, "-%}") == 0) {
            tokens_.push_back(Token{Tok::BlockEnd, "", 0, 0.0, at(p)});
            size_t end = skip_ws(p + 3);
            *line_starting = src_[end - 1] == '\n';
            return end;
          }
          if (src_.compare(p, 2, "%}") == 0) {
            tokens_.push_back(Token{Tok::BlockEnd, "", 0, 0.0, at(p)});
            size_t end = p + 2;
            if (opt_.trim_blocks && end < n && src_[end] == '\n') ++end;
            *line_starting = src_[end - 1] == '\n';
            return end;
          }
        } else {
          if (src_.compare(p, 3, "-}}") == 0) {
            tokens_.push_back(Token{Tok::VarEnd, "", 0, 0.0, at(p)});
            size_t end = skip_ws(p + 3);
            *line_starting = src_[end - 1] == '\n';
            return end;
          }
          if (src_.compare(p, 2, "}}") == 0) {
            tokens_.push_back(Token{Tok::VarEnd, "", 0, 0.0, at(p)});
            *line_starting = false;
            return p + 2;
          }
        }
      }
      char c = src_[p];
      if (is_ws(c)) {
        ++p;
        continue;
      }
      if (std::isdigit(static_cast<unsigned char>(c))) {
        p = lex_number(p);
        continue;
      }
      if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
        size_t q = p;
        while (q < n && (std::isalnum(static_cast<unsigned char>(src_[q])) || src_[q] == '_')) ++q;
        tokens_.push_back(Token{Tok::Name, src_.substr(p, q - p), 0, 0.0, at(p)});
        p = q;
        continue;
      }
      if (c == '\'' || c == '"') {
        p = lex_string(p);
        continue;
      }
      static const char* const two[] = {"//", "**", "==", "!=", ">=", "<="};
      std::string op;
      for (const char* t : two)
        if (src_.compare(p, 2, t) == 0) op = t;
      if (op.empty()) {
        static const std::string singles = "+-/*%~[](){}><=.:|,;";
        if (singles.find(c) == std::string::npos) fail(p, std::string("unexpected char '") + c + "'");
        op = std::string(1, c);
      }
      if (op == "(" || op == "[" || op == "{") {
        stack.push_back(op[0]);
      } else if (op == ")" || op == "]" || op == "}") {
        char want = op == ")" ? '(' : (op == "]" ? '[' : '{');
        if (stack.empty()) fail(p, "unexpected '" + op + "'");
        if (stack.back() != want) fail(p, "unexpected '" + op + "'");
        stack.pop_back();
      }
      tokens_.push_back(Token{Tok::Op, op, 0, 0.0, at(p)});
      p += op.size();
    }
  }

  size_t digits_run(size_t p, bool (*ok)(char)) const {
    // (\d+_)*\d+ style runs with single underscores between digits
    size_t q = p;
    while (q < src_.size() && (ok(src_[q]) || (src_[q] == '_' && q + 1 < src_.size() && ok(src_[q + 1]) && q > p)))
      ++q;
    return q;
  }

  size_t lex_number(size_t p) {
    auto dec = [](char ch) { return std::isdigit(static_cast<unsigned char>(ch)) != 0; };
    const size_t n = src_.size();
    bool prev_dot = p > 0 && src_[p - 1] == '.';
    size_t q = digits_run(p, dec);
    // float?
    if (!prev_dot) {
      size_t r = q;
      bool is_float = false;
      if (r + 1 < n && src_[r] == '.' && dec(src_[r + 1])) {
        r = digits_run(r + 1, dec);
        is_float = true;
      }
      if (r < n && (src_[r] == 'e' || src_[r] == 'E')) {
        size_t e = r + 1;
        if (e < n && (src_[e] == '+' || src_[e] == '-')) ++e;
        if (e < n && dec(src_[e])) {
          r = digits_run(e, dec);
          is_float = true;
        }
      }
      if (is_float) {
        std::string text;
        for (size_t k = p; k < r; ++k)
          if (src_[k] != '_') text.push_back(src_[k]);
        tokens_.push_back(Token{Tok::Float, text, 0, std::strtod(text.c_str(), nullptr), at(p)});
        return r;
      }
    }
    int base = 10;
    size_t body = p;
    if (src_[p] == '0' && p + 1 < n) {
      char x = static_cast<char>(std::tolower(static_cast<unsigned char>(src_[p + 1])));
      if (x == 'x' || x == 'o' || x == 'b') {
        base = x == 'x' ? 16 : (x == 'o' ? 8 : 2);
        body = p + 2;
        q = body;
        while (q < n && (std::isxdigit(static_cast<unsigned char>(src_[q])) || src_[q] == '_')) ++q;
      }
    }
    std::string digits;
    for (size_t k = body; k < q; ++k)
      if (src_[k] != '_') digits.push_back(src_[k]);
    if (digits.empty()) fail(p, "invalid integer literal");
    errno = 0;
    char* endp = nullptr;
    long long v = std::strtoll(digits.c_str(), &endp, base);
    if (errno != 0 || *endp != '\0') fail(p, "integer literal out of range or malformed");
    tokens_.push_back(Token{Tok::Int, src_.substr(p, q - p), v, 0.0, at(p)});
    return q;
  }

  size_t lex_string(size_t p) {
    const char quote = src_[p];
    const size_t n = src_.size();
    size_t q = p + 1;
    while (q < n && src_[q] != quote) {
      if (src_[q] == '\\') ++q;
      ++q;
    }
    if (q >= n) fail(p, "unexpected end of string");
    tokens_.push_back(Token{Tok::String, unescape(src_.substr(p + 1, q - p - 1), p), 0, 0.0, at(p)});
    return q + 1;
  }

  // Python's "unicode-escape" decoding of a string literal body (non-ASCII passes through).
  std::string unescape(const std::string& s, size_t where) const {
    std::string out;
    for (size_t k = 0; k < s.size(); ++k) {
      char c = s[k];
      if (c != '\\' || k + 1 >= s.size()) {
        out.push_back(c);
        continue;
      }
      char e = s[++k];
      auto hex = [&](size_t count) -> char32_t {
        char32_t v = 0;
        for (size_t m = 1; m <= count; ++m) {
          if (k + m >= s.size()) fail(where, "truncated escape in string literal");
          char h = s[k + m];
          if (!std::isxdigit(static_cast<unsigned char>(h))) fail(where, "truncated escape in string literal");
          v = v * 16 + static_cast<char32_t>(std::isdigit(static_cast<unsigned char>(h)) ? h - '0'
                                                                                          : std::tolower(h) - 'a' + 10);
        }
        k += count;
        return v;
      };
      switch (e) {
        case '\n': break;
        case '\\': out.push_back('\\'); break;
        case '\'': out.push_back('\''); break;
        case '"': out.push_back('"'); break;
        case 'a': out.push_back('\a'); break;
        case 'b': out.push_back('\b'); break;
        case 'f': out.push_back('\f'); break;
        case 'n': out.push_back('\n'); break;
        case 'r': out.push_back('\r'); break;
        case 't': out.push_back('\t'); break;
        case 'v': out.push_back('\v'); break;
        case 'x': utf8_append(out, hex(2)); break;
        case 'u': utf8_append(out, hex(4)); break;
        case 'U': {
          char32_t v = hex(8);
          if (v > 0x10FFFF) fail(where, "illegal Unicode character in string literal");
          utf8_append(out, v);
          break;
        }
        default:
          if (e >= '0' && e <= '7') {
            char32_t v = static_cast<char32_t>(e - '0');
            for (int m = 0; m < 2 && k + 1 < s.size() && s[k + 1] >= '0' && s[k + 1] <= '7'; ++m)
              v = v * 8 + static_cast<char32_t>(s[++k] - '0');
            utf8_append(out, v);
          } else {
            out.push_back('\\');
            out.push_back(e);
          }
      }
    }
    return out;
  }

  std::string src_;
  LexOptions opt_;
  std::vector<size_t> line_starts_;
  std::vector<Token> tokens_;
};

}  // namespace

std::vector<Token> lex(const std::string& source, const LexOptions& options) {
  // Newlines become \n (jinja2's newline_sequence) and one trailing newline is dropped unless
  // keep_trailing_newline is set.
  std::string src;
  src.reserve(source.size());
  for (size_t k = 0; k < source.size(); ++k) {
    if (source[k] == '\r') {
      src.push_back('\n');
      if (k + 1 < source.size() && source[k + 1] == '\n') ++k;
    } else {
      src.push_back(source[k]);
    }
  }
  if (!options.keep_trailing_newline && !src.empty() && src.back() == '\n') src.pop_back();
  return Lexer(std::move(src), options).run();
}

}  // namespace dlmeval::jinja
