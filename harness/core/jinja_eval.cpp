// Walks the syntax tree with jinja2's runtime semantics: frames per loop iteration and macro
// call, Undefined propagation, Python operators and truthiness, loop variables and controls.
#include "harness/core/jinja_eval.h"

#include <cmath>
#include <limits>

namespace dlmeval::jinja {

Interpreter::Interpreter(const Program& program, Frame& globals, const Limits& limits,
                         const std::map<std::string, HostFilter>* host_filters)
    : program_(program), globals_(globals), host_filters_(host_filters), limits_(limits) {}

Value Interpreter::print_value(const Value& v) const {
  if (limits_.strict_undefined && v.is_undefined()) throw_eval(v.s.empty() ? "value is undefined" : v.s);
  return v;
}

void Interpreter::fail(const Pos& pos, const std::string& message) const { throw RenderError{pos, message}; }

void Interpreter::step() {
  if (++steps_ > limits_.max_steps) throw_eval("template exceeded the limit of " + std::to_string(limits_.max_steps) +
                                               " loop iterations and macro calls");
}

void Interpreter::append(std::string& out, const std::string& text) {
  if (out.size() + text.size() > limits_.max_output_bytes)
    throw_eval("template output exceeds the limit of " + std::to_string(limits_.max_output_bytes) + " bytes");
  out += text;
}

std::string Interpreter::render(Frame& root) {
  root_ = &root;
  root.parent = &globals_;
  std::string out;
  exec_body(program_.body, &root, out);
  return out;
}

Value Interpreter::lookup(const std::string& name, Frame* frame) const {
  for (Frame* f = frame; f; f = f->parent) {
    auto it = f->vars.find(name);
    if (it != f->vars.end()) return it->second;
  }
  return Value::undefined("'" + name + "' is undefined");
}

// ---------------------------------------------------------------- statements

Interpreter::Flow Interpreter::exec_body(const Body& body, Frame* frame, std::string& out) {
  for (const auto& s : body) {
    Flow f = exec(*s, frame, out);
    if (f != Flow::Normal) return f;
  }
  return Flow::Normal;
}

static Value apply_chain(Interpreter& in, const Expr* chain, Value v, const std::function<CallArgs(const Expr&)>& args) {
  if (chain->args[0]) v = apply_chain(in, chain->args[0].get(), std::move(v), args);
  return in.apply_filter(chain->name, v, args(*chain));
}

Interpreter::Flow Interpreter::exec(const Stmt& s, Frame* frame, std::string& out) {
  try {
    switch (s.kind) {
      case StmtKind::Text: append(out, s.text); return Flow::Normal;
      case StmtKind::Print: append(out, to_str(print_value(eval(*s.expr, frame)))); return Flow::Normal;
      case StmtKind::If:
        for (const auto& br : s.branches)
          if (truthy(eval(*br.first, frame))) return exec_body(br.second, frame, out);
        return exec_body(s.else_body, frame, out);
      case StmtKind::For: exec_for(s, frame, out); return Flow::Normal;
      case StmtKind::Set: assign(s.target, eval(*s.expr, frame), frame); return Flow::Normal;
      case StmtKind::SetBlock: {
        Frame inner;
        inner.parent = frame;
        std::string captured;
        exec_body(s.body, &inner, captured);
        Value v = Value::string(std::move(captured));
        if (s.filter)
          v = apply_chain(*this, s.filter.get(), std::move(v), [&](const Expr& e) { return eval_args(e, frame, 1); });
        assign(s.target, v, frame);
        return Flow::Normal;
      }
      case StmtKind::Macro: frame->vars[s.text] = make_macro(s); return Flow::Normal;
      case StmtKind::Break: return Flow::Break;
      case StmtKind::Continue: return Flow::Continue;
      case StmtKind::FilterBlock: {
        Frame inner;
        inner.parent = frame;
        std::string captured;
        exec_body(s.body, &inner, captured);
        Value v = apply_chain(*this, s.expr.get(), Value::string(std::move(captured)),
                              [&](const Expr& e) { return eval_args(e, frame, 1); });
        append(out, to_str(v));
        return Flow::Normal;
      }
      case StmtKind::With: {
        Frame inner;
        inner.parent = frame;
        for (const auto& a : s.assigns) assign(a.first, eval(*a.second, frame), &inner);
        return exec_body(s.body, &inner, out);
      }
      case StmtKind::Body: return exec_body(s.body, frame, out);
    }
  } catch (const EvalError& e) {
    fail(s.pos, e.message);
  }
  return Flow::Normal;
}

void Interpreter::assign(const Target& t, const Value& v, Frame* frame) {
  switch (t.kind) {
    case Target::Name: frame->vars[t.names[0]] = v; return;
    case Target::Tuple: {
      List items = iterate(v);
      if (items.size() > t.names.size())
        fail(t.pos, "too many values to unpack (expected " + std::to_string(t.names.size()) + ")");
      if (items.size() < t.names.size())
        fail(t.pos, "not enough values to unpack (expected " + std::to_string(t.names.size()) + ", got " +
                        std::to_string(items.size()) + ")");
      for (size_t k = 0; k < items.size(); ++k) frame->vars[t.names[k]] = items[k];
      return;
    }
    case Target::NsAttr: {
      Value ns = lookup(t.names[0], frame);
      if (ns.type != Type::Namespace) fail(t.pos, "cannot assign attribute on non-namespace object");
      ns.ns->set(t.names[1], v);
      return;
    }
  }
}

void Interpreter::exec_for(const Stmt& s, Frame* frame, std::string& out) {
  Value iterable = eval(*s.expr, frame);
  List items;
  try {
    items = iterate(iterable);
  } catch (const EvalError& e) {
    fail(s.expr->pos, e.message);
  }
  if (s.filter) {
    List kept;
    for (auto& item : items) {
      step();
      Frame f;
      f.parent = frame;
      assign(s.target, item, &f);
      if (truthy(eval(*s.filter, &f))) kept.push_back(std::move(item));
    }
    items = std::move(kept);
  }
  const size_t n = items.size();
  if (n == 0) {
    Frame f;
    f.parent = frame;
    exec_body(s.else_body, &f, out);
    return;
  }
  for (size_t k = 0; k < n; ++k) {
    step();
    Frame f;
    f.parent = frame;
    assign(s.target, items[k], &f);
    Dict loop;
    const auto ik = static_cast<int64_t>(k);
    const auto in = static_cast<int64_t>(n);
    loop.items.emplace_back("index0", Value::integer(ik));
    loop.items.emplace_back("index", Value::integer(ik + 1));
    loop.items.emplace_back("revindex0", Value::integer(in - ik - 1));
    loop.items.emplace_back("revindex", Value::integer(in - ik));
    loop.items.emplace_back("first", Value::boolean(k == 0));
    loop.items.emplace_back("last", Value::boolean(k + 1 == n));
    loop.items.emplace_back("length", Value::integer(in));
    loop.items.emplace_back("depth", Value::integer(1));
    loop.items.emplace_back("depth0", Value::integer(0));
    loop.items.emplace_back("previtem", k > 0 ? items[k - 1] : Value::undefined("there is no previous item"));
    loop.items.emplace_back("nextitem", k + 1 < n ? items[k + 1] : Value::undefined("there is no next item"));
    loop.items.emplace_back("cycle", Value::callable("cycle", [k](CallArgs& a) -> Value {
                              if (a.args.empty()) throw_eval("no items for cycling given");
                              return a.args[k % a.args.size()];
                            }));
    f.vars["loop"] = Value::make_dict(std::move(loop));
    Flow fl = exec_body(s.body, &f, out);
    if (fl == Flow::Break) break;
  }
}

Value Interpreter::make_macro(const Stmt& s) {
  const Stmt* def = &s;
  return Value::callable(s.text, [this, def](CallArgs& a) -> Value {
    if (depth_ + 1 > limits_.max_recursion_depth)
      throw_eval("maximum recursion depth (" + std::to_string(limits_.max_recursion_depth) + ") exceeded");
    ++depth_;
    struct Guard {
      int& d;
      ~Guard() { --d; }
    } guard{depth_};
    step();
    if (a.args.size() > def->params.size())
      throw_eval("macro '" + def->text + "' takes not more than " + std::to_string(def->params.size()) +
                 " argument(s)");
    for (const auto& kv : a.kwargs) {
      bool known = false;
      for (const auto& p : def->params) known = known || p.name == kv.first;
      if (!known) throw_eval("macro '" + def->text + "' takes no keyword argument '" + kv.first + "'");
    }
    Frame f;
    f.parent = root_;
    for (size_t k = 0; k < def->params.size(); ++k) {
      const MacroParam& p = def->params[k];
      if (k < a.args.size()) {
        f.vars[p.name] = a.args[k];
      } else if (const Value* kv = a.kwarg(p.name.c_str())) {
        f.vars[p.name] = *kv;
      } else if (p.default_value) {
        f.vars[p.name] = eval(*p.default_value, &f);
      } else {
        f.vars[p.name] = Value::undefined("parameter '" + p.name + "' was not provided");
      }
    }
    std::string out;
    exec_body(def->body, &f, out);
    return Value::string(std::move(out));
  });
}

// ---------------------------------------------------------------- expressions

Value Interpreter::call(const Value& callee, CallArgs& args) {
  if (callee.type == Type::Callable) return callee.fn->fn(args);
  if (callee.is_undefined()) throw_eval(callee.s.empty() ? "undefined value called" : callee.s);
  throw_eval(std::string("'") + type_name(callee) + "' object is not callable");
}

Value Interpreter::apply_filter(const std::string& name, const Value& v, const CallArgs& args) {
  if (host_filters_) {
    auto it = host_filters_->find(name);
    if (it != host_filters_->end()) return it->second(v, args);
  }
  const FilterFn* f = find_filter(name);
  if (!f) throw_eval("No filter named '" + name + "'.");
  return (*f)(*this, v, args);
}

bool Interpreter::apply_test(const std::string& name, const Value& v, const CallArgs& args) {
  const TestFn* t = find_test(name);
  if (!t) throw_eval("No test named '" + name + "'.");
  return (*t)(*this, v, args);
}

CallArgs Interpreter::eval_args(const Expr& e, Frame* frame, size_t first) {
  CallArgs a;
  for (size_t k = first; k < e.args.size(); ++k) a.args.push_back(eval(*e.args[k], frame));
  for (const auto& kv : e.kwargs) a.kwargs.emplace_back(kv.first, eval(*kv.second, frame));
  return a;
}

static void require_defined(const Value& v) {
  if (v.is_undefined()) throw_eval(v.s.empty() ? "value is undefined" : v.s);
}

Value Interpreter::eval(const Expr& e, Frame* frame) {
  try {
    switch (e.kind) {
      case ExprKind::Const: return e.value;
      case ExprKind::Name: return lookup(e.name, frame);
      case ExprKind::ListLit:
      case ExprKind::TupleLit: {
        List l;
        l.reserve(e.args.size());
        for (const auto& a : e.args) l.push_back(eval(*a, frame));
        return Value::make_list(std::move(l), e.kind == ExprKind::TupleLit);
      }
      case ExprKind::DictLit: {
        Dict d;
        for (size_t k = 0; k + 1 < e.args.size(); k += 2) {
          Value key = eval(*e.args[k], frame);
          if (!key.is_string()) throw_eval("only string keys are supported in dict literals");
          d.set(key.s, eval(*e.args[k + 1], frame));
        }
        return Value::make_dict(std::move(d));
      }
      case ExprKind::Getattr: {
        Value obj = eval(*e.args[0], frame);
        require_defined(obj);
        return get_attribute(obj, e.name);
      }
      case ExprKind::Getitem: return eval_getitem(e, frame);
      case ExprKind::Slice: throw_eval("slice outside of a subscript");
      case ExprKind::Call: {
        Value callee = eval(*e.args[0], frame);
        CallArgs a = eval_args(e, frame, 1);
        return call(callee, a);
      }
      case ExprKind::Filter: {
        Value v = e.args[0] ? eval(*e.args[0], frame) : Value::undefined();
        return apply_filter(e.name, v, eval_args(e, frame, 1));
      }
      case ExprKind::Test: {
        Value v = eval(*e.args[0], frame);
        return Value::boolean(apply_test(e.name, v, eval_args(e, frame, 1)));
      }
      case ExprKind::Unary: {
        Value v = eval(*e.args[0], frame);
        if (e.name == "not") return Value::boolean(!truthy(v));
        require_defined(v);
        if (v.type == Type::Bool) v = Value::integer(v.b ? 1 : 0);
        if (v.type == Type::Int) {
          if (e.name == "+") return v;
          if (v.i == std::numeric_limits<int64_t>::min()) throw_eval("integer overflow");
          return Value::integer(-v.i);
        }
        if (v.type == Type::Float) return Value::number(e.name == "-" ? -v.f : v.f);
        throw_eval(std::string("bad operand type for unary ") + e.name + ": '" + type_name(v) + "'");
      }
      case ExprKind::Binary: {
        if (e.name == "and") {
          Value l = eval(*e.args[0], frame);
          return truthy(l) ? eval(*e.args[1], frame) : l;
        }
        if (e.name == "or") {
          Value l = eval(*e.args[0], frame);
          return truthy(l) ? l : eval(*e.args[1], frame);
        }
        return eval_binary(e, frame);
      }
      case ExprKind::Compare: return eval_compare(e, frame);
      case ExprKind::CondExpr: {
        if (truthy(eval(*e.args[1], frame))) return eval(*e.args[0], frame);
        if (e.args[2]) return eval(*e.args[2], frame);
        return Value::undefined("the inline if-expression on line " + std::to_string(e.pos.line) +
                                " evaluated to false and no else section was defined.");
      }
    }
  } catch (const EvalError& err) {
    fail(e.pos, err.message);
  }
  return Value::undefined();
}

// Python slice indices for a sequence of length n.
static std::vector<size_t> slice_indices(int64_t n, const Value& start, const Value& stop, const Value& step) {
  auto as_index = [](const Value& v, const char* what) -> int64_t {
    if (v.type == Type::Int) return v.i;
    if (v.type == Type::Bool) return v.b ? 1 : 0;
    throw_eval(std::string("slice ") + what + " must be an integer or None");
  };
  int64_t st = (step.is_none() || step.is_undefined()) ? 1 : as_index(step, "step");
  if (st == 0) throw_eval("slice step cannot be zero");
  int64_t lo, hi;
  if (st > 0) {
    lo = (start.is_none() || start.is_undefined()) ? 0 : as_index(start, "start");
    hi = (stop.is_none() || stop.is_undefined()) ? n : as_index(stop, "stop");
    if (lo < 0) lo = std::max<int64_t>(0, lo + n);
    if (lo > n) lo = n;
    if (hi < 0) hi = std::max<int64_t>(0, hi + n);
    if (hi > n) hi = n;
  } else {
    lo = (start.is_none() || start.is_undefined()) ? n - 1 : as_index(start, "start");
    hi = (stop.is_none() || stop.is_undefined()) ? -1 : as_index(stop, "stop");
    if (!(start.is_none() || start.is_undefined())) {
      if (lo < 0) lo = std::max<int64_t>(-1, lo + n);
      if (lo >= n) lo = n - 1;
    }
    if (!(stop.is_none() || stop.is_undefined())) {
      if (hi < 0) hi = std::max<int64_t>(-1, hi + n);
      if (hi >= n) hi = n - 1;
    }
  }
  std::vector<size_t> idx;
  if (st > 0) {
    for (int64_t k = lo; k < hi; k += st) idx.push_back(static_cast<size_t>(k));
  } else {
    for (int64_t k = lo; k > hi; k += st) idx.push_back(static_cast<size_t>(k));
  }
  return idx;
}

Value Interpreter::eval_getitem(const Expr& e, Frame* frame) {
  Value obj = eval(*e.args[0], frame);
  require_defined(obj);
  const Expr& index = *e.args[1];
  if (index.kind != ExprKind::Slice) return get_item(obj, eval(index, frame));
  Value parts[3];
  for (int k = 0; k < 3; ++k) parts[k] = index.args[k] ? eval(*index.args[k], frame) : Value::none();
  if (obj.type == Type::List) {
    List out;
    for (size_t k : slice_indices(static_cast<int64_t>(obj.list->size()), parts[0], parts[1], parts[2]))
      out.push_back((*obj.list)[k]);
    return Value::make_list(std::move(out), obj.tuple);
  }
  if (obj.type == Type::String) {
    std::u32string u = utf8_decode(obj.s);
    std::string out;
    for (size_t k : slice_indices(static_cast<int64_t>(u.size()), parts[0], parts[1], parts[2])) utf8_append(out, u[k]);
    return Value::string(std::move(out));
  }
  return Value::undefined(std::string("'") + type_name(obj) + " object' has no element slice");
}

static bool checked(bool overflow) {
  if (overflow) throw_eval("integer overflow");
  return true;
}

Value Interpreter::eval_binary(const Expr& e, Frame* frame) {
  Value a = eval(*e.args[0], frame);
  Value b = eval(*e.args[1], frame);
  const std::string& op = e.name;
  if (op == "~") return Value::string(to_str(a) + to_str(b));
  require_defined(a);
  require_defined(b);
  auto int_of = [](const Value& v) { return v.type == Type::Bool ? (v.b ? 1 : 0) : v.i; };
  const bool ints = (a.type == Type::Int || a.type == Type::Bool) && (b.type == Type::Int || b.type == Type::Bool);
  const bool nums = a.is_number() && b.is_number();
  auto type_error = [&]() -> Value {
    if (op == "+" && a.is_string())
      throw_eval(std::string("can only concatenate str (not \"") + type_name(b) + "\") to str");
    throw_eval("unsupported operand type(s) for " + op + ": '" + type_name(a) + "' and '" + type_name(b) + "'");
  };
  auto repeat = [&](const Value& seq, int64_t count) -> Value {
    if (count < 0) count = 0;
    if (seq.is_string()) {
      if (seq.s.size() * static_cast<size_t>(count) > limits_.max_output_bytes)
        throw_eval("string repetition result is too large");
      std::string out;
      for (int64_t k = 0; k < count; ++k) out += seq.s;
      return Value::string(std::move(out));
    }
    if (seq.list->size() * static_cast<size_t>(count) > (1u << 24)) throw_eval("list repetition result is too large");
    List out;
    for (int64_t k = 0; k < count; ++k) out.insert(out.end(), seq.list->begin(), seq.list->end());
    return Value::make_list(std::move(out), seq.tuple);
  };
  if (op == "+") {
    if (ints) {
      int64_t r;
      checked(__builtin_add_overflow(int_of(a), int_of(b), &r));
      return Value::integer(r);
    }
    if (nums) return Value::number(as_double(a) + as_double(b));
    if (a.is_string() && b.is_string()) return Value::string(a.s + b.s);
    if (a.type == Type::List && b.type == Type::List && a.tuple == b.tuple) {
      List out = *a.list;
      out.insert(out.end(), b.list->begin(), b.list->end());
      return Value::make_list(std::move(out), a.tuple);
    }
    return type_error();
  }
  if (op == "-") {
    if (ints) {
      int64_t r;
      checked(__builtin_sub_overflow(int_of(a), int_of(b), &r));
      return Value::integer(r);
    }
    if (nums) return Value::number(as_double(a) - as_double(b));
    return type_error();
  }
  if (op == "*") {
    if (ints) {
      int64_t r;
      checked(__builtin_mul_overflow(int_of(a), int_of(b), &r));
      return Value::integer(r);
    }
    if (nums) return Value::number(as_double(a) * as_double(b));
    if ((a.is_string() || a.type == Type::List) && (b.type == Type::Int || b.type == Type::Bool))
      return repeat(a, int_of(b));
    if ((b.is_string() || b.type == Type::List) && (a.type == Type::Int || a.type == Type::Bool))
      return repeat(b, int_of(a));
    return type_error();
  }
  if (op == "/") {
    if (!nums) return type_error();
    if (as_double(b) == 0.0) throw_eval("division by zero");
    return Value::number(as_double(a) / as_double(b));
  }
  if (op == "//" || op == "%") {
    if (!nums) {
      if (op == "%" && a.is_string()) throw_eval("printf-style string formatting with % is not supported");
      return type_error();
    }
    if (ints) {
      int64_t x = int_of(a), y = int_of(b);
      if (y == 0) throw_eval(op == "%" ? "integer division or modulo by zero" : "integer division or modulo by zero");
      if (x == std::numeric_limits<int64_t>::min() && y == -1) throw_eval("integer overflow");
      int64_t q = x / y, r = x % y;
      if (r != 0 && ((r < 0) != (y < 0))) {
        q -= 1;
        r += y;
      }
      return Value::integer(op == "//" ? q : r);
    }
    double x = as_double(a), y = as_double(b);
    if (y == 0.0) throw_eval("float division by zero");
    if (op == "//") return Value::number(std::floor(x / y));
    double r = std::fmod(x, y);
    if (r != 0.0 && ((r < 0) != (y < 0))) r += y;
    if (r == 0.0) r = std::copysign(0.0, y);
    return Value::number(r);
  }
  if (op == "**") {
    if (!nums) return type_error();
    if (ints && int_of(b) >= 0) {
      int64_t base = int_of(a), ex = int_of(b), r = 1;
      while (ex > 0) {
        if (ex & 1) checked(__builtin_mul_overflow(r, base, &r));
        ex >>= 1;
        if (ex > 0) checked(__builtin_mul_overflow(base, base, &base));
      }
      return Value::integer(r);
    }
    if (as_double(a) == 0.0 && as_double(b) < 0) throw_eval("0.0 cannot be raised to a negative power");
    return Value::number(std::pow(as_double(a), as_double(b)));
  }
  throw_eval("unknown operator " + op);
}

static bool contains(const Value& container, const Value& item) {
  switch (container.type) {
    case Type::String:
      if (!item.is_string())
        throw_eval(std::string("'in <string>' requires string as left operand, not ") + type_name(item));
      return container.s.find(item.s) != std::string::npos;
    case Type::List:
      for (const Value& v : *container.list)
        if (py_equal(v, item)) return true;
      return false;
    case Type::Dict: return item.is_string() && container.dict->find(item.s) != nullptr;
    case Type::Undefined: return false;
    default: throw_eval(std::string("argument of type '") + type_name(container) + "' is not iterable");
  }
}

Value Interpreter::eval_compare(const Expr& e, Frame* frame) {
  Value left = eval(*e.args[0], frame);
  for (size_t k = 0; k < e.ops.size(); ++k) {
    Value right = eval(*e.args[k + 1], frame);
    const std::string& op = e.ops[k];
    bool r;
    if (op == "==")
      r = py_equal(left, right);
    else if (op == "!=")
      r = !py_equal(left, right);
    else if (op == "in")
      r = contains(right, left);
    else if (op == "notin")
      r = !contains(right, left);
    else {
      int c = py_compare(left, right);
      r = op == "<" ? c < 0 : op == "<=" ? c <= 0 : op == ">" ? c > 0 : c >= 0;
    }
    if (!r) return Value::boolean(false);
    left = std::move(right);
  }
  return Value::boolean(true);
}

}  // namespace dlmeval::jinja
