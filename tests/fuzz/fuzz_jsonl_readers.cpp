// The JSON-lines readers of user files: predictions (`dlmeval score`), sample logs (resume, merge,
// compare), and the request lines of `dlmeval generate --input` and `dlmeval loglik --input`.
#include "results/sample_store.h"
#include "runners/request_lines.h"
#include "tasks/predictions.h"
#include "tests/fuzz/fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace dlmeval;
  const std::string path = fuzz::as_file(data, size);
  fuzz::only_user_errors([&] { (void)read_predictions(path); });
  fuzz::only_user_errors([&] { (void)scan_sample_file(path); });
  fuzz::only_user_errors([&] { (void)read_sample_file(path); });
  fuzz::only_user_errors([&] {
    for_each_jsonl(path, [](const Json& line, size_t) {
      fuzz::only_user_errors([&] {
        const GenerateLine g = parse_generate_line(line, Json{{"steps", 8}}, 7);
        for (const auto& row : g.prompt_rows)
          if (row.empty() || row.size() != g.prompt_rows[0].size()) std::abort();
      });
      fuzz::only_user_errors([&] { (void)parse_loglik_line(line, 7); });
    });
  });
  return 0;
}
