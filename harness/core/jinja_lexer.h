#pragma once
// Splits a template into tokens exactly as jinja2's lexer does: text, {{ }}, {% %}, {# #},
// {% raw %}, whitespace control (-/+), trim_blocks and lstrip_blocks, newline normalisation and
// the removal of one trailing newline (keep_trailing_newline=False), and the expression tokens
// inside tags (names, numbers, strings with Python escapes, operators).
#include <string>
#include <vector>

namespace dlmeval::jinja {

struct Pos {
  int line = 0;
  int col = 0;
};

// Thrown by the lexer and parser; the public API turns it into a UserError.
struct SyntaxError {
  Pos pos;
  std::string message;
};

enum class Tok { Text, VarBegin, VarEnd, BlockBegin, BlockEnd, Name, String, Int, Float, Op, Eof };

struct Token {
  Tok type;
  std::string text;  // Text data, name, decoded string literal, operator, or number spelling
  long long ival = 0;
  double fval = 0.0;
  Pos pos;
};

struct LexOptions {
  bool trim_blocks = true;
  bool lstrip_blocks = true;
  bool keep_trailing_newline = false;
};

std::vector<Token> lex(const std::string& source, const LexOptions& options);

}  // namespace dlmeval::jinja
