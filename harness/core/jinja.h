#pragma once
// A Jinja template engine that renders Hugging Face chat templates byte-for-byte the way
// transformers' apply_chat_template renders them with Python jinja2: an
// ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True) with the loopcontrols
// extension, `raise_exception`, transformers' `tojson` (ensure_ascii=False) and `strftime_now`.
// Every problem in a template or while rendering throws dlmeval::UserError with a one-line
// message naming the template and line:column. Output (64 MiB), macro recursion (256) and
// execution steps are bounded, so no template crashes or hangs the harness.
#include <ctime>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "harness/core/json_io.h"

namespace dlmeval {

namespace jinja {
struct Program;
}

struct JinjaOptions {
  bool trim_blocks = true;             // transformers' setting (jinja2's default is false)
  bool lstrip_blocks = true;           // transformers' setting (jinja2's default is false)
  size_t max_output_bytes = 64u << 20;  // rendering more than this is a UserError
  int max_recursion_depth = 256;        // nested macro calls
  long long max_steps = 2'000'000;      // loop iterations + macro calls per render
  bool keep_trailing_newline = false;   // jinja2's default drops one trailing newline
  bool strict_undefined = false;        // printing an undefined value fails (jinja2's StrictUndefined)
};

class JinjaTemplate {
 public:
  // A host function callable from the template as name(args..., key=value...). Arguments arrive
  // as JSON (an undefined value arrives as null); throw UserError to fail the render.
  using Function = std::function<Json(const std::vector<Json>& args, const Json& kwargs)>;

  // Parses `source`; `name` only labels error messages. UserError on a syntax error.
  static JinjaTemplate parse(const std::string& source, const std::string& name,
                             const JinjaOptions& options = {});

  // Renders with the top-level variables of `context` (a JSON object, or null for none).
  // nlohmann::json keeps object keys sorted, so dicts iterate (and `tojson` prints) in key order;
  // pass an ordered_json to keep the caller's key order as Python dicts would.
  std::string render(const Json& context) const;
  std::string render(const nlohmann::ordered_json& context) const;

  // A host filter used as value|name(args..., key=value...); same conventions as Function.
  using Filter = std::function<Json(const Json& value, const std::vector<Json>& args, const Json& kwargs)>;

  // Makes `name` a filter of the template (replacing a builtin of that name).
  void add_filter(const std::string& name, Filter fn);

  // Makes `name` a global function of the template (replacing a builtin of that name).
  void add_function(const std::string& name, Function fn);

  // Defines the HF global strftime_now(format) to format this fixed moment (C locale strftime),
  // so renders are deterministic. Without this call strftime_now is undefined in the template.
  void set_strftime_now(const std::tm& fixed_time);

  const std::string& name() const { return name_; }

 private:
  JinjaTemplate() = default;
  std::shared_ptr<const jinja::Program> program_;
  std::string name_;
  JinjaOptions options_;
  std::map<std::string, Function> functions_;
  std::map<std::string, Filter> filters_;
};

}  // namespace dlmeval
