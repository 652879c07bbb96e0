// The Jinja engine against goldens rendered by Python jinja2 3.1 with transformers' chat-template
// environment (tests/unit/chat_templates/make_expected.py): language features (features.json)
// and five models' published chat templates (expected.json), byte for byte.
#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>

#include "harness/core/error.h"
#include "harness/core/jinja.h"
#include "harness/core/json_io.h"
#include "runners/tokenizer/chat_templates.h"

#ifndef DLMEVAL_SOURCE_DIR
#error "DLMEVAL_SOURCE_DIR must name the repository root"
#endif

namespace {

using dlmeval::Json;
using dlmeval::JinjaTemplate;
using dlmeval::UserError;

const std::string kDir = std::string(DLMEVAL_SOURCE_DIR) + "/tests/unit/chat_templates/";

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot open " << path;
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::tm fixed_now() {  // make_expected.py's FIXED_NOW
  std::tm t{};
  t.tm_year = 2024 - 1900;
  t.tm_mon = 8;
  t.tm_mday = 3;
  t.tm_hour = 12;
  t.tm_wday = 2;
  t.tm_yday = 246;
  return t;
}

std::string render(const std::string& source, const Json& context, const std::string& name = "t") {
  JinjaTemplate t = JinjaTemplate::parse(source, name);
  t.set_strftime_now(fixed_now());
  return t.render(context);
}

// Renders and reports (instead of throwing) so one golden failure does not hide the others.
void check_case(const std::string& label, const std::string& source, const Json& rec) {
  const Json& ctx = rec.at("context");
  if (rec.contains("error")) {
    try {
      std::string out = render(source, ctx, label);
      ADD_FAILURE() << label << ": expected an error (" << rec["error"].get<std::string>() << "), got "
                    << Json(out).dump();
    } catch (const UserError& e) {
      std::string msg = e.what();
      EXPECT_EQ(msg.find('\n'), std::string::npos) << label << ": error message is not one line";
      EXPECT_NE(msg.find(label), std::string::npos) << label << ": error does not name the template: " << msg;
    } catch (...) {
      ADD_FAILURE() << label << ": threw something other than UserError";
    }
    return;
  }
  const std::string expected = rec.at("expected").get<std::string>();
  try {
    std::string got = render(source, ctx, label);
    EXPECT_EQ(got, expected) << label << "\n got:      " << Json(got).dump() << "\n expected: " << Json(expected).dump();
  } catch (const UserError& e) {
    ADD_FAILURE() << label << ": unexpected UserError: " << e.what();
  } catch (...) {
    ADD_FAILURE() << label << ": threw something other than UserError";
  }
}

TEST(Jinja, LanguageFeaturesMatchPythonJinja2) {
  Json cases = dlmeval::read_json_file(kDir + "features.json");
  ASSERT_GE(cases.size(), 80u);
  for (const Json& rec : cases) check_case(rec.at("name").get<std::string>(), rec.at("template").get<std::string>(), rec);
}

TEST(Jinja, ChatTemplatesMatchTransformers) {
  Json cases = dlmeval::read_json_file(kDir + "expected.json");
  ASSERT_GE(cases.size(), 30u);
  std::set<std::string> templates;
  for (const Json& rec : cases) {
    const std::string name = rec.at("template").get<std::string>();
    templates.insert(name);
    check_case(name + ":" + rec.at("case").get<std::string>(), slurp(kDir + name + ".jinja"), rec);
  }
  EXPECT_GE(templates.size(), 4u);
}

TEST(Jinja, GenerationTagRendersItsBody) {
  // transformers' AssistantTracker {% generation %} only marks spans; the text is the body's.
  Json ctx = {{"x", "body"}};
  EXPECT_EQ(render("a{% generation %}{{ x }}{% endgeneration %}b", ctx), render("a{{ x }}b", ctx));
}

TEST(Jinja, ErrorsNameTemplateAndPosition) {
  try {
    render("line one\n  {{ foo.bar }}", Json::object(), "my-template");
    FAIL() << "expected UserError";
  } catch (const UserError& e) {
    std::string msg = e.what();
    EXPECT_NE(msg.find("my-template"), std::string::npos) << msg;
    EXPECT_NE(msg.find("2:"), std::string::npos) << msg;
    EXPECT_NE(msg.find("'foo' is undefined"), std::string::npos) << msg;
  }
  try {
    render("{{ raise_exception('bad\nroles') }}", Json::object());
    FAIL() << "expected UserError";
  } catch (const UserError& e) {
    std::string msg = e.what();
    EXPECT_EQ(msg.find('\n'), std::string::npos);
    EXPECT_NE(msg.find("bad\\nroles"), std::string::npos) << msg;
  }
}

TEST(Jinja, LimitsStopRunawayTemplates) {
  dlmeval::JinjaOptions small;
  small.max_output_bytes = 1000;
  EXPECT_THROW(JinjaTemplate::parse("{% for i in range(100000) %}xx{% endfor %}", "big", small).render(Json()),
               UserError);
  EXPECT_THROW(render("{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}", Json()), UserError);
  EXPECT_THROW(render("{{ 'x' * 100000000000 }}", Json()), UserError);
  EXPECT_THROW(render("{{ range(100000000) | length }}", Json()), UserError);
  dlmeval::JinjaOptions few_steps;
  few_steps.max_steps = 100000;
  EXPECT_THROW(JinjaTemplate::parse("{% for a in range(1000) %}{% for b in range(1000) %}{% endfor %}{% endfor %}",
                                    "steps", few_steps)
                   .render(Json()),
               UserError);
  std::string deep(2000, '(');
  EXPECT_THROW(render("{{ " + deep + "1" + std::string(2000, ')') + " }}", Json()), UserError);
  std::string nested;
  for (int k = 0; k < 1000; ++k) nested += "{% if true %}";
  EXPECT_THROW(render(nested, Json()), UserError);
}

TEST(Jinja, HostFunctionsAndOrderedContext) {
  JinjaTemplate t = JinjaTemplate::parse("{{ add(2, b=3) }}|{{ d | tojson }}|{% for k in d %}{{ k }}{% endfor %}", "fn");
  t.add_function("add", [](const std::vector<Json>& args, const Json& kwargs) -> Json {
    return args.at(0).get<int>() + kwargs.at("b").get<int>();
  });
  nlohmann::ordered_json ctx;
  ctx["d"]["z"] = 1;
  ctx["d"]["a"] = 2;
  EXPECT_EQ(t.render(ctx), "5|{\"z\": 1, \"a\": 2}|za");
  Json sorted = {{"d", {{"z", 1}, {"a", 2}}}};
  EXPECT_EQ(t.render(sorted), "5|{\"a\": 2, \"z\": 1}|az");
}

TEST(Jinja, MalformedInputNeverCrashes) {
  const char* bad[] = {"{{", "{%", "{#", "{{ }}", "{% %}", "{% for %}", "{% if %}{% endfor %}", "{{ [1, }}",
                       "{{ {1: 2} }}", "{{ a[ }}", "{% set %}", "{% macro %}", "{{ 'a' | }}", "{{ x is }}",
                       "{% endif %}", "{{ 1 ** 1000 }}", "{{ 9223372036854775807 + 1 }}", "{{ '\\xZZ' }}",
                       "{% raw %}unterminated", "{{ (1 }}", "{{ ) }}", "\xff\xfe{{ '\xc3' }}"};
  for (const char* src : bad) {
    try {
      render(src, Json::object());
    } catch (const UserError&) {
    } catch (...) {
      ADD_FAILURE() << "non-UserError exception for " << Json(std::string(src)).dump(-1, ' ', false, Json::error_handler_t::replace);
    }
  }
}

}  // namespace

namespace {

// The built-in renderers (runners/tokenizer/chat_templates) reproduce the published templates they
// recognise: on the plain conversations of expected.json (no tools, no template-specific keyword
// arguments) they give the Jinja engine's golden strings.
TEST(Jinja, BuiltInChatRenderersAgreeWithThePublishedTemplates) {
  const Json cases = dlmeval::read_json_file(kDir + "expected.json");
  size_t compared = 0;
  for (const auto& rec : cases) {
    const std::string name = rec.at("template").get<std::string>();
    const auto recognised = dlmeval::tokenizer::recognise_chat_template(slurp(kDir + name + ".jinja"));
    if (!recognised) continue;
    const Json& ctx = rec.at("context");
    std::set<std::string> keys;
    for (const auto& [k, v] : ctx.items()) keys.insert(k);
    if (keys != std::set<std::string>{"add_generation_prompt", "bos_token", "eos_token", "messages"} &&
        keys != std::set<std::string>{"add_generation_prompt", "eos_token", "messages"})
      continue;
    bool plain = true;
    for (const auto& m : ctx["messages"]) plain = plain && m.size() == 2 && m.contains("role") && m.contains("content");
    if (!plain) continue;
    const std::string got = dlmeval::tokenizer::render_chat(*recognised, ctx["messages"],
                                                            ctx["add_generation_prompt"].get<bool>(),
                                                            ctx.value("bos_token", std::string()));
    EXPECT_EQ(got, rec["expected"].get<std::string>()) << name << " " << rec["case"];
    ++compared;
  }
  EXPECT_GE(compared, 8u) << "LLaDA's and Qwen3's plain cases must be compared";
}

}  // namespace
