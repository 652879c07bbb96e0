// jinja2's builtin filters and tests, the Python str/dict/list methods templates call, and the
// global functions (range, dict, namespace, raise_exception), with Python semantics.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <unordered_map>

#include "harness/core/jinja_eval.h"

namespace dlmeval::jinja {
namespace {

// ---------------------------------------------------------------- argument helpers

Value arg_or(const CallArgs& a, size_t idx, const char* name, Value dflt) {
  const Value* v = a.get(idx, name);
  return v ? *v : dflt;
}
bool arg_bool(const CallArgs& a, size_t idx, const char* name, bool dflt) {
  const Value* v = a.get(idx, name);
  return v ? truthy(*v) : dflt;
}
int64_t to_int(const Value& v) {
  if (v.type == Type::Int) return v.i;
  if (v.type == Type::Bool) return v.b ? 1 : 0;
  if (v.type == Type::Float) return static_cast<int64_t>(v.f);
  throw_eval(std::string("'") + type_name(v) + "' object cannot be interpreted as an integer");
}
const std::string& need_str(const Value& v, const char* what) {
  if (!v.is_string()) throw_eval(std::string(what) + " must be str, not " + type_name(v));
  return v.s;
}

// ---------------------------------------------------------------- string helpers (code points)

// Simple (one-to-one) case mappings for ASCII, Latin-1, Latin Extended-A, Greek and Cyrillic;
// other scripts pass through unchanged.
char32_t lower_cp(char32_t c) {
  if ((c >= 'A' && c <= 'Z') || (c >= 0xC0 && c <= 0xDE && c != 0xD7)) return c + 32;
  if (c >= 0x100 && c <= 0x17F) {
    if (c == 0x130) return 'i';
    if (c == 0x178) return 0xFF;
    bool odd_upper = (c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E);
    if (c == 0x131 || c == 0x138 || c == 0x149 || c == 0x17F) return c;
    return odd_upper ? ((c & 1) ? c + 1 : c) : ((c & 1) ? c : c + 1);
  }
  if ((c >= 0x391 && c <= 0x3A9 && c != 0x3A2) || (c >= 0x410 && c <= 0x42F)) return c + 32;
  if (c >= 0x400 && c <= 0x40F) return c + 80;
  return c;
}
char32_t upper_cp(char32_t c) {
  if ((c >= 'a' && c <= 'z') || (c >= 0xE0 && c <= 0xFE && c != 0xF7)) return c - 32;
  if (c == 0xFF) return 0x178;
  if (c >= 0x100 && c <= 0x17F) {
    if (c == 0x131) return 'I';
    if (c == 0x17F) return 'S';
    bool odd_upper = (c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E);
    if (c == 0x130 || c == 0x138 || c == 0x149 || c == 0x178) return c;
    return odd_upper ? ((c & 1) ? c : c - 1) : ((c & 1) ? c - 1 : c);
  }
  if (c == 0x3C2) return 0x3A3;
  if ((c >= 0x3B1 && c <= 0x3C9) || (c >= 0x430 && c <= 0x44F)) return c - 32;
  if (c >= 0x450 && c <= 0x45F) return c - 80;
  return c;
}
bool cased(char32_t c) { return lower_cp(c) != c || upper_cp(c) != c || c == 0xDF; }

std::string str_lower(const std::string& s) {
  std::u32string u = utf8_decode(s);
  for (auto& c : u) c = lower_cp(c);
  return utf8_encode(u);
}
std::string str_upper(const std::string& s) {
  std::u32string u = utf8_decode(s);
  for (auto& c : u) c = upper_cp(c);
  return utf8_encode(u);
}
std::string str_capitalize(const std::string& s) {
  std::u32string u = utf8_decode(s);
  for (size_t k = 0; k < u.size(); ++k) u[k] = k == 0 ? upper_cp(u[k]) : lower_cp(u[k]);
  return utf8_encode(u);
}
std::string py_title(const std::string& s) {  // str.title()
  std::u32string u = utf8_decode(s);
  bool prev_cased = false;
  for (auto& c : u) {
    c = prev_cased ? lower_cp(c) : upper_cp(c);
    prev_cased = cased(c);
  }
  return utf8_encode(u);
}
std::string jinja_title(const std::string& s) {  // jinja2 do_title: split on [-\s({\[<]+
  std::u32string u = utf8_decode(s), out;
  bool at_word_start = true;
  for (char32_t c : u) {
    bool sep = c == '-' || c == '(' || c == '{' || c == '[' || c == '<' || py_isspace(c);
    if (sep) {
      out.push_back(c);
      at_word_start = true;
    } else {
      out.push_back(at_word_start ? upper_cp(c) : lower_cp(c));
      at_word_start = false;
    }
  }
  return utf8_encode(out);
}

std::string py_strip(const std::string& s, const Value* chars, bool left, bool right) {
  std::u32string u = utf8_decode(s);
  std::u32string set;
  bool ws = !chars || chars->is_none() || chars->is_undefined();
  if (!ws) set = utf8_decode(need_str(*chars, "strip arg"));
  auto strip_it = [&](char32_t c) { return ws ? py_isspace(c) : set.find(c) != std::u32string::npos; };
  size_t b = 0, e = u.size();
  if (left)
    while (b < e && strip_it(u[b])) ++b;
  if (right)
    while (e > b && strip_it(u[e - 1])) --e;
  return utf8_encode(u.substr(b, e - b));
}

List py_split(const std::string& s, const Value* sepv, int64_t maxsplit) {
  List out;
  if (!sepv || sepv->is_none() || sepv->is_undefined()) {
    std::u32string u = utf8_decode(s);
    size_t k = 0;
    while (true) {
      while (k < u.size() && py_isspace(u[k])) ++k;
      if (k >= u.size()) break;
      if (maxsplit >= 0 && static_cast<int64_t>(out.size()) >= maxsplit) {
        size_t e = u.size();
        while (e > k && py_isspace(u[e - 1])) --e;
        out.push_back(Value::string(utf8_encode(u.substr(k, e - k))));
        break;
      }
      size_t b = k;
      while (k < u.size() && !py_isspace(u[k])) ++k;
      out.push_back(Value::string(utf8_encode(u.substr(b, k - b))));
    }
    return out;
  }
  const std::string& sep = need_str(*sepv, "separator");
  if (sep.empty()) throw_eval("empty separator");
  size_t b = 0;
  while (true) {
    size_t p = s.find(sep, b);
    if (p == std::string::npos || (maxsplit >= 0 && static_cast<int64_t>(out.size()) >= maxsplit)) {
      out.push_back(Value::string(s.substr(b)));
      break;
    }
    out.push_back(Value::string(s.substr(b, p - b)));
    b = p + sep.size();
  }
  return out;
}

std::string py_replace(const std::string& s, const std::string& old, const std::string& rep, int64_t count) {
  if (old.empty()) {
    std::u32string u = utf8_decode(s);
    std::string out;
    int64_t done = 0;
    for (size_t k = 0; k <= u.size(); ++k) {
      if (count < 0 || done < count) {
        out += rep;
        ++done;
      }
      if (k < u.size()) utf8_append(out, u[k]);
    }
    return out;
  }
  std::string out;
  size_t b = 0;
  int64_t done = 0;
  while (count < 0 || done < count) {
    size_t p = s.find(old, b);
    if (p == std::string::npos) break;
    out += s.substr(b, p - b) + rep;
    b = p + old.size();
    ++done;
  }
  return out + s.substr(b);
}

int64_t cp_index(const std::string& s, size_t byte_pos) {
  return static_cast<int64_t>(utf8_decode(s.substr(0, byte_pos)).size());
}

std::vector<std::string> py_splitlines(const std::string& s) {
  std::u32string u = utf8_decode(s);
  std::vector<std::string> out;
  std::u32string line;
  for (size_t k = 0; k < u.size(); ++k) {
    char32_t c = u[k];
    bool brk = c == '\n' || c == '\r' || c == 0x0B || c == 0x0C || c == 0x1C || c == 0x1D || c == 0x1E || c == 0x85 ||
               c == 0x2028 || c == 0x2029;
    if (!brk) {
      line.push_back(c);
      continue;
    }
    if (c == '\r' && k + 1 < u.size() && u[k + 1] == '\n') ++k;
    out.push_back(utf8_encode(line));
    line.clear();
  }
  if (!line.empty()) out.push_back(utf8_encode(line));
  return out;
}

std::string html_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&#34;"; break;
      case '\'': out += "&#39;"; break;
      default: out.push_back(c);
    }
  }
  return out;
}

bool starts_or_ends(const std::string& s, const Value& affix, bool start) {
  auto one = [&](const std::string& a) {
    if (a.size() > s.size()) return false;
    return start ? s.compare(0, a.size(), a) == 0 : s.compare(s.size() - a.size(), a.size(), a) == 0;
  };
  if (affix.type == Type::List) {
    for (const Value& v : *affix.list)
      if (one(need_str(v, "affix"))) return true;
    return false;
  }
  return one(need_str(affix, start ? "startswith arg" : "endswith arg"));
}

// ---------------------------------------------------------------- attribute lookup helpers

// Value of a dotted attribute path ("a.b" or "0") as jinja2's make_attrgetter resolves it.
Value attr_path(const Value& item, const std::string& path) {
  Value v = item;
  size_t b = 0;
  while (true) {
    size_t p = path.find('.', b);
    std::string part = path.substr(b, p == std::string::npos ? std::string::npos : p - b);
    bool digits = !part.empty() && std::all_of(part.begin(), part.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (v.is_undefined()) throw_eval(v.s.empty() ? "value is undefined" : v.s);
    v = digits ? get_item(v, Value::integer(std::atoll(part.c_str()))) : get_item(v, Value::string(part));
    if (p == std::string::npos) break;
    b = p + 1;
  }
  return v;
}

Value sort_key(const Value& v, bool case_sensitive) {
  if (!case_sensitive && v.is_string()) return Value::string(str_lower(v.s));
  return v;
}

// ---------------------------------------------------------------- filters

Value f_trim(Interpreter&, const Value& v, const CallArgs& a) {
  const Value* chars = a.get(0, "chars");
  return Value::string(py_strip(to_str(v), chars, true, true));
}
Value f_tojson(Interpreter&, const Value& v, const CallArgs& a) {
  JsonDumpOptions o;
  o.ensure_ascii = arg_bool(a, 0, "ensure_ascii", false);
  Value indent = arg_or(a, 1, "indent", Value::none());
  if (!indent.is_none() && !indent.is_undefined()) {
    o.has_indent = true;
    o.indent = indent.is_string() ? indent.s : std::string(static_cast<size_t>(std::max<int64_t>(0, to_int(indent))), ' ');
    o.item_sep = ",";
  }
  Value seps = arg_or(a, 2, "separators", Value::none());
  if (seps.type == Type::List) {
    if (seps.list->size() != 2) throw_eval("separators must be a pair of strings");
    o.item_sep = need_str((*seps.list)[0], "separator");
    o.key_sep = need_str((*seps.list)[1], "separator");
  }
  o.sort_keys = arg_bool(a, 3, "sort_keys", false);
  return Value::string(json_dumps(v, o));
}
Value f_length(Interpreter&, const Value& v, const CallArgs&) { return Value::integer(py_len(v)); }
Value f_upper(Interpreter&, const Value& v, const CallArgs&) { return Value::string(str_upper(to_str(v))); }
Value f_lower(Interpreter&, const Value& v, const CallArgs&) { return Value::string(str_lower(to_str(v))); }
Value f_title(Interpreter&, const Value& v, const CallArgs&) { return Value::string(jinja_title(to_str(v))); }
Value f_capitalize(Interpreter&, const Value& v, const CallArgs&) { return Value::string(str_capitalize(to_str(v))); }
Value f_replace(Interpreter&, const Value& v, const CallArgs& a) {
  const Value* old = a.get(0, "old");
  const Value* rep = a.get(1, "new");
  if (!old || !rep) throw_eval("replace() needs the old and new strings");
  Value count = arg_or(a, 2, "count", Value::none());
  return Value::string(py_replace(to_str(v), to_str(*old), to_str(*rep),
                                  count.is_none() || count.is_undefined() ? -1 : to_int(count)));
}
Value f_join(Interpreter&, const Value& v, const CallArgs& a) {
  std::string sep = to_str(arg_or(a, 0, "d", Value::string("")));
  const Value* attr = a.get(1, "attribute");
  std::string out;
  bool first = true;
  for (const Value& item : iterate(v)) {
    if (!first) out += sep;
    first = false;
    out += to_str(attr && !attr->is_none() ? attr_path(item, to_str(*attr)) : item);
  }
  return Value::string(std::move(out));
}
Value f_first(Interpreter&, const Value& v, const CallArgs&) {
  List items = iterate(v);
  return items.empty() ? Value::undefined("No first item, sequence was empty.") : items.front();
}
Value f_last(Interpreter&, const Value& v, const CallArgs&) {
  List items = iterate(v);
  return items.empty() ? Value::undefined("No last item, sequence was empty.") : items.back();
}
Value f_list(Interpreter&, const Value& v, const CallArgs&) { return Value::make_list(iterate(v)); }
Value f_string(Interpreter&, const Value& v, const CallArgs&) { return Value::string(to_str(v)); }
Value f_int(Interpreter&, const Value& v, const CallArgs& a) {
  Value dflt = arg_or(a, 0, "default", Value::integer(0));
  int64_t base = to_int(arg_or(a, 1, "base", Value::integer(10)));
  switch (v.type) {
    case Type::Int: return v;
    case Type::Bool: return Value::integer(v.b ? 1 : 0);
    case Type::Float:
      if (std::isnan(v.f) || std::isinf(v.f)) return dflt;
      return Value::integer(static_cast<int64_t>(v.f));
    case Type::String: {
      std::string s = py_strip(v.s, nullptr, true, true);
      std::string digits;
      for (char c : s)
        if (c != '_') digits.push_back(c);
      if (!digits.empty()) {
        char* end = nullptr;
        errno = 0;
        long long r = std::strtoll(digits.c_str(), &end, static_cast<int>(base));
        if (errno == 0 && *end == '\0') return Value::integer(r);
        end = nullptr;
        double d = std::strtod(digits.c_str(), &end);
        if (*end == '\0' && std::isfinite(d)) return Value::integer(static_cast<int64_t>(d));
      }
      return dflt;
    }
    default: return dflt;
  }
}
Value f_float(Interpreter&, const Value& v, const CallArgs& a) {
  Value dflt = arg_or(a, 0, "default", Value::number(0.0));
  if (v.is_number()) return Value::number(as_double(v));
  if (v.is_string()) {
    std::string s = py_strip(v.s, nullptr, true, true);
    char* end = nullptr;
    double d = std::strtod(s.c_str(), &end);
    if (!s.empty() && *end == '\0') return Value::number(d);
  }
  return dflt;
}
Value f_default(Interpreter&, const Value& v, const CallArgs& a) {
  Value dflt = arg_or(a, 0, "default_value", Value::string(""));
  bool boolean = arg_bool(a, 1, "boolean", false);
  if (v.is_undefined() || (boolean && !truthy(v))) return dflt;
  return v;
}
Value f_items(Interpreter&, const Value& v, const CallArgs&) {
  if (v.is_undefined()) return Value::make_list({});
  if (v.type != Type::Dict) throw_eval(std::string("Can only get item pairs from a mapping, not ") + type_name(v));
  List out;
  for (const auto& kv : v.dict->items) out.push_back(Value::make_list({Value::string(kv.first), kv.second}, true));
  return Value::make_list(std::move(out));
}
Value select_impl(Interpreter& in, const Value& v, const CallArgs& a, bool by_attr, bool keep) {
  List out;
  size_t first_test_arg = by_attr ? 1 : 0;
  std::string attr;
  if (by_attr) {
    const Value* at = a.get(0, nullptr);
    if (!at) throw_eval("Missing parameter for attribute name");
    attr = to_str(*at);
  }
  std::string test;
  CallArgs targs;
  if (a.args.size() > first_test_arg) {
    test = to_str(a.args[first_test_arg]);
    targs.args.assign(a.args.begin() + static_cast<long>(first_test_arg) + 1, a.args.end());
    targs.kwargs = a.kwargs;
  }
  for (const Value& item : iterate(v)) {
    Value x = by_attr ? attr_path(item, attr) : item;
    bool ok = test.empty() ? truthy(x) : in.apply_test(test, x, targs);
    if (ok == keep) out.push_back(item);
  }
  return Value::make_list(std::move(out));
}
Value f_selectattr(Interpreter& in, const Value& v, const CallArgs& a) { return select_impl(in, v, a, true, true); }
Value f_rejectattr(Interpreter& in, const Value& v, const CallArgs& a) { return select_impl(in, v, a, true, false); }
Value f_select(Interpreter& in, const Value& v, const CallArgs& a) { return select_impl(in, v, a, false, true); }
Value f_reject(Interpreter& in, const Value& v, const CallArgs& a) { return select_impl(in, v, a, false, false); }
Value f_map(Interpreter& in, const Value& v, const CallArgs& a) {
  List out;
  if (const Value* attr = a.kwarg("attribute")) {
    const Value* dflt = a.kwarg("default");
    for (const Value& item : iterate(v)) {
      Value x = attr_path(item, to_str(*attr));
      out.push_back(x.is_undefined() && dflt ? *dflt : x);
    }
    return Value::make_list(std::move(out));
  }
  if (a.args.empty()) throw_eval("map requires a filter argument");
  std::string name = to_str(a.args[0]);
  CallArgs fargs;
  fargs.args.assign(a.args.begin() + 1, a.args.end());
  fargs.kwargs = a.kwargs;
  for (const Value& item : iterate(v)) out.push_back(in.apply_filter(name, item, fargs));
  return Value::make_list(std::move(out));
}
Value f_reverse(Interpreter&, const Value& v, const CallArgs&) {
  if (v.is_string()) {
    std::u32string u = utf8_decode(v.s);
    std::reverse(u.begin(), u.end());
    return Value::string(utf8_encode(u));
  }
  List items = iterate(v);
  std::reverse(items.begin(), items.end());
  return Value::make_list(std::move(items));
}
Value f_sort(Interpreter&, const Value& v, const CallArgs& a) {
  bool reverse = arg_bool(a, 0, "reverse", false);
  bool cs = arg_bool(a, 1, "case_sensitive", false);
  Value attr = arg_or(a, 2, "attribute", Value::none());
  List items = iterate(v);
  std::vector<std::pair<Value, size_t>> keyed;
  for (size_t k = 0; k < items.size(); ++k)
    keyed.emplace_back(sort_key(attr.is_none() ? items[k] : attr_path(items[k], to_str(attr)), cs), k);
  std::stable_sort(keyed.begin(), keyed.end(), [&](const auto& x, const auto& y) {
    return reverse ? py_compare(y.first, x.first) < 0 : py_compare(x.first, y.first) < 0;
  });
  List out;
  for (const auto& kv : keyed) out.push_back(items[kv.second]);
  return Value::make_list(std::move(out));
}
Value f_unique(Interpreter&, const Value& v, const CallArgs& a) {
  bool cs = arg_bool(a, 0, "case_sensitive", false);
  Value attr = arg_or(a, 1, "attribute", Value::none());
  List out, seen;
  for (const Value& item : iterate(v)) {
    Value key = sort_key(attr.is_none() ? item : attr_path(item, to_str(attr)), cs);
    bool dup = false;
    for (const Value& s : seen) dup = dup || py_equal(s, key);
    if (dup) continue;
    seen.push_back(key);
    out.push_back(item);
  }
  return Value::make_list(std::move(out));
}
Value f_indent(Interpreter&, const Value& v, const CallArgs& a) {
  Value width = arg_or(a, 0, "width", Value::integer(4));
  bool first = arg_bool(a, 1, "first", false);
  bool blank = arg_bool(a, 2, "blank", false);
  std::string ind = width.is_string() ? width.s : std::string(static_cast<size_t>(std::max<int64_t>(0, to_int(width))), ' ');
  std::string s = to_str(v) + "\n";
  std::vector<std::string> lines = py_splitlines(s);
  std::string rv;
  if (blank) {
    for (size_t k = 0; k < lines.size(); ++k) rv += (k ? "\n" + ind : "") + lines[k];
  } else {
    rv = lines.empty() ? "" : lines[0];
    for (size_t k = 1; k < lines.size(); ++k) rv += "\n" + (lines[k].empty() ? lines[k] : ind + lines[k]);
  }
  if (first) rv = ind + rv;
  return Value::string(std::move(rv));
}
Value f_safe(Interpreter&, const Value& v, const CallArgs&) { return Value::string(to_str(v)); }
Value f_escape(Interpreter&, const Value& v, const CallArgs&) { return Value::string(html_escape(to_str(v))); }
Value f_abs(Interpreter&, const Value& v, const CallArgs&) {
  if (v.type == Type::Int || v.type == Type::Bool) {
    int64_t x = to_int(v);
    if (x == INT64_MIN) throw_eval("integer overflow");
    return Value::integer(x < 0 ? -x : x);
  }
  if (v.type == Type::Float) return Value::number(std::fabs(v.f));
  throw_eval(std::string("bad operand type for abs(): '") + type_name(v) + "'");
}
Value f_round(Interpreter&, const Value& v, const CallArgs& a) {
  int64_t prec = to_int(arg_or(a, 0, "precision", Value::integer(0)));
  std::string method = to_str(arg_or(a, 1, "method", Value::string("common")));
  if (!v.is_number()) throw_eval("round() needs a number");
  double x = as_double(v);
  if (method == "common") {
    char buf[512];
    std::snprintf(buf, sizeof buf, "%.*f", static_cast<int>(std::clamp<int64_t>(prec, 0, 300)), x);
    double r = std::strtod(buf, nullptr);
    if (prec < 0) {
      double m = std::pow(10.0, static_cast<double>(-prec));
      r = std::nearbyint(x / m) * m;
    }
    return Value::number(r);
  }
  double m = std::pow(10.0, static_cast<double>(prec));
  if (method == "ceil") return Value::number(std::ceil(x * m) / m);
  if (method == "floor") return Value::number(std::floor(x * m) / m);
  throw_eval("method must be 'common', 'ceil' or 'floor'");
}
Value f_sum(Interpreter&, const Value& v, const CallArgs& a) {
  Value attr = arg_or(a, 0, "attribute", Value::none());
  Value total = arg_or(a, 1, "start", Value::integer(0));
  for (const Value& item : iterate(v)) {
    Value x = attr.is_none() ? item : attr_path(item, to_str(attr));
    if (!x.is_number() || !total.is_number()) throw_eval("sum() supports numbers only");
    if ((total.type == Type::Int || total.type == Type::Bool) && (x.type == Type::Int || x.type == Type::Bool)) {
      int64_t r;
      if (__builtin_add_overflow(to_int(total), to_int(x), &r)) throw_eval("integer overflow");
      total = Value::integer(r);
    } else {
      total = Value::number(as_double(total) + as_double(x));
    }
  }
  return total;
}
Value minmax(const Value& v, const CallArgs& a, bool want_max) {
  bool cs = arg_bool(a, 0, "case_sensitive", false);
  Value attr = arg_or(a, 1, "attribute", Value::none());
  List items = iterate(v);
  if (items.empty()) return Value::undefined(want_max ? "No aggregated item, sequence was empty." : "No aggregated item, sequence was empty.");
  size_t best = 0;
  for (size_t k = 1; k < items.size(); ++k) {
    Value x = sort_key(attr.is_none() ? items[k] : attr_path(items[k], to_str(attr)), cs);
    Value y = sort_key(attr.is_none() ? items[best] : attr_path(items[best], to_str(attr)), cs);
    int c = py_compare(x, y);
    if (want_max ? c > 0 : c < 0) best = k;
  }
  return items[best];
}
Value f_min(Interpreter&, const Value& v, const CallArgs& a) { return minmax(v, a, false); }
Value f_max(Interpreter&, const Value& v, const CallArgs& a) { return minmax(v, a, true); }
Value f_dictsort(Interpreter&, const Value& v, const CallArgs& a) {
  if (v.type != Type::Dict) throw_eval("dictsort needs a mapping");
  bool cs = arg_bool(a, 0, "case_sensitive", false);
  std::string by = to_str(arg_or(a, 1, "by", Value::string("key")));
  bool reverse = arg_bool(a, 2, "reverse", false);
  List items;
  for (const auto& kv : v.dict->items) items.push_back(Value::make_list({Value::string(kv.first), kv.second}, true));
  size_t pos = by == "value" ? 1 : 0;
  std::stable_sort(items.begin(), items.end(), [&](const Value& x, const Value& y) {
    int c = py_compare(sort_key((*x.list)[pos], cs), sort_key((*y.list)[pos], cs));
    return reverse ? c > 0 : c < 0;
  });
  return Value::make_list(std::move(items));
}
Value f_wordcount(Interpreter&, const Value& v, const CallArgs&) {
  int64_t n = 0;
  bool in_word = false;
  for (char32_t c : utf8_decode(to_str(v))) {
    bool w = (c >= '0' && c <= '9') || cased(c) || c == '_' || c >= 0x80;
    if (w && !in_word) ++n;
    in_word = w;
  }
  return Value::integer(n);
}
Value f_attr(Interpreter&, const Value& v, const CallArgs& a) {
  const Value* name = a.get(0, "name");
  if (!name) throw_eval("attr() needs a name");
  return get_attribute(v, to_str(*name));
}
Value f_center(Interpreter&, const Value& v, const CallArgs& a) {
  int64_t width = to_int(arg_or(a, 0, "width", Value::integer(80)));
  std::u32string u = utf8_decode(to_str(v));
  if (width <= static_cast<int64_t>(u.size())) return Value::string(to_str(v));
  size_t total = static_cast<size_t>(width) - u.size();
  size_t left = total / 2 + (total & static_cast<size_t>(width) & 1);
  return Value::string(std::string(left, ' ') + to_str(v) + std::string(total - left, ' '));
}

const std::unordered_map<std::string, FilterFn>& filters() {
  static const std::unordered_map<std::string, FilterFn> table = {
      {"trim", f_trim},         {"tojson", f_tojson},       {"length", f_length},     {"count", f_length},
      {"upper", f_upper},       {"lower", f_lower},         {"title", f_title},       {"capitalize", f_capitalize},
      {"replace", f_replace},   {"join", f_join},           {"first", f_first},       {"last", f_last},
      {"list", f_list},         {"string", f_string},       {"int", f_int},           {"float", f_float},
      {"default", f_default},   {"d", f_default},           {"items", f_items},       {"selectattr", f_selectattr},
      {"rejectattr", f_rejectattr}, {"select", f_select},   {"reject", f_reject},     {"map", f_map},
      {"reverse", f_reverse},   {"sort", f_sort},           {"unique", f_unique},     {"indent", f_indent},
      {"safe", f_safe},         {"e", f_escape},            {"escape", f_escape},     {"forceescape", f_escape},
      {"abs", f_abs},           {"round", f_round},         {"sum", f_sum},           {"min", f_min},
      {"max", f_max},           {"dictsort", f_dictsort},   {"wordcount", f_wordcount}, {"attr", f_attr},
      {"center", f_center},
  };
  return table;
}

// ---------------------------------------------------------------- tests

const Value& test_arg(const CallArgs& a) {
  if (a.args.empty()) throw_eval("test needs an argument");
  return a.args[0];
}
bool t_defined(Interpreter&, const Value& v, const CallArgs&) { return !v.is_undefined(); }
bool t_undefined(Interpreter&, const Value& v, const CallArgs&) { return v.is_undefined(); }
bool t_none(Interpreter&, const Value& v, const CallArgs&) { return v.is_none(); }
bool t_boolean(Interpreter&, const Value& v, const CallArgs&) { return v.type == Type::Bool; }
bool t_false(Interpreter&, const Value& v, const CallArgs&) { return v.type == Type::Bool && !v.b; }
bool t_true(Interpreter&, const Value& v, const CallArgs&) { return v.type == Type::Bool && v.b; }
bool t_integer(Interpreter&, const Value& v, const CallArgs&) { return v.type == Type::Int; }
bool t_float(Interpreter&, const Value& v, const CallArgs&) { return v.type == Type::Float; }
bool t_number(Interpreter&, const Value& v, const CallArgs&) { return v.is_number(); }
bool t_string(Interpreter&, const Value& v, const CallArgs&) { return v.is_string(); }
bool t_mapping(Interpreter&, const Value& v, const CallArgs&) { return v.type == Type::Dict; }
bool t_iterable(Interpreter&, const Value& v, const CallArgs&) {
  return v.type == Type::List || v.type == Type::Dict || v.type == Type::String || v.is_undefined();
}
bool t_sequence(Interpreter& in, const Value& v, const CallArgs& a) { return t_iterable(in, v, a); }
bool t_callable(Interpreter&, const Value& v, const CallArgs&) { return v.type == Type::Callable; }
bool t_sameas(Interpreter&, const Value& v, const CallArgs& a) {
  const Value& o = test_arg(a);
  if (v.type != o.type) return false;
  switch (v.type) {
    case Type::None:
    case Type::Undefined: return true;
    case Type::Bool: return v.b == o.b;
    case Type::List: return v.list == o.list;
    case Type::Dict: return v.dict == o.dict;
    case Type::Namespace: return v.ns == o.ns;
    case Type::Callable: return v.fn == o.fn;
    default: return py_equal(v, o);
  }
}
bool t_in(Interpreter&, const Value& v, const CallArgs& a) {
  const Value& seq = test_arg(a);
  if (seq.is_string()) return v.is_string() ? seq.s.find(v.s) != std::string::npos
                                            : (throw_eval("'in <string>' requires string as left operand"), false);
  for (const Value& x : iterate(seq))
    if (py_equal(x, v)) return true;
  return false;
}
bool t_odd(Interpreter&, const Value& v, const CallArgs&) { return (to_int(v) % 2) != 0; }
bool t_even(Interpreter&, const Value& v, const CallArgs&) { return (to_int(v) % 2) == 0; }
bool t_divisibleby(Interpreter&, const Value& v, const CallArgs& a) {
  int64_t d = to_int(test_arg(a));
  if (d == 0) throw_eval("integer division or modulo by zero");
  return to_int(v) % d == 0;
}
bool t_eq(Interpreter&, const Value& v, const CallArgs& a) { return py_equal(v, test_arg(a)); }
bool t_ne(Interpreter&, const Value& v, const CallArgs& a) { return !py_equal(v, test_arg(a)); }
bool t_lt(Interpreter&, const Value& v, const CallArgs& a) { return py_compare(v, test_arg(a)) < 0; }
bool t_le(Interpreter&, const Value& v, const CallArgs& a) { return py_compare(v, test_arg(a)) <= 0; }
bool t_gt(Interpreter&, const Value& v, const CallArgs& a) { return py_compare(v, test_arg(a)) > 0; }
bool t_ge(Interpreter&, const Value& v, const CallArgs& a) { return py_compare(v, test_arg(a)) >= 0; }
bool t_lower(Interpreter&, const Value& v, const CallArgs&) {
  std::string s = to_str(v);
  bool any = false;
  for (char c : s) {
    if (c >= 'A' && c <= 'Z') return false;
    any = any || (c >= 'a' && c <= 'z');
  }
  return any;
}
bool t_upper(Interpreter&, const Value& v, const CallArgs&) {
  std::string s = to_str(v);
  bool any = false;
  for (char c : s) {
    if (c >= 'a' && c <= 'z') return false;
    any = any || (c >= 'A' && c <= 'Z');
  }
  return any;
}
bool t_filter(Interpreter&, const Value& v, const CallArgs&) { return v.is_string() && find_filter(v.s) != nullptr; }
bool t_test(Interpreter&, const Value& v, const CallArgs&) { return v.is_string() && find_test(v.s) != nullptr; }
bool t_escaped(Interpreter&, const Value&, const CallArgs&) { return false; }

const std::unordered_map<std::string, TestFn>& tests() {
  static const std::unordered_map<std::string, TestFn> table = {
      {"defined", t_defined},   {"undefined", t_undefined}, {"none", t_none},         {"boolean", t_boolean},
      {"false", t_false},       {"true", t_true},           {"integer", t_integer},   {"float", t_float},
      {"number", t_number},     {"string", t_string},       {"mapping", t_mapping},   {"iterable", t_iterable},
      {"sequence", t_sequence}, {"callable", t_callable},   {"sameas", t_sameas},     {"in", t_in},
      {"odd", t_odd},           {"even", t_even},           {"divisibleby", t_divisibleby}, {"eq", t_eq},
      {"equalto", t_eq},        {"==", t_eq},               {"ne", t_ne},             {"!=", t_ne},
      {"lt", t_lt},             {"lessthan", t_lt},         {"<", t_lt},              {"le", t_le},
      {"<=", t_le},             {"gt", t_gt},               {"greaterthan", t_gt},    {">", t_gt},
      {"ge", t_ge},             {">=", t_ge},               {"lower", t_lower},       {"upper", t_upper},
      {"filter", t_filter},     {"test", t_test},           {"escaped", t_escaped},
  };
  return table;
}

// ---------------------------------------------------------------- methods

Value method(const Value& self, const std::string& name, Value (*fn)(const Value&, CallArgs&)) {
  return Value::callable(name, [self, fn](CallArgs& a) { return fn(self, a); });
}

Value string_method(const Value& s, const std::string& name) {
  using M = Value (*)(const Value&, CallArgs&);
  static const std::unordered_map<std::string, M> table = {
      {"strip", [](const Value& v, CallArgs& a) { return Value::string(py_strip(v.s, a.get(0, "chars"), true, true)); }},
      {"lstrip", [](const Value& v, CallArgs& a) { return Value::string(py_strip(v.s, a.get(0, "chars"), true, false)); }},
      {"rstrip", [](const Value& v, CallArgs& a) { return Value::string(py_strip(v.s, a.get(0, "chars"), false, true)); }},
      {"split",
       [](const Value& v, CallArgs& a) {
         const Value* m = a.get(1, "maxsplit");
         return Value::make_list(py_split(v.s, a.get(0, "sep"), m ? to_int(*m) : -1));
       }},
      {"startswith",
       [](const Value& v, CallArgs& a) {
         const Value* p = a.get(0, nullptr);
         if (!p) throw_eval("startswith() takes at least 1 argument");
         return Value::boolean(starts_or_ends(v.s, *p, true));
       }},
      {"endswith",
       [](const Value& v, CallArgs& a) {
         const Value* p = a.get(0, nullptr);
         if (!p) throw_eval("endswith() takes at least 1 argument");
         return Value::boolean(starts_or_ends(v.s, *p, false));
       }},
      {"upper", [](const Value& v, CallArgs&) { return Value::string(str_upper(v.s)); }},
      {"lower", [](const Value& v, CallArgs&) { return Value::string(str_lower(v.s)); }},
      {"title", [](const Value& v, CallArgs&) { return Value::string(py_title(v.s)); }},
      {"capitalize", [](const Value& v, CallArgs&) { return Value::string(str_capitalize(v.s)); }},
      {"replace",
       [](const Value& v, CallArgs& a) {
         const Value* o = a.get(0, nullptr);
         const Value* n = a.get(1, nullptr);
         if (!o || !n) throw_eval("replace() takes at least 2 arguments");
         const Value* c = a.get(2, "count");
         return Value::string(py_replace(v.s, need_str(*o, "replace arg"), need_str(*n, "replace arg"), c ? to_int(*c) : -1));
       }},
      {"find",
       [](const Value& v, CallArgs& a) {
         const Value* sub = a.get(0, nullptr);
         if (!sub) throw_eval("find() takes at least 1 argument");
         size_t p = v.s.find(need_str(*sub, "find arg"));
         return Value::integer(p == std::string::npos ? -1 : cp_index(v.s, p));
       }},
      {"rfind",
       [](const Value& v, CallArgs& a) {
         const Value* sub = a.get(0, nullptr);
         if (!sub) throw_eval("rfind() takes at least 1 argument");
         size_t p = v.s.rfind(need_str(*sub, "rfind arg"));
         return Value::integer(p == std::string::npos ? -1 : cp_index(v.s, p));
       }},
      {"count",
       [](const Value& v, CallArgs& a) {
         const Value* sub = a.get(0, nullptr);
         if (!sub) throw_eval("count() takes at least 1 argument");
         const std::string& t = need_str(*sub, "count arg");
         if (t.empty()) return Value::integer(static_cast<int64_t>(utf8_decode(v.s).size()) + 1);
         int64_t n = 0;
         for (size_t p = v.s.find(t); p != std::string::npos; p = v.s.find(t, p + t.size())) ++n;
         return Value::integer(n);
       }},
      {"join",
       [](const Value& v, CallArgs& a) {
         const Value* seq = a.get(0, nullptr);
         if (!seq) throw_eval("join() takes exactly one argument");
         std::string out;
         bool first = true;
         for (const Value& x : iterate(*seq)) {
           if (!first) out += v.s;
           first = false;
           out += need_str(x, "sequence item");
         }
         return Value::string(std::move(out));
       }},
      {"splitlines",
       [](const Value& v, CallArgs&) {
         List out;
         for (auto& l : py_splitlines(v.s)) out.push_back(Value::string(l));
         return Value::make_list(std::move(out));
       }},
      {"isdigit",
       [](const Value& v, CallArgs&) {
         return Value::boolean(!v.s.empty() && std::all_of(v.s.begin(), v.s.end(), [](char c) { return c >= '0' && c <= '9'; }));
       }},
      {"isspace",
       [](const Value& v, CallArgs&) {
         std::u32string u = utf8_decode(v.s);
         return Value::boolean(!u.empty() && std::all_of(u.begin(), u.end(), py_isspace));
       }},
  };
  auto it = table.find(name);
  if (it == table.end()) return Value::undefined("'str object' has no attribute '" + name + "'");
  return method(s, name, it->second);
}

Value dict_method(const Value& d, const std::string& name, bool* found) {
  *found = true;
  if (name == "get")
    return method(d, name, [](const Value& v, CallArgs& a) {
      const Value* k = a.get(0, nullptr);
      if (!k) throw_eval("get expected at least 1 argument, got 0");
      const Value* r = k->is_string() ? v.dict->find(k->s) : nullptr;
      return r ? *r : arg_or(a, 1, nullptr, Value::none());
    });
  if (name == "items")
    return method(d, name, [](const Value& v, CallArgs&) {
      List out;
      for (const auto& kv : v.dict->items) out.push_back(Value::make_list({Value::string(kv.first), kv.second}, true));
      return Value::make_list(std::move(out));
    });
  if (name == "keys")
    return method(d, name, [](const Value& v, CallArgs&) { return Value::make_list(iterate(v)); });
  if (name == "values")
    return method(d, name, [](const Value& v, CallArgs&) {
      List out;
      for (const auto& kv : v.dict->items) out.push_back(kv.second);
      return Value::make_list(std::move(out));
    });
  if (name == "copy") return method(d, name, [](const Value& v, CallArgs&) { return Value::make_dict(*v.dict); });
  if (name == "pop" || name == "popitem" || name == "setdefault" || name == "update" || name == "clear") {
    std::string msg = "access to attribute '" + name + "' of 'dict' object is unsafe.";
    return Value::callable(name, [msg](CallArgs&) -> Value { throw_eval(msg); });
  }
  *found = false;
  return Value::undefined();
}

Value list_method(const Value& l, const std::string& name) {
  if (name == "index")
    return method(l, name, [](const Value& v, CallArgs& a) {
      const Value* x = a.get(0, nullptr);
      if (!x) throw_eval("index() takes at least 1 argument");
      for (size_t k = 0; k < v.list->size(); ++k)
        if (py_equal((*v.list)[k], *x)) return Value::integer(static_cast<int64_t>(k));
      throw_eval(repr(*x) + " is not in list");
    });
  if (name == "count")
    return method(l, name, [](const Value& v, CallArgs& a) {
      const Value* x = a.get(0, nullptr);
      if (!x) throw_eval("count() takes exactly one argument");
      int64_t n = 0;
      for (const Value& e : *v.list) n += py_equal(e, *x) ? 1 : 0;
      return Value::integer(n);
    });
  if (!l.tuple && (name == "append" || name == "pop" || name == "extend" || name == "insert" || name == "remove" ||
                   name == "sort" || name == "reverse" || name == "clear")) {
    std::string msg = "access to attribute '" + name + "' of 'list' object is unsafe.";
    return Value::callable(name, [msg](CallArgs&) -> Value { throw_eval(msg); });
  }
  return Value::undefined(std::string("'") + type_name(l) + " object' has no attribute '" + name + "'");
}

}  // namespace

const FilterFn* find_filter(const std::string& name) {
  auto it = filters().find(name);
  return it == filters().end() ? nullptr : &it->second;
}
const TestFn* find_test(const std::string& name) {
  auto it = tests().find(name);
  return it == tests().end() ? nullptr : &it->second;
}

Value get_attribute(const Value& obj, const std::string& name) {
  switch (obj.type) {
    case Type::Dict: {
      bool found = false;
      Value m = dict_method(obj, name, &found);
      if (found) return m;
      if (const Value* v = obj.dict->find(name)) return *v;
      return Value::undefined("'dict object' has no attribute '" + name + "'");
    }
    case Type::String: return string_method(obj, name);
    case Type::List: return list_method(obj, name);
    case Type::Namespace: {
      if (const Value* v = obj.ns->find(name)) return *v;
      return Value::undefined("'Namespace object' has no attribute '" + name + "'");
    }
    case Type::None: return Value::undefined("'None' has no attribute '" + name + "'");
    default: return Value::undefined(std::string("'") + type_name(obj) + " object' has no attribute '" + name + "'");
  }
}

Value get_item(const Value& obj, const Value& key) {
  switch (obj.type) {
    case Type::List:
    case Type::String:
      if (key.type == Type::Int || key.type == Type::Bool) {
        int64_t k = key.type == Type::Bool ? (key.b ? 1 : 0) : key.i;
        if (obj.type == Type::List) {
          auto n = static_cast<int64_t>(obj.list->size());
          if (k < 0) k += n;
          if (k >= 0 && k < n) return (*obj.list)[static_cast<size_t>(k)];
        } else {
          std::u32string u = utf8_decode(obj.s);
          auto n = static_cast<int64_t>(u.size());
          if (k < 0) k += n;
          if (k >= 0 && k < n) {
            std::string ch;
            utf8_append(ch, u[static_cast<size_t>(k)]);
            return Value::string(ch);
          }
        }
        return Value::undefined(std::string("'") + type_name(obj) + " object' has no element " + to_str(key));
      }
      break;
    case Type::Dict:
      if (key.is_string()) {
        if (const Value* v = obj.dict->find(key.s)) return *v;
      }
      break;
    default: break;
  }
  if (key.is_string()) return get_attribute(obj, key.s);
  return Value::undefined(std::string("'") + type_name(obj) + " object' has no element " + repr(key));
}

void add_builtin_globals(Frame& g) {
  g.vars["range"] = Value::callable("range", [](CallArgs& a) -> Value {
    if (a.args.empty() || a.args.size() > 3) throw_eval("range expected 1 to 3 arguments");
    int64_t start = 0, stop, step = 1;
    if (a.args.size() == 1) {
      stop = to_int(a.args[0]);
    } else {
      start = to_int(a.args[0]);
      stop = to_int(a.args[1]);
      if (a.args.size() == 3) step = to_int(a.args[2]);
    }
    if (step == 0) throw_eval("range() arg 3 must not be zero");
    List out;
    for (int64_t k = start; step > 0 ? k < stop : k > stop; k += step) {
      if (out.size() >= 1'000'000) throw_eval("range too big (more than 1000000 items)");
      out.push_back(Value::integer(k));
    }
    return Value::make_list(std::move(out));
  });
  g.vars["dict"] = Value::callable("dict", [](CallArgs& a) -> Value {
    Dict d;
    if (!a.args.empty()) {
      if (a.args[0].type != Type::Dict) throw_eval("dict() positional argument must be a mapping");
      d = *a.args[0].dict;
    }
    for (const auto& kv : a.kwargs) d.set(kv.first, kv.second);
    return Value::make_dict(std::move(d));
  });
  g.vars["namespace"] = Value::callable("namespace", [](CallArgs& a) -> Value {
    Dict d;
    if (!a.args.empty()) {
      if (a.args[0].type != Type::Dict) throw_eval("namespace() positional argument must be a mapping");
      d = *a.args[0].dict;
    }
    for (const auto& kv : a.kwargs) d.set(kv.first, kv.second);
    return Value::make_namespace(std::move(d));
  });
  g.vars["raise_exception"] = Value::callable("raise_exception", [](CallArgs& a) -> Value {
    throw_eval(a.args.empty() ? std::string("raise_exception called") : to_str(a.args[0]));
  });
}

}  // namespace dlmeval::jinja
