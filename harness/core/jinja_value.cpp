#include "harness/core/jinja_value.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "harness/core/utf8.h"

namespace dlmeval::jinja {

void throw_eval(const std::string& message) { throw EvalError{message}; }

const Value* Dict::find(const std::string& key) const {
  for (const auto& kv : items)
    if (kv.first == key) return &kv.second;
  return nullptr;
}
Value* Dict::find(const std::string& key) {
  for (auto& kv : items)
    if (kv.first == key) return &kv.second;
  return nullptr;
}
void Dict::set(const std::string& key, Value v) {
  if (Value* existing = find(key)) {
    *existing = std::move(v);
    return;
  }
  items.emplace_back(key, std::move(v));
}

const Value* CallArgs::kwarg(const char* name) const {
  for (const auto& kv : kwargs)
    if (kv.first == name) return &kv.second;
  return nullptr;
}
const Value* CallArgs::get(size_t index, const char* name) const {
  if (index < args.size()) return &args[index];
  return name ? kwarg(name) : nullptr;
}

Value Value::undefined(std::string hint) {
  Value v;
  v.s = std::move(hint);
  return v;
}
Value Value::none() {
  Value v;
  v.type = Type::None;
  return v;
}
Value Value::boolean(bool b) {
  Value v;
  v.type = Type::Bool;
  v.b = b;
  return v;
}
Value Value::integer(int64_t i) {
  Value v;
  v.type = Type::Int;
  v.i = i;
  return v;
}
Value Value::number(double f) {
  Value v;
  v.type = Type::Float;
  v.f = f;
  return v;
}
Value Value::string(std::string s) {
  Value v;
  v.type = Type::String;
  v.s = std::move(s);
  return v;
}
Value Value::make_list(List l, bool is_tuple) {
  Value v;
  v.type = Type::List;
  v.list = std::make_shared<const List>(std::move(l));
  v.tuple = is_tuple;
  return v;
}
Value Value::make_dict(Dict d) {
  Value v;
  v.type = Type::Dict;
  v.dict = std::make_shared<const Dict>(std::move(d));
  return v;
}
Value Value::make_namespace(Dict d) {
  Value v;
  v.type = Type::Namespace;
  v.ns = std::make_shared<Dict>(std::move(d));
  return v;
}
Value Value::callable(std::string name, std::function<Value(CallArgs&)> fn) {
  Value v;
  v.type = Type::Callable;
  v.fn = std::make_shared<const Callable>(Callable{std::move(name), std::move(fn)});
  return v;
}

const char* type_name(const Value& v) {
  switch (v.type) {
    case Type::Undefined: return "Undefined";
    case Type::None: return "NoneType";
    case Type::Bool: return "bool";
    case Type::Int: return "int";
    case Type::Float: return "float";
    case Type::String: return "str";
    case Type::List: return v.tuple ? "tuple" : "list";
    case Type::Dict: return "dict";
    case Type::Callable: return "function";
    case Type::Namespace: return "Namespace";
  }
  return "object";
}

bool truthy(const Value& v) {
  switch (v.type) {
    case Type::Undefined:
    case Type::None: return false;
    case Type::Bool: return v.b;
    case Type::Int: return v.i != 0;
    case Type::Float: return v.f != 0.0;
    case Type::String: return !v.s.empty();
    case Type::List: return !v.list->empty();
    case Type::Dict: return !v.dict->items.empty();
    case Type::Callable:
    case Type::Namespace: return true;
  }
  return false;
}

// ---------------------------------------------------------------- UTF-8

void utf8_append(std::string& out, char32_t c) {
  if (c >= 0xDC80 && c <= 0xDCFF) {  // an undecodable byte carried through
    out.push_back(static_cast<char>(c - 0xDC00));
  } else {
    append_utf8(out, c);
  }
}

std::u32string utf8_decode(const std::string& s) {
  std::u32string out;
  out.reserve(s.size());
  size_t i = 0;
  const size_t n = s.size();
  while (i < n) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      out.push_back(c);
      ++i;
      continue;
    }
    int len = 0;
    char32_t cp = 0;
    if ((c & 0xE0) == 0xC0) {
      len = 2;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4;
      cp = c & 0x07;
    }
    bool ok = len > 0 && i + static_cast<size_t>(len) <= n;
    for (int k = 1; ok && k < len; ++k) {
      unsigned char cc = static_cast<unsigned char>(s[i + static_cast<size_t>(k)]);
      if ((cc & 0xC0) != 0x80) ok = false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    if (ok && ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
               (cp >= 0xD800 && cp <= 0xDFFF)))
      ok = false;
    if (!ok) {
      out.push_back(0xDC00 + c);
      ++i;
      continue;
    }
    out.push_back(cp);
    i += static_cast<size_t>(len);
  }
  return out;
}

std::string utf8_encode(const std::u32string& s) {
  std::string out;
  out.reserve(s.size());
  for (char32_t c : s) utf8_append(out, c);
  return out;
}

bool py_isspace(char32_t c) {
  return (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20) || c == 0x85 || c == 0xA0 || c == 0x1680 ||
         (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
}

// ---------------------------------------------------------------- printing

std::string py_float_repr(double d) {
  if (std::isnan(d)) return "nan";
  if (std::isinf(d)) return d > 0 ? "inf" : "-inf";
  if (d == 0.0) return std::signbit(d) ? "-0.0" : "0.0";
  char buf[64];
  int prec = 1;
  for (; prec <= 17; ++prec) {
    std::snprintf(buf, sizeof buf, "%.*e", prec - 1, d);
    if (std::strtod(buf, nullptr) == d) break;
  }
  // buf: [-]d.ddde[+-]xx
  std::string str(buf);
  bool neg = false;
  if (str[0] == '-') {
    neg = true;
    str = str.substr(1);
  }
  size_t epos = str.find('e');
  std::string mant = str.substr(0, epos);
  int exp = std::atoi(str.c_str() + epos + 1);
  std::string digits;
  for (char c : mant)
    if (c != '.') digits.push_back(c);
  while (digits.size() > 1 && digits.back() == '0') digits.pop_back();
  std::string out = neg ? "-" : "";
  if (exp >= -4 && exp < 16) {
    if (exp >= 0) {
      std::string ip, fp;
      if (static_cast<int>(digits.size()) <= exp + 1) {
        ip = digits + std::string(static_cast<size_t>(exp + 1) - digits.size(), '0');
        fp = "0";
      } else {
        ip = digits.substr(0, static_cast<size_t>(exp + 1));
        fp = digits.substr(static_cast<size_t>(exp + 1));
      }
      out += ip + "." + fp;
    } else {
      out += "0." + std::string(static_cast<size_t>(-exp - 1), '0') + digits;
    }
  } else {
    out += digits.substr(0, 1);
    if (digits.size() > 1) out += "." + digits.substr(1);
    char eb[16];
    std::snprintf(eb, sizeof eb, "e%c%02d", exp < 0 ? '-' : '+', exp < 0 ? -exp : exp);
    out += eb;
  }
  return out;
}

static bool repr_printable(char32_t c) {
  if (c < 0x20 || c == 0x7F) return false;
  if (c >= 0x80 && c <= 0xA0) return false;
  if (c == 0xAD || c == 0x1680 || (c >= 0x2000 && c <= 0x200F) || (c >= 0x2028 && c <= 0x202F) ||
      (c >= 0x205F && c <= 0x206F) || c == 0x3000 || c == 0xFEFF || (c >= 0xD800 && c <= 0xDFFF) ||
      (c >= 0xFFF9 && c <= 0xFFFB) || (c >= 0xE000 && c <= 0xF8FF))
    return false;
  return true;
}

static std::string repr_string(const std::string& s) {
  bool has_single = s.find('\'') != std::string::npos;
  bool has_double = s.find('"') != std::string::npos;
  char q = (has_single && !has_double) ? '"' : '\'';
  std::string out(1, q);
  for (char32_t c : utf8_decode(s)) {
    if (c == static_cast<char32_t>(q) || c == '\\') {
      out.push_back('\\');
      out.push_back(static_cast<char>(c));
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c >= 0xDC80 && c <= 0xDCFF) {
      char b[16];
      std::snprintf(b, sizeof b, "\\udc%02x", static_cast<unsigned>(c - 0xDC00));
      out += b;
    } else if (!repr_printable(c)) {
      char b[16];
      if (c < 0x100)
        std::snprintf(b, sizeof b, "\\x%02x", static_cast<unsigned>(c));
      else if (c < 0x10000)
        std::snprintf(b, sizeof b, "\\u%04x", static_cast<unsigned>(c));
      else
        std::snprintf(b, sizeof b, "\\U%08x", static_cast<unsigned>(c));
      out += b;
    } else {
      utf8_append(out, c);
    }
  }
  out.push_back(q);
  return out;
}

std::string repr(const Value& v) {
  switch (v.type) {
    case Type::String: return repr_string(v.s);
    case Type::List: {
      std::string out = v.tuple ? "(" : "[";
      for (size_t k = 0; k < v.list->size(); ++k) {
        if (k) out += ", ";
        out += repr((*v.list)[k]);
      }
      if (v.tuple && v.list->size() == 1) out += ",";
      out += v.tuple ? ")" : "]";
      return out;
    }
    case Type::Dict: {
      std::string out = "{";
      bool first = true;
      for (const auto& kv : v.dict->items) {
        if (!first) out += ", ";
        first = false;
        out += repr_string(kv.first) + ": " + repr(kv.second);
      }
      return out + "}";
    }
    default: return to_str(v);
  }
}

std::string to_str(const Value& v) {
  switch (v.type) {
    case Type::Undefined: return "";
    case Type::None: return "None";
    case Type::Bool: return v.b ? "True" : "False";
    case Type::Int: return std::to_string(v.i);
    case Type::Float: return py_float_repr(v.f);
    case Type::String: return v.s;
    case Type::List:
    case Type::Dict: return repr(v);
    case Type::Callable: return "<function " + v.fn->name + ">";
    case Type::Namespace: {
      std::string out = "<Namespace {";
      bool first = true;
      for (const auto& kv : v.ns->items) {
        if (!first) out += ", ";
        first = false;
        out += repr_string(kv.first) + ": " + repr(kv.second);
      }
      return out + "}>";
    }
  }
  return "";
}

// ---------------------------------------------------------------- comparisons

double as_double(const Value& v) {
  if (v.type == Type::Bool) return v.b ? 1.0 : 0.0;
  if (v.type == Type::Int) return static_cast<double>(v.i);
  return v.f;
}

static bool both_ints(const Value& a, const Value& b) {
  return (a.type == Type::Int || a.type == Type::Bool) && (b.type == Type::Int || b.type == Type::Bool);
}
static int64_t as_int(const Value& v) { return v.type == Type::Bool ? (v.b ? 1 : 0) : v.i; }

bool py_equal(const Value& a, const Value& b) {
  if (a.is_number() && b.is_number()) {
    if (both_ints(a, b)) return as_int(a) == as_int(b);
    return as_double(a) == as_double(b);
  }
  if (a.type != b.type) return false;
  switch (a.type) {
    case Type::Undefined:
    case Type::None: return true;
    case Type::String: return a.s == b.s;
    case Type::List: {
      if (a.list->size() != b.list->size()) return false;
      for (size_t k = 0; k < a.list->size(); ++k)
        if (!py_equal((*a.list)[k], (*b.list)[k])) return false;
      return true;
    }
    case Type::Dict: {
      if (a.dict->items.size() != b.dict->items.size()) return false;
      for (const auto& kv : a.dict->items) {
        const Value* other = b.dict->find(kv.first);
        if (!other || !py_equal(kv.second, *other)) return false;
      }
      return true;
    }
    case Type::Callable: return a.fn == b.fn;
    case Type::Namespace: return a.ns == b.ns;
    default: return false;
  }
}

int py_compare(const Value& a, const Value& b) {
  if (a.is_number() && b.is_number()) {
    if (both_ints(a, b)) {
      int64_t x = as_int(a), y = as_int(b);
      return x < y ? -1 : (x > y ? 1 : 0);
    }
    double x = as_double(a), y = as_double(b);
    return x < y ? -1 : (x > y ? 1 : 0);
  }
  if (a.type == Type::String && b.type == Type::String) {
    int c = a.s.compare(b.s);
    return c < 0 ? -1 : (c > 0 ? 1 : 0);
  }
  if (a.type == Type::List && b.type == Type::List) {
    size_t n = std::min(a.list->size(), b.list->size());
    for (size_t k = 0; k < n; ++k) {
      if (py_equal((*a.list)[k], (*b.list)[k])) continue;
      return py_compare((*a.list)[k], (*b.list)[k]);
    }
    return a.list->size() < b.list->size() ? -1 : (a.list->size() > b.list->size() ? 1 : 0);
  }
  throw_eval(std::string("'<' not supported between instances of '") + type_name(a) + "' and '" + type_name(b) + "'");
}

List iterate(const Value& v) {
  switch (v.type) {
    case Type::Undefined: return {};
    case Type::List: return *v.list;
    case Type::Dict: {
      List out;
      for (const auto& kv : v.dict->items) out.push_back(Value::string(kv.first));
      return out;
    }
    case Type::String: {
      List out;
      for (char32_t c : utf8_decode(v.s)) {
        std::string ch;
        utf8_append(ch, c);
        out.push_back(Value::string(std::move(ch)));
      }
      return out;
    }
    default: throw_eval(std::string("'") + type_name(v) + "' object is not iterable");
  }
}

int64_t py_len(const Value& v) {
  switch (v.type) {
    case Type::Undefined: return 0;
    case Type::String: return static_cast<int64_t>(utf8_decode(v.s).size());
    case Type::List: return static_cast<int64_t>(v.list->size());
    case Type::Dict: return static_cast<int64_t>(v.dict->items.size());
    default: throw_eval(std::string("object of type '") + type_name(v) + "' has no len()");
  }
}

// ---------------------------------------------------------------- json

static void json_string(std::string& out, const std::string& s, bool ensure_ascii) {
  out.push_back('"');
  for (char32_t c : utf8_decode(s)) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default: {
        char b[16];
        if (c < 0x20) {
          std::snprintf(b, sizeof b, "\\u%04x", static_cast<unsigned>(c));
          out += b;
        } else if (ensure_ascii && c >= 0x7F) {
          if (c < 0x7F + 1) {
            out.push_back(static_cast<char>(c));
          } else if (c >= 0x10000) {
            char32_t x = c - 0x10000;
            std::snprintf(b, sizeof b, "\\u%04x\\u%04x", static_cast<unsigned>(0xD800 + (x >> 10)),
                          static_cast<unsigned>(0xDC00 + (x & 0x3FF)));
            out += b;
          } else {
            std::snprintf(b, sizeof b, "\\u%04x", static_cast<unsigned>(c));
            out += b;
          }
        } else {
          utf8_append(out, c);
        }
      }
    }
  }
  out.push_back('"');
}

static void json_value(std::string& out, const Value& v, const JsonDumpOptions& o, int level) {
  auto newline = [&](int lvl) {
    out.push_back('\n');
    for (int k = 0; k < lvl; ++k) out += o.indent;
  };
  switch (v.type) {
    case Type::None: out += "null"; return;
    case Type::Bool: out += v.b ? "true" : "false"; return;
    case Type::Int: out += std::to_string(v.i); return;
    case Type::Float:
      if (std::isnan(v.f))
        out += "NaN";
      else if (std::isinf(v.f))
        out += v.f > 0 ? "Infinity" : "-Infinity";
      else
        out += py_float_repr(v.f);
      return;
    case Type::String: json_string(out, v.s, o.ensure_ascii); return;
    case Type::List: {
      if (v.list->empty()) {
        out += "[]";
        return;
      }
      out.push_back('[');
      bool first = true;
      for (const Value& item : *v.list) {
        if (!first) out += o.item_sep;
        first = false;
        if (o.has_indent) newline(level + 1);
        json_value(out, item, o, level + 1);
      }
      if (o.has_indent) newline(level);
      out.push_back(']');
      return;
    }
    case Type::Dict: {
      if (v.dict->items.empty()) {
        out += "{}";
        return;
      }
      std::vector<const std::pair<std::string, Value>*> items;
      for (const auto& kv : v.dict->items) items.push_back(&kv);
      if (o.sort_keys)
        std::stable_sort(items.begin(), items.end(), [](auto* a, auto* b) { return a->first < b->first; });
      out.push_back('{');
      bool first = true;
      for (const auto* kv : items) {
        if (!first) out += o.item_sep;
        first = false;
        if (o.has_indent) newline(level + 1);
        json_string(out, kv->first, o.ensure_ascii);
        out += o.key_sep;
        json_value(out, kv->second, o, level + 1);
      }
      if (o.has_indent) newline(level);
      out.push_back('}');
      return;
    }
    default:
      throw_eval(std::string("Object of type ") + type_name(v) + " is not JSON serializable");
  }
}

std::string json_dumps(const Value& v, const JsonDumpOptions& opts) {
  std::string out;
  json_value(out, v, opts, 0);
  return out;
}

template <class J>
static Value from_json_impl(const J& j) {
  switch (j.type()) {
    case nlohmann::json::value_t::null: return Value::none();
    case nlohmann::json::value_t::boolean: return Value::boolean(j.template get<bool>());
    case nlohmann::json::value_t::number_integer: return Value::integer(j.template get<int64_t>());
    case nlohmann::json::value_t::number_unsigned: {
      uint64_t u = j.template get<uint64_t>();
      if (u <= static_cast<uint64_t>(INT64_MAX)) return Value::integer(static_cast<int64_t>(u));
      return Value::number(static_cast<double>(u));
    }
    case nlohmann::json::value_t::number_float: return Value::number(j.template get<double>());
    case nlohmann::json::value_t::string: return Value::string(j.template get<std::string>());
    case nlohmann::json::value_t::array: {
      List l;
      l.reserve(j.size());
      for (const auto& e : j) l.push_back(from_json_impl(e));
      return Value::make_list(std::move(l));
    }
    case nlohmann::json::value_t::object: {
      Dict d;
      for (auto it = j.begin(); it != j.end(); ++it) d.items.emplace_back(it.key(), from_json_impl(it.value()));
      return Value::make_dict(std::move(d));
    }
    default: throw_eval("unsupported JSON value (binary) in the template context");
  }
}

Value from_json(const nlohmann::json& j) { return from_json_impl(j); }
Value from_json(const nlohmann::ordered_json& j) { return from_json_impl(j); }

nlohmann::json to_json(const Value& v) {
  switch (v.type) {
    case Type::Undefined:
    case Type::None: return nullptr;
    case Type::Bool: return v.b;
    case Type::Int: return v.i;
    case Type::Float: return v.f;
    case Type::String: return v.s;
    case Type::List: {
      nlohmann::json a = nlohmann::json::array();
      for (const Value& e : *v.list) a.push_back(to_json(e));
      return a;
    }
    case Type::Dict: {
      nlohmann::json o = nlohmann::json::object();
      for (const auto& kv : v.dict->items) o[kv.first] = to_json(kv.second);
      return o;
    }
    case Type::Namespace: {
      nlohmann::json o = nlohmann::json::object();
      for (const auto& kv : v.ns->items) o[kv.first] = to_json(kv.second);
      return o;
    }
    case Type::Callable: return to_str(v);
  }
  return nullptr;
}

}  // namespace dlmeval::jinja
