#pragma once
// The interpreter that walks a parsed template (jinja_eval.cpp) and the builtin filters, tests,
// methods and globals it calls (jinja_builtins.cpp).
#include <ctime>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>

#include "harness/core/jinja_ast.h"
#include "harness/core/jinja_value.h"

namespace dlmeval::jinja {

struct Limits {
  size_t max_output_bytes = 64u << 20;
  int max_recursion_depth = 256;
  long long max_steps = 2'000'000;
  bool strict_undefined = false;  // printing an undefined value is an error (jinja2's StrictUndefined)
};

struct Frame {
  std::unordered_map<std::string, Value> vars;
  Frame* parent = nullptr;
};

// Raised with a template position; the public API turns it into a UserError.
struct RenderError {
  Pos pos;
  std::string message;
};

class Interpreter;
using FilterFn = Value (*)(Interpreter&, const Value&, const CallArgs&);
using TestFn = bool (*)(Interpreter&, const Value&, const CallArgs&);

const FilterFn* find_filter(const std::string& name);
const TestFn* find_test(const std::string& name);
// Attribute `name` of `obj` with jinja2 sandbox getattr semantics (methods of str/dict/list,
// dict keys, namespace attributes); Undefined when absent.
Value get_attribute(const Value& obj, const std::string& name);
// obj[key] with jinja2 getitem semantics (falls back to attributes for string keys).
Value get_item(const Value& obj, const Value& key);
// Builtin global functions (range, dict, namespace, raise_exception, ...).
void add_builtin_globals(Frame& globals);

// A filter supplied by the host for one template (checked before the builtins).
using HostFilter = std::function<Value(const Value& value, const CallArgs& args)>;

class Interpreter {
 public:
  Interpreter(const Program& program, Frame& globals, const Limits& limits,
              const std::map<std::string, HostFilter>* host_filters = nullptr);
  std::string render(Frame& root);

  // Used by builtins that apply other filters/tests (map, select, selectattr, ...).
  Value apply_filter(const std::string& name, const Value& v, const CallArgs& args);
  bool apply_test(const std::string& name, const Value& v, const CallArgs& args);
  Value call(const Value& callee, CallArgs& args);
  void step();

 private:
  enum class Flow { Normal, Break, Continue };
  Flow exec_body(const Body& body, Frame* frame, std::string& out);
  Flow exec(const Stmt& s, Frame* frame, std::string& out);
  void exec_for(const Stmt& s, Frame* frame, std::string& out);
  void assign(const Target& t, const Value& v, Frame* frame);
  Value eval(const Expr& e, Frame* frame);
  Value eval_binary(const Expr& e, Frame* frame);
  Value eval_compare(const Expr& e, Frame* frame);
  Value eval_getitem(const Expr& e, Frame* frame);
  CallArgs eval_args(const Expr& e, Frame* frame, size_t first);
  Value lookup(const std::string& name, Frame* frame) const;
  Value make_macro(const Stmt& s);
  void append(std::string& out, const std::string& text);
  [[noreturn]] void fail(const Pos& pos, const std::string& message) const;

  Value print_value(const Value& v) const;

  const Program& program_;
  Frame& globals_;
  const std::map<std::string, HostFilter>* host_filters_ = nullptr;
  Frame* root_ = nullptr;
  Limits limits_;
  int depth_ = 0;
  long long steps_ = 0;
};

}  // namespace dlmeval::jinja
