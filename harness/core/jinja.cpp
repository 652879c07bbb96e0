// Public API of the Jinja engine: parse, render, host functions; turns every internal failure
// into a one-line UserError naming template:line:column.
#include "harness/core/jinja.h"

#include <exception>
#include <new>

#include "harness/core/error.h"
#include "harness/core/jinja_ast.h"
#include "harness/core/jinja_eval.h"

namespace dlmeval {

namespace {

std::string one_line(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '\n')
      out += "\\n";
    else if (c == '\r')
      out += "\\r";
    else
      out.push_back(c);
  }
  return out;
}

[[noreturn]] void raise(const std::string& name, const jinja::Pos& pos, const std::string& what,
                        const std::string& message) {
  throw UserError("jinja template '" + one_line(name) + "' " + what + " at " + std::to_string(pos.line) + ":" +
                  std::to_string(pos.col) + ": " + one_line(message));
}

}  // namespace

JinjaTemplate JinjaTemplate::parse(const std::string& source, const std::string& name, const JinjaOptions& options) {
  JinjaTemplate t;
  t.name_ = name;
  t.options_ = options;
  try {
    jinja::LexOptions lo;
    lo.trim_blocks = options.trim_blocks;
    lo.lstrip_blocks = options.lstrip_blocks;
    lo.keep_trailing_newline = options.keep_trailing_newline;
    std::vector<jinja::Token> tokens = jinja::lex(source, lo);
    t.program_ = jinja::parse_program(tokens, options.max_recursion_depth);
  } catch (const jinja::SyntaxError& e) {
    raise(name, e.pos, "syntax error", e.message);
  } catch (const jinja::EvalError& e) {
    raise(name, jinja::Pos{1, 1}, "syntax error", e.message);
  } catch (const std::bad_alloc&) {
    throw UserError("jinja template '" + one_line(name) + "': out of memory while parsing");
  }
  return t;
}

void JinjaTemplate::add_function(const std::string& name, Function fn) { functions_[name] = std::move(fn); }

void JinjaTemplate::add_filter(const std::string& name, Filter fn) { filters_[name] = std::move(fn); }

void JinjaTemplate::set_strftime_now(const std::tm& fixed_time) {
  add_function("strftime_now", [fixed_time](const std::vector<Json>& args, const Json&) -> Json {
    if (args.empty() || !args[0].is_string()) throw UserError("strftime_now(format) needs a format string");
    std::string fmt = args[0].get<std::string>();
    if (fmt.empty()) return std::string();
    std::vector<char> buf(256 + fmt.size() * 64);
    size_t n = std::strftime(buf.data(), buf.size(), fmt.c_str(), &fixed_time);
    return std::string(buf.data(), n);
  });
}

namespace {

template <class J>
std::string render_impl(const JinjaTemplate& self, const std::shared_ptr<const jinja::Program>& program,
                        const JinjaOptions& options, const std::map<std::string, JinjaTemplate::Function>& functions,
                        const std::map<std::string, JinjaTemplate::Filter>& filters, const J& context) {
  using namespace jinja;
  const std::string& name = self.name();
  try {
    Frame globals;
    add_builtin_globals(globals);
    for (const auto& kv : functions) {
      JinjaTemplate::Function fn = kv.second;
      globals.vars[kv.first] = Value::callable(kv.first, [fn](CallArgs& a) -> Value {
        std::vector<Json> args;
        for (const Value& v : a.args) args.push_back(to_json(v));
        Json kwargs = Json::object();
        for (const auto& p : a.kwargs) kwargs[p.first] = to_json(p.second);
        try {
          return from_json(fn(args, kwargs));
        } catch (const UserError& e) {
          throw_eval(e.what());
        }
      });
    }
    std::map<std::string, HostFilter> host_filters;
    for (const auto& kv : filters) {
      JinjaTemplate::Filter fn = kv.second;
      host_filters[kv.first] = [fn](const Value& value, const CallArgs& a) -> Value {
        std::vector<Json> args;
        for (const Value& v : a.args) args.push_back(to_json(v));
        Json kwargs = Json::object();
        for (const auto& p : a.kwargs) kwargs[p.first] = to_json(p.second);
        try {
          return from_json(fn(to_json(value), args, kwargs));
        } catch (const UserError& e) {
          throw_eval(e.what());
        }
      };
    }
    Frame root;
    if (!context.is_null()) {
      if (!context.is_object()) throw UserError("jinja template '" + one_line(name) + "': render context must be a JSON object");
      for (auto it = context.begin(); it != context.end(); ++it) root.vars[it.key()] = from_json(it.value());
    }
    Limits limits;
    limits.max_output_bytes = options.max_output_bytes;
    limits.max_recursion_depth = options.max_recursion_depth;
    limits.max_steps = options.max_steps;
    limits.strict_undefined = options.strict_undefined;
    Interpreter interp(*program, globals, limits, &host_filters);
    return interp.render(root);
  } catch (const RenderError& e) {
    raise(name, e.pos, "render error", e.message);
  } catch (const EvalError& e) {
    raise(name, Pos{1, 1}, "render error", e.message);
  } catch (const UserError&) {
    throw;
  } catch (const std::bad_alloc&) {
    throw UserError("jinja template '" + one_line(name) + "': out of memory while rendering");
  } catch (const std::exception& e) {
    throw UserError("jinja template '" + one_line(name) + "': " + one_line(e.what()));
  }
}

}  // namespace

std::string JinjaTemplate::render(const Json& context) const {
  return render_impl(*this, program_, options_, functions_, filters_, context);
}
std::string JinjaTemplate::render(const nlohmann::ordered_json& context) const {
  return render_impl(*this, program_, options_, functions_, filters_, context);
}

}  // namespace dlmeval
