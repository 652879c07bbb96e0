#pragma once
// The syntax tree of a parsed template (what jinja2's parser builds, reduced to what chat
// templates need), and the parser entry point.
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "harness/core/jinja_lexer.h"
#include "harness/core/jinja_value.h"

namespace dlmeval::jinja {

enum class ExprKind {
  Const,     // literal
  Name,      // variable
  ListLit,   // [a, b]
  TupleLit,  // (a, b) / a, b
  DictLit,   // {k: v}; args alternate key, value
  Getattr,   // args[0].name
  Getitem,   // args[0][args[1]]
  Slice,     // args: start, stop, step (each may be null); only as Getitem's index
  Call,      // args[0](args[1..], kwargs)
  Filter,    // args[0] | name(args[1..], kwargs); args[0] null inside {% filter %}
  Test,      // args[0] is name(args[1..], kwargs)
  Unary,     // name in {"-", "+", "not"}
  Binary,    // name in {"+","-","*","/","//","%","**","~","and","or"}
  Compare,   // args[0] ops[0] args[1] ops[1] args[2] ...
  CondExpr,  // args: then, test, else (else may be null)
};

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

struct Expr {
  ExprKind kind;
  Pos pos;
  Value value;       // Const
  std::string name;  // Name, Getattr attribute, Filter/Test name, operator
  std::vector<ExprPtr> args;
  std::vector<std::pair<std::string, ExprPtr>> kwargs;
  std::vector<std::string> ops;  // Compare operators: ==, !=, <, <=, >, >=, in, notin
};

struct Target {  // left side of for / set
  enum Kind { Name, Tuple, NsAttr } kind = Name;
  std::vector<std::string> names;  // Name: 1; Tuple: n; NsAttr: {namespace, attribute}
  Pos pos;
};

enum class StmtKind { Text, Print, If, For, Set, SetBlock, Macro, Break, Continue, FilterBlock, With, Body };

struct Stmt;
using StmtPtr = std::unique_ptr<Stmt>;
using Body = std::vector<StmtPtr>;

struct MacroParam {
  std::string name;
  ExprPtr default_value;  // may be null
};

struct Stmt {
  StmtKind kind;
  Pos pos;
  std::string text;                                  // Text; Macro name
  ExprPtr expr;                                      // Print, For iterable, Set value, FilterBlock filters
  ExprPtr filter;                                    // For "if" condition; SetBlock filters
  std::vector<std::pair<ExprPtr, Body>> branches;    // If: (condition, body)...
  Body body;                                         // For/Macro/SetBlock/FilterBlock/With/Body
  Body else_body;                                    // If else; For else
  Target target;                                     // For, Set, SetBlock
  std::vector<MacroParam> params;                    // Macro
  std::vector<std::pair<Target, ExprPtr>> assigns;   // With
};

struct Program {
  Body body;
};

// Parses tokens from lex(); throws SyntaxError.
std::unique_ptr<Program> parse_program(const std::vector<Token>& tokens, int max_depth);

}  // namespace dlmeval::jinja
