#include "runners/request_lines.h"

#include "harness/core/error.h"

namespace dlmeval {
namespace {

TokenIds integer_list(const Json& v, const std::string& field) {
  if (!v.is_array()) throw UserError("field '" + field + "' must be an array of token ids");
  TokenIds ids;
  ids.reserve(v.size());
  for (const auto& x : v) {
    if (!x.is_number_integer()) throw UserError("field '" + field + "' holds a non-integer value " + x.dump());
    ids.push_back(x.get<int64_t>());
  }
  return ids;
}

// A 1-D or 2-D JSON integer array as rows of equal, non-zero width.
std::vector<TokenIds> integer_matrix(const Json& v, const std::string& field, bool& two_d) {
  if (!v.is_array() || v.empty()) throw UserError("field '" + field + "' must be a non-empty array");
  two_d = v[0].is_array();
  std::vector<TokenIds> rows;
  if (!two_d) {
    rows.push_back(integer_list(v, field));
    return rows;
  }
  for (const auto& row : v) {
    if (!row.is_array() || row.empty() || row.size() != v[0].size())
      throw UserError("field '" + field + "' must be a rectangular array of integers");
    rows.push_back(integer_list(row, field));
  }
  return rows;
}

uint64_t seed_of(const Json& line, uint64_t fallback) {
  if (!line.contains("seed")) return fallback;
  if (!line["seed"].is_number_unsigned()) throw UserError("field 'seed' must be a non-negative integer, got " + line["seed"].dump());
  return line["seed"].get<uint64_t>();
}

}  // namespace

GenerateLine parse_generate_line(const Json& line, const Json& base_protocol, uint64_t default_seed) {
  if (!line.is_object()) throw UserError("a request line must be a JSON object");
  if (!line.contains("prompt_ids")) throw UserError("field 'prompt_ids' is missing");
  GenerateLine out;
  out.prompt_rows = integer_matrix(line["prompt_ids"], "prompt_ids", out.two_d);
  if (line.contains("attention_mask") && !line["attention_mask"].is_null()) {
    bool mask_two_d = false;
    out.attention_mask = integer_matrix(line["attention_mask"], "attention_mask", mask_two_d);
    if (out.attention_mask->size() != out.prompt_rows.size() ||
        out.attention_mask->front().size() != out.prompt_rows.front().size())
      throw UserError("field 'attention_mask' must have the shape of 'prompt_ids'");
  }
  out.seed = seed_of(line, default_seed);
  out.protocol = base_protocol.is_object() ? base_protocol : Json::object();
  if (line.contains("protocol")) {
    if (!line["protocol"].is_object()) throw UserError("field 'protocol' must be a JSON object");
    for (const auto& [k, v] : line["protocol"].items()) out.protocol[k] = v;
  }
  return out;
}

LoglikLine parse_loglik_line(const Json& record, uint64_t default_seed) {
  if (!record.is_object()) throw UserError("a record must be a JSON object");
  LoglikLine out;
  for (const char* field : {"prompt_ids", "answer_ids"})
    if (!record.contains(field)) throw UserError(std::string("field '") + field + "' is missing");
  out.prompt_ids = integer_list(record["prompt_ids"], "prompt_ids");
  out.answer_ids = integer_list(record["answer_ids"], "answer_ids");
  out.seed = seed_of(record, default_seed);
  if (record.contains("protocol")) {
    if (!record["protocol"].is_object()) throw UserError("field 'protocol' must be a JSON object");
    out.protocol = record["protocol"];
  }
  return out;
}

}  // namespace dlmeval
