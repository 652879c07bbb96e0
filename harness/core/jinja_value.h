#pragma once
// The values a Jinja template computes with, modelled on the Python objects jinja2 uses:
// Undefined, None, bool, int, float, str (UTF-8), list/tuple, dict (insertion ordered),
// callables (builtins, bound methods, macros) and namespace objects. Plus Python's str(),
// repr(), truthiness, equality/ordering and json.dumps, which the output must match exactly.
#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

namespace dlmeval::jinja {

// Thrown by value helpers and builtins; the interpreter adds the template position.
struct EvalError {
  std::string message;
};
[[noreturn]] void throw_eval(const std::string& message);

struct Value;
using List = std::vector<Value>;

struct Dict {
  std::vector<std::pair<std::string, Value>> items;
  const Value* find(const std::string& key) const;
  Value* find(const std::string& key);
  void set(const std::string& key, Value v);
};

struct CallArgs {
  std::vector<Value> args;
  std::vector<std::pair<std::string, Value>> kwargs;
  // Positional `index` or keyword `name`, else nullptr.
  const Value* get(size_t index, const char* name) const;
  const Value* kwarg(const char* name) const;
};

struct Callable {
  std::string name;
  std::function<Value(CallArgs&)> fn;
};

enum class Type { Undefined, None, Bool, Int, Float, String, List, Dict, Callable, Namespace };

struct Value {
  Type type = Type::Undefined;
  bool b = false;
  int64_t i = 0;
  double f = 0.0;
  std::string s;  // String, or for Undefined the message used when it is misused
  std::shared_ptr<const List> list;
  bool tuple = false;  // a List that Python would hold as a tuple (prints with parentheses)
  std::shared_ptr<const Dict> dict;
  std::shared_ptr<Dict> ns;  // Namespace attributes (mutable, shared by reference)
  std::shared_ptr<const Callable> fn;

  static Value undefined(std::string hint = "");
  static Value none();
  static Value boolean(bool v);
  static Value integer(int64_t v);
  static Value number(double v);
  static Value string(std::string v);
  static Value make_list(List v, bool is_tuple = false);
  static Value make_dict(Dict v);
  static Value make_namespace(Dict v);
  static Value callable(std::string name, std::function<Value(CallArgs&)> fn);

  bool is_undefined() const { return type == Type::Undefined; }
  bool is_none() const { return type == Type::None; }
  bool is_string() const { return type == Type::String; }
  bool is_number() const { return type == Type::Int || type == Type::Float || type == Type::Bool; }
};

// Python-style helpers.
const char* type_name(const Value& v);     // 'int', 'str', 'dict', ...
bool truthy(const Value& v);               // bool(v)
std::string to_str(const Value& v);        // str(v); Undefined -> ""
std::string repr(const Value& v);          // repr(v)
std::string py_float_repr(double d);       // repr(float)
bool py_equal(const Value& a, const Value& b);
int py_compare(const Value& a, const Value& b);  // <0, 0, >0; EvalError when unorderable
double as_double(const Value& v);          // numeric value of a bool/int/float
List iterate(const Value& v);              // list(v)
int64_t py_len(const Value& v);            // len(v)

struct JsonDumpOptions {
  bool ensure_ascii = false;
  bool has_indent = false;
  std::string indent;
  std::string item_sep = ", ";
  std::string key_sep = ": ";
  bool sort_keys = false;
};
std::string json_dumps(const Value& v, const JsonDumpOptions& opts);

Value from_json(const nlohmann::json& j);
Value from_json(const nlohmann::ordered_json& j);
nlohmann::json to_json(const Value& v);

// UTF-8 helpers (invalid bytes decode as U+FFFD-free raw bytes 0xDC80.. like surrogateescape).
std::u32string utf8_decode(const std::string& s);
std::string utf8_encode(const std::u32string& s);
void utf8_append(std::string& out, char32_t c);
bool py_isspace(char32_t c);

}  // namespace dlmeval::jinja
