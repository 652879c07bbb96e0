// Task files and what they carry: YAML (PyYAML's scalar rules, includes refused outside a real
// folder), the key checks, Python literals as rendered doc_to_choice lists are read back, lm-eval
// filter pipelines applied to the input itself, and Python-style regexes compiled from it.
#include "scorers/lm_eval_filters.h"
#include "scorers/python_regex.h"
#include "tasks/python_literal.h"
#include "tasks/task_definition.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace dlmeval;
  const std::string text(reinterpret_cast<const char*>(data), size);
  fuzz::only_user_errors([&] { (void)parse_task_definition(text, "fuzz.yaml", "/nonexistent-fuzz-folder"); });
  fuzz::only_user_errors([&] {
    const Json j = yaml_to_json(text, "fuzz.yaml");
    if (j.is_object() && j.contains("filter")) {
      const FilterPipeline pipeline = FilterPipeline::from_json(j, "fuzz");
      (void)pipeline.apply({text, "#### 12", ""});
      (void)pipeline.to_json();
    }
  });
  fuzz::only_user_errors([&] { (void)parse_python_literal(text, "fuzz"); });
  if (size < 256) {
    fuzz::only_user_errors([&] {
      const PythonRegex regex(text, "fuzz");
      (void)regex.find_all("Question: 12 apples, $3.50 each.\n#### 42\naaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab");
      (void)regex.substitute("abc 123 def", "<\\g<0>>");
    });
    fuzz::only_user_errors([&] { (void)PythonRegex("(\\d+)", "fuzz").substitute("a1b22", text); });
  }
  return 0;
}
