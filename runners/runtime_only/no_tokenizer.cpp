// The Tokenizer of the runtime-only build (DLMEVAL_RUNTIME_ONLY), in place of runners/tokenizer/:
// that one needs PCRE2 and ICU, which cannot be brought to a machine where nothing installs. The
// runtime-only build runs models on token ids (golden tests, GPU benchmarks), so loading a
// tokenizer is refused with a UserError that names the reason. Every other member is unreachable:
// the only way to obtain a Tokenizer is load().
#include "harness/core/error.h"
#include "runners/tokenizer/tokenizer.h"

namespace dlmeval {
namespace {

[[noreturn]] void unavailable(const std::string& what) {
  throw UserError(what + ": this runtime-only build has no tokenizer (build without DLMEVAL_RUNTIME_ONLY for text)");
}

}  // namespace

Tokenizer Tokenizer::load(const std::string& path_to_file_or_folder) { unavailable(path_to_file_or_folder); }
Tokenizer Tokenizer::load(const std::string& path_to_file_or_folder, const TokenizerOptions&) {
  unavailable(path_to_file_or_folder);
}
std::vector<int64_t> Tokenizer::encode(const std::string&, bool) const { unavailable("encode"); }
std::string Tokenizer::decode(const std::vector<int64_t>&, bool) const { unavailable("decode"); }
std::string Tokenizer::apply_chat_template(const Json&, bool) const { unavailable("apply_chat_template"); }
std::optional<int64_t> Tokenizer::token_to_id(const std::string&) const { unavailable("token_to_id"); }
std::optional<std::string> Tokenizer::id_to_token(int64_t) const { unavailable("id_to_token"); }
std::optional<std::string> Tokenizer::bos_token() const { unavailable("bos_token"); }
std::optional<std::string> Tokenizer::eos_token() const { unavailable("eos_token"); }
std::optional<std::string> Tokenizer::pad_token() const { unavailable("pad_token"); }
bool Tokenizer::is_special(int64_t) const { unavailable("is_special"); }
int64_t Tokenizer::vocab_size() const { unavailable("vocab_size"); }

}  // namespace dlmeval
