// Chat templates: recognising a tokenizer_config.json template text, parsing and rendering it with
// the Jinja engine, and rendering any messages JSON with every named template. Input: template
// text, a NUL byte, the messages JSON.
#include <cstring>

#include "harness/core/jinja.h"
#include "runners/tokenizer/chat_templates.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace dlmeval;
  using namespace dlmeval::tokenizer;
  const auto* nul = static_cast<const uint8_t*>(std::memchr(data, 0, size));
  const size_t split = nul != nullptr ? static_cast<size_t>(nul - data) : size;
  const std::string jinja(reinterpret_cast<const char*>(data), split);
  Json messages;
  const bool have_messages = nul != nullptr && fuzz::parse_json(nul + 1, size - split - 1, messages);
  std::vector<ChatTemplate> templates;
  fuzz::only_user_errors([&] {
    if (auto recognised = recognise_chat_template(jinja)) templates.push_back(*recognised);
  });
  // The engine under tighter limits than in use, so a runaway template stays well inside 1 s.
  JinjaOptions limits;
  limits.max_steps = 20000;
  limits.max_output_bytes = 1 << 20;
  fuzz::only_user_errors([&] {
    const JinjaTemplate t = JinjaTemplate::parse(jinja, "chat_template", limits);
    Json context = {{"add_generation_prompt", true}, {"bos_token", "<s>"}, {"eos_token", "</s>"}};
    context["messages"] = have_messages ? messages : Json::array({{{"role", "user"}, {"content", "hi"}}});
    (void)t.render(context);
  });
  if (!have_messages) return 0;
  for (const char* name : {"llada", "chatml", "qwen2", "dream", "qwen3"}) templates.push_back(chat_template_by_name(name));
  for (const auto& t : templates)
    for (bool generation_prompt : {false, true})
      fuzz::only_user_errors([&] { (void)render_chat(t, messages, generation_prompt, "<s>"); });
  return 0;
}
