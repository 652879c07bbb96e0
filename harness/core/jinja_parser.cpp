// Recursive-descent parser following jinja2's parser.py (operator precedence, filter/test
// binding, tuple rules, statement forms).
#include <algorithm>
#include <set>

#include "harness/core/jinja_ast.h"

namespace dlmeval::jinja {
namespace {

class Parser {
 public:
  Parser(const std::vector<Token>& t, int max_depth) : toks_(t), max_depth_(max_depth) {}

  std::unique_ptr<Program> run() {
    auto prog = std::make_unique<Program>();
    std::string end;
    prog->body = parse_body({}, &end);
    return prog;
  }

 private:
  struct DepthGuard {
    Parser& p;
    explicit DepthGuard(Parser& parser) : p(parser) {
      if (++p.depth_ > p.max_depth_) p.fail("template nesting is too deep");
    }
    ~DepthGuard() { --p.depth_; }
  };

  const Token& cur() const { return toks_[idx_]; }
  const Token& peek(size_t k = 1) const { return toks_[std::min(idx_ + k, toks_.size() - 1)]; }
  void advance() {
    if (idx_ + 1 < toks_.size()) ++idx_;
  }
  bool is_op(const char* op) const { return cur().type == Tok::Op && cur().text == op; }
  bool is_name(const char* n) const { return cur().type == Tok::Name && cur().text == n; }
  [[noreturn]] void fail(const std::string& msg) const { throw SyntaxError{cur().pos, msg}; }
  std::string describe(const Token& t) const {
    switch (t.type) {
      case Tok::Eof: return "end of template";
      case Tok::BlockEnd: return "end of statement block";
      case Tok::VarEnd: return "end of print statement";
      case Tok::BlockBegin: return "begin of statement block";
      case Tok::VarBegin: return "begin of print statement";
      case Tok::Text: return "template data";
      case Tok::String: return "string";
      case Tok::Int: return "integer";
      case Tok::Float: return "float";
      default: return "'" + t.text + "'";
    }
  }
  void expect_op(const char* op) {
    if (!is_op(op)) fail(std::string("expected token '") + op + "', got " + describe(cur()));
    advance();
  }
  void expect_block_end() {
    if (cur().type != Tok::BlockEnd) fail("expected token 'end of statement block', got " + describe(cur()));
    advance();
  }
  std::string expect_name() {
    if (cur().type != Tok::Name) fail("expected name, got " + describe(cur()));
    std::string n = cur().text;
    advance();
    return n;
  }

  ExprPtr node(ExprKind k, Pos pos) {
    auto e = std::make_unique<Expr>();
    e->kind = k;
    e->pos = pos;
    return e;
  }

  // ---------------------------------------------------------------- statements

  Body parse_body(const std::set<std::string>& ends, std::string* ended_by) {
    DepthGuard guard(*this);
    Body body;
    while (true) {
      const Token& t = cur();
      if (t.type == Tok::Eof) {
        if (!ends.empty()) {
          std::string want;
          for (const auto& e : ends) want += (want.empty() ? "'" : " or '") + e + "'";
          fail("Unexpected end of template. Jinja was looking for the following tags: " + want + ".");
        }
        return body;
      }
      if (t.type == Tok::Text) {
        auto s = std::make_unique<Stmt>();
        s->kind = StmtKind::Text;
        s->pos = t.pos;
        s->text = t.text;
        body.push_back(std::move(s));
        advance();
        continue;
      }
      if (t.type == Tok::VarBegin) {
        auto s = std::make_unique<Stmt>();
        s->kind = StmtKind::Print;
        s->pos = t.pos;
        advance();
        s->expr = parse_tuple(false, true, {}, false);
        if (cur().type != Tok::VarEnd) fail("expected token 'end of print statement', got " + describe(cur()));
        advance();
        body.push_back(std::move(s));
        continue;
      }
      if (t.type != Tok::BlockBegin) fail("unexpected " + describe(t));
      const Token& kw = peek();
      if (kw.type != Tok::Name) {
        advance();
        fail("tag name expected");
      }
      if (ends.count(kw.text)) {
        advance();
        advance();
        *ended_by = kw.text;
        return body;
      }
      body.push_back(parse_statement(ends));
    }
  }

  StmtPtr parse_statement(const std::set<std::string>& outer_ends) {
    Pos pos = cur().pos;
    advance();  // {%
    std::string kw = cur().text;
    Pos kwpos = cur().pos;
    advance();
    auto s = std::make_unique<Stmt>();
    s->pos = pos;
    std::string end;
    if (kw == "if") {
      s->kind = StmtKind::If;
      ExprPtr cond = parse_tuple(false, false, {}, false);
      expect_block_end();
      while (true) {
        Body b = parse_body({"elif", "else", "endif"}, &end);
        s->branches.emplace_back(std::move(cond), std::move(b));
        if (end == "elif") {
          cond = parse_tuple(false, false, {}, false);
          expect_block_end();
          continue;
        }
        if (end == "else") {
          expect_block_end();
          s->else_body = parse_body({"endif"}, &end);
        }
        expect_block_end();
        break;
      }
    } else if (kw == "for") {
      s->kind = StmtKind::For;
      s->target = parse_assign_target(false, {"in"});
      if (!is_name("in")) fail("expected token 'in', got " + describe(cur()));
      advance();
      s->expr = parse_tuple(false, false, {"recursive"}, false);
      if (is_name("if")) {
        advance();
        s->filter = parse_expression(true);
      }
      if (is_name("recursive")) fail("recursive for loops are not supported");
      expect_block_end();
      s->body = parse_body({"endfor", "else"}, &end);
      if (end == "else") {
        expect_block_end();
        s->else_body = parse_body({"endfor"}, &end);
      }
      expect_block_end();
    } else if (kw == "set") {
      s->target = parse_assign_target(true, {});
      if (is_op("=")) {
        advance();
        s->kind = StmtKind::Set;
        s->expr = parse_tuple(false, true, {}, false);
        expect_block_end();
      } else {
        s->kind = StmtKind::SetBlock;
        if (is_op("|")) s->filter = parse_filter_chain(nullptr, false);
        expect_block_end();
        s->body = parse_body({"endset"}, &end);
        expect_block_end();
      }
    } else if (kw == "macro") {
      s->kind = StmtKind::Macro;
      s->text = expect_name();
      expect_op("(");
      while (!is_op(")")) {
        if (!s->params.empty()) expect_op(",");
        if (is_op(")")) break;
        MacroParam p;
        p.name = expect_name();
        if (is_op("=")) {
          advance();
          p.default_value = parse_expression(true);
        }
        s->params.push_back(std::move(p));
      }
      advance();
      expect_block_end();
      s->body = parse_body({"endmacro"}, &end);
      expect_block_end();
    } else if (kw == "break" || kw == "continue") {
      s->kind = kw == "break" ? StmtKind::Break : StmtKind::Continue;
      expect_block_end();
    } else if (kw == "filter") {
      s->kind = StmtKind::FilterBlock;
      s->expr = parse_filter_chain(nullptr, true);
      expect_block_end();
      s->body = parse_body({"endfilter"}, &end);
      expect_block_end();
    } else if (kw == "with") {
      s->kind = StmtKind::With;
      while (cur().type != Tok::BlockEnd) {
        if (!s->assigns.empty()) expect_op(",");
        Target t = parse_assign_target(false, {});
        expect_op("=");
        s->assigns.emplace_back(std::move(t), parse_expression(true));
      }
      expect_block_end();
      s->body = parse_body({"endwith"}, &end);
      expect_block_end();
    } else if (kw == "generation") {  // transformers' AssistantTracker tag: renders its body
      s->kind = StmtKind::Body;
      expect_block_end();
      s->body = parse_body({"endgeneration"}, &end);
      expect_block_end();
    } else {
      (void)outer_ends;
      throw SyntaxError{kwpos, "Encountered unknown or unsupported tag '" + kw + "'."};
    }
    return s;
  }

  Target parse_assign_target(bool with_namespace, const std::set<std::string>& extra_end) {
    Target t;
    t.pos = cur().pos;
    if (with_namespace && cur().type == Tok::Name && peek().type == Tok::Op && peek().text == ".") {
      t.kind = Target::NsAttr;
      t.names.push_back(expect_name());
      advance();
      t.names.push_back(expect_name());
      return t;
    }
    bool paren = false;
    if (is_op("(")) {
      paren = true;
      advance();
    }
    while (true) {
      t.names.push_back(expect_name());
      if (!is_op(",")) break;
      advance();
      t.kind = Target::Tuple;
      if ((paren && is_op(")")) || (cur().type == Tok::Name && extra_end.count(cur().text)) || is_op("="))
        break;
    }
    if (paren) {
      expect_op(")");
      t.kind = Target::Tuple;
    }
    return t;
  }

  // ---------------------------------------------------------------- expressions

  bool is_tuple_end(const std::set<std::string>& extra_end) const {
    const Token& t = cur();
    if (t.type == Tok::VarEnd || t.type == Tok::BlockEnd || t.type == Tok::Eof) return true;
    if (t.type == Tok::Op && t.text == ")") return true;
    return t.type == Tok::Name && extra_end.count(t.text) > 0;
  }

  ExprPtr parse_tuple(bool explicit_parens, bool with_condexpr, const std::set<std::string>& extra_end,
                      bool simplified) {
    (void)simplified;
    Pos pos = cur().pos;
    std::vector<ExprPtr> items;
    bool is_tuple = false;
    while (true) {
      if (!items.empty()) expect_op(",");
      if (is_tuple_end(extra_end)) break;
      items.push_back(parse_expression(with_condexpr));
      if (is_op(","))
        is_tuple = true;
      else
        break;
    }
    if (!is_tuple) {
      if (!items.empty()) return std::move(items[0]);
      if (!explicit_parens) fail("Expected an expression, got " + describe(cur()));
    }
    auto e = node(ExprKind::TupleLit, pos);
    e->args = std::move(items);
    return e;
  }

  ExprPtr parse_expression(bool with_condexpr) {
    DepthGuard guard(*this);
    return with_condexpr ? parse_condexpr() : parse_or();
  }

  ExprPtr parse_condexpr() {
    Pos pos = cur().pos;
    ExprPtr expr1 = parse_or();
    while (is_name("if")) {
      advance();
      ExprPtr expr2 = parse_or();
      ExprPtr expr3;
      if (is_name("else")) {
        advance();
        expr3 = parse_condexpr();
      }
      auto e = node(ExprKind::CondExpr, pos);
      e->args.push_back(std::move(expr1));
      e->args.push_back(std::move(expr2));
      e->args.push_back(std::move(expr3));
      expr1 = std::move(e);
    }
    return expr1;
  }

  ExprPtr binary(const std::string& op, ExprPtr l, ExprPtr r, Pos pos) {
    auto e = node(ExprKind::Binary, pos);
    e->name = op;
    e->args.push_back(std::move(l));
    e->args.push_back(std::move(r));
    return e;
  }

  ExprPtr parse_or() {
    Pos pos = cur().pos;
    ExprPtr left = parse_and();
    while (is_name("or")) {
      advance();
      left = binary("or", std::move(left), parse_and(), pos);
    }
    return left;
  }
  ExprPtr parse_and() {
    Pos pos = cur().pos;
    ExprPtr left = parse_not();
    while (is_name("and")) {
      advance();
      left = binary("and", std::move(left), parse_not(), pos);
    }
    return left;
  }
  ExprPtr parse_not() {
    if (is_name("not")) {
      DepthGuard guard(*this);
      Pos pos = cur().pos;
      advance();
      auto e = node(ExprKind::Unary, pos);
      e->name = "not";
      e->args.push_back(parse_not());
      return e;
    }
    return parse_compare();
  }
  ExprPtr parse_compare() {
    Pos pos = cur().pos;
    ExprPtr first = parse_math1();
    std::vector<std::string> ops;
    std::vector<ExprPtr> rest;
    while (true) {
      const Token& t = cur();
      if (t.type == Tok::Op &&
          (t.text == "==" || t.text == "!=" || t.text == "<" || t.text == "<=" || t.text == ">" || t.text == ">=")) {
        ops.push_back(t.text);
        advance();
      } else if (is_name("in")) {
        ops.push_back("in");
        advance();
      } else if (is_name("not") && peek().type == Tok::Name && peek().text == "in") {
        ops.push_back("notin");
        advance();
        advance();
      } else {
        break;
      }
      rest.push_back(parse_math1());
    }
    if (ops.empty()) return first;
    auto e = node(ExprKind::Compare, pos);
    e->args.push_back(std::move(first));
    for (auto& r : rest) e->args.push_back(std::move(r));
    e->ops = std::move(ops);
    return e;
  }
  ExprPtr parse_math1() {
    Pos pos = cur().pos;
    ExprPtr left = parse_concat();
    while (is_op("+") || is_op("-")) {
      std::string op = cur().text;
      advance();
      left = binary(op, std::move(left), parse_concat(), pos);
    }
    return left;
  }
  ExprPtr parse_concat() {
    Pos pos = cur().pos;
    ExprPtr left = parse_math2();
    while (is_op("~")) {
      advance();
      left = binary("~", std::move(left), parse_math2(), pos);
    }
    return left;
  }
  ExprPtr parse_math2() {
    Pos pos = cur().pos;
    ExprPtr left = parse_pow();
    while (is_op("*") || is_op("/") || is_op("//") || is_op("%")) {
      std::string op = cur().text;
      advance();
      left = binary(op, std::move(left), parse_pow(), pos);
    }
    return left;
  }
  ExprPtr parse_pow() {
    Pos pos = cur().pos;
    ExprPtr left = parse_unary(true);
    while (is_op("**")) {
      advance();
      left = binary("**", std::move(left), parse_unary(true), pos);
    }
    return left;
  }
  ExprPtr parse_unary(bool with_filter) {
    DepthGuard guard(*this);
    Pos pos = cur().pos;
    ExprPtr n;
    if (is_op("-") || is_op("+")) {
      std::string op = cur().text;
      advance();
      n = node(ExprKind::Unary, pos);
      n->name = op;
      n->args.push_back(parse_unary(false));
    } else {
      n = parse_primary();
    }
    n = parse_postfix(std::move(n));
    if (with_filter) n = parse_filter_expr(std::move(n));
    return n;
  }

  ExprPtr parse_primary() {
    const Token& t = cur();
    Pos pos = t.pos;
    switch (t.type) {
      case Tok::Name: {
        auto e = node(ExprKind::Const, pos);
        if (t.text == "true" || t.text == "True") {
          e->value = Value::boolean(true);
        } else if (t.text == "false" || t.text == "False") {
          e->value = Value::boolean(false);
        } else if (t.text == "none" || t.text == "None") {
          e->value = Value::none();
        } else {
          e->kind = ExprKind::Name;
          e->name = t.text;
        }
        advance();
        return e;
      }
      case Tok::String: {
        std::string s;
        while (cur().type == Tok::String) {
          s += cur().text;
          advance();
        }
        auto e = node(ExprKind::Const, pos);
        e->value = Value::string(std::move(s));
        return e;
      }
      case Tok::Int: {
        auto e = node(ExprKind::Const, pos);
        e->value = Value::integer(t.ival);
        advance();
        return e;
      }
      case Tok::Float: {
        auto e = node(ExprKind::Const, pos);
        e->value = Value::number(t.fval);
        advance();
        return e;
      }
      case Tok::Op:
        if (t.text == "(") {
          advance();
          ExprPtr e = parse_tuple(true, true, {}, false);
          expect_op(")");
          return e;
        }
        if (t.text == "[") {
          advance();
          auto e = node(ExprKind::ListLit, pos);
          while (!is_op("]")) {
            if (!e->args.empty()) expect_op(",");
            if (is_op("]")) break;
            e->args.push_back(parse_expression(true));
          }
          advance();
          return e;
        }
        if (t.text == "{") {
          advance();
          auto e = node(ExprKind::DictLit, pos);
          while (!is_op("}")) {
            if (!e->args.empty()) expect_op(",");
            if (is_op("}")) break;
            e->args.push_back(parse_expression(true));
            expect_op(":");
            e->args.push_back(parse_expression(true));
          }
          advance();
          return e;
        }
        break;
      default: break;
    }
    fail("unexpected " + describe(t));
  }

  ExprPtr parse_postfix(ExprPtr n) {
    while (true) {
      if (is_op(".") || is_op("[")) {
        n = parse_subscript(std::move(n));
      } else if (is_op("(")) {
        n = parse_call(std::move(n));
      } else {
        return n;
      }
    }
  }

  ExprPtr parse_subscript(ExprPtr n) {
    Pos pos = cur().pos;
    if (is_op(".")) {
      advance();
      if (cur().type == Tok::Name) {
        auto e = node(ExprKind::Getattr, pos);
        e->name = cur().text;
        advance();
        e->args.push_back(std::move(n));
        return e;
      }
      if (cur().type == Tok::Int) {
        auto e = node(ExprKind::Getitem, pos);
        auto idx = node(ExprKind::Const, cur().pos);
        idx->value = Value::integer(cur().ival);
        advance();
        e->args.push_back(std::move(n));
        e->args.push_back(std::move(idx));
        return e;
      }
      fail("expected name or number");
    }
    advance();  // [
    std::vector<ExprPtr> items;
    while (!is_op("]")) {
      if (!items.empty()) {
        expect_op(",");
        if (is_op("]")) break;
      }
      items.push_back(parse_subscribed());
    }
    advance();
    auto e = node(ExprKind::Getitem, pos);
    e->args.push_back(std::move(n));
    if (items.size() == 1) {
      e->args.push_back(std::move(items[0]));
    } else {
      auto tup = node(ExprKind::TupleLit, pos);
      tup->args = std::move(items);
      e->args.push_back(std::move(tup));
    }
    return e;
  }

  ExprPtr parse_subscribed() {
    Pos pos = cur().pos;
    ExprPtr start;
    if (!is_op(":")) {
      start = parse_expression(true);
      if (!is_op(":")) return start;
    }
    advance();  // :
    auto e = node(ExprKind::Slice, pos);
    ExprPtr stop, step;
    if (!is_op("]") && !is_op(",") && !is_op(":")) stop = parse_expression(true);
    if (is_op(":")) {
      advance();
      if (!is_op("]") && !is_op(",")) step = parse_expression(true);
    }
    e->args.push_back(std::move(start));
    e->args.push_back(std::move(stop));
    e->args.push_back(std::move(step));
    return e;
  }

  void parse_call_args(Expr& e) {
    expect_op("(");
    bool first = true;
    while (!is_op(")")) {
      if (!first) {
        expect_op(",");
        if (is_op(")")) break;
      }
      first = false;
      if (is_op("*") || is_op("**")) fail("*args and **kwargs in calls are not supported");
      if (cur().type == Tok::Name && peek().type == Tok::Op && peek().text == "=") {
        std::string key = cur().text;
        advance();
        advance();
        e.kwargs.emplace_back(key, parse_expression(true));
      } else {
        if (!e.kwargs.empty()) fail("Invalid argument syntax: positional argument after keyword argument");
        e.args.push_back(parse_expression(true));
      }
    }
    advance();
  }

  ExprPtr parse_call(ExprPtr n) {
    auto e = node(ExprKind::Call, cur().pos);
    e->args.push_back(std::move(n));
    parse_call_args(*e);
    return e;
  }

  ExprPtr parse_filter_chain(ExprPtr n, bool start_inline) {
    while (is_op("|") || start_inline) {
      if (!start_inline) advance();
      start_inline = false;
      auto e = node(ExprKind::Filter, cur().pos);
      e->name = expect_name();
      while (is_op(".")) {
        advance();
        e->name.append(1, '.').append(expect_name());
      }
      e->args.push_back(std::move(n));
      if (is_op("(")) parse_call_args(*e);
      n = std::move(e);
    }
    return n;
  }

  ExprPtr parse_filter_expr(ExprPtr n) {
    while (true) {
      if (is_op("|")) {
        n = parse_filter_chain(std::move(n), false);
      } else if (is_name("is")) {
        n = parse_test(std::move(n));
      } else if (is_op("(")) {
        n = parse_call(std::move(n));
      } else {
        return n;
      }
    }
  }

  ExprPtr parse_test(ExprPtr n) {
    Pos pos = cur().pos;
    advance();  // is
    bool negated = false;
    if (is_name("not")) {
      advance();
      negated = true;
    }
    auto e = node(ExprKind::Test, cur().pos);
    e->name = expect_name();
    while (is_op(".")) {
      advance();
      e->name.append(1, '.').append(expect_name());
    }
    e->args.push_back(std::move(n));
    const Token& t = cur();
    if (is_op("(")) {
      parse_call_args(*e);
    } else if ((t.type == Tok::Name || t.type == Tok::String || t.type == Tok::Int || t.type == Tok::Float ||
                (t.type == Tok::Op && (t.text == "(" || t.text == "[" || t.text == "{"))) &&
               !(t.type == Tok::Name && (t.text == "else" || t.text == "or" || t.text == "and"))) {
      if (is_name("is")) fail("You cannot chain multiple tests with is");
      ExprPtr arg = parse_primary();
      arg = parse_postfix(std::move(arg));
      e->args.push_back(std::move(arg));
    }
    if (!negated) return e;
    auto no = node(ExprKind::Unary, pos);
    no->name = "not";
    no->args.push_back(std::move(e));
    return no;
  }

  const std::vector<Token>& toks_;
  size_t idx_ = 0;
  int depth_ = 0;
  int max_depth_;
};

}  // namespace

std::unique_ptr<Program> parse_program(const std::vector<Token>& tokens, int max_depth) {
  return Parser(tokens, max_depth).run();
}

}  // namespace dlmeval::jinja
