#include "runners/samplers/generation_protocol.h"

#include <cmath>
#include <limits>
#include <vector>

#include "harness/core/error.h"

namespace dlmeval {

namespace {

enum class Type { Int, Double, Bool, Choice, OptionalDouble, OptionalInt, Id };

struct Field {
  const char* name;
  Type type;
  Json fallback;  // default; null for optional values and unresolved ids
  double min = -std::numeric_limits<double>::infinity();
  double max = std::numeric_limits<double>::infinity();
  std::vector<std::string> choices = {};
  bool min_exclusive = false;
};

const std::vector<std::string> kSamplers = {"llada", "llada_threshold", "llada_prefix_cache", "llada_dual_cache",
                                            "illada_varlen", "dream", "ar"};

// The defaults are GenerationSettings' initialisers, the one place they are written; a protocol
// that leaves a field out gets them, and the normalised protocol (and so the fingerprint) spells
// them out.
std::vector<Field> fields_for(const std::string& sampler) {
  const double inf = std::numeric_limits<double>::infinity();
  const GenerationSettings d;
  auto remasking_name = [](Remasking r) { return r == Remasking::Random ? "random" : "low_confidence"; };
  std::vector<Field> ids = {{"mask_id", Type::Id, nullptr}, {"eos_id", Type::Id, nullptr}, {"eot_id", Type::Id, nullptr},
                            {"stop_at_eos", Type::Bool, d.stop_at_eos}};
  std::vector<Field> fields;
  auto llada_common = [&] {
    fields.push_back({"temperature", Type::Double, d.temperature, 0.0, inf});
    fields.push_back({"cfg_scale", Type::Double, d.cfg_scale, 0.0, inf});
    fields.push_back({"remasking", Type::Choice, remasking_name(d.remasking), 0, 0, {"low_confidence", "random"}});
    fields.push_back({"logits_eos_inf", Type::Bool, d.logits_eos_inf});
    fields.push_back({"confidence_eos_eot_inf", Type::Bool, d.confidence_eos_eot_inf});
  };
  if (sampler == "dream") {
    fields = {{"max_new_tokens", Type::Int, d.max_new_tokens, 1, inf},
              {"steps", Type::Int, kDreamDefaultSteps, 1, inf},
              {"eps", Type::Double, d.eps, 0.0, 1.0, {}, true},
              {"alg", Type::Choice, "origin", 0, 0, {"origin", "maskgit_plus", "topk_margin", "entropy"}},
              {"alg_temp", Type::Double, d.alg_temp, 0.0, inf},
              {"temperature", Type::Double, d.temperature, 0.0, inf},
              {"top_p", Type::OptionalDouble, nullptr, 0.0, 1.0, {}, true},
              {"top_k", Type::OptionalInt, nullptr, 1, inf}};
  } else if (sampler == "ar") {
    fields = {{"max_new_tokens", Type::Int, kAutoregressiveDefaultMaxNewTokens, 1, inf},
              {"temperature", Type::Double, d.temperature, 0.0, inf},
              {"top_p", Type::OptionalDouble, nullptr, 0.0, 1.0, {}, true},
              {"top_k", Type::OptionalInt, nullptr, 1, inf}};
    ids = {{"eos_id", Type::Id, nullptr}, {"eot_id", Type::Id, nullptr}, {"stop_at_eos", Type::Bool, d.stop_at_eos}};
  } else if (sampler == "illada_varlen") {
    fields = {{"block_length", Type::Int, kILLaDADefaultBlockLength, 1, inf},
              {"steps_per_block", Type::Int, d.steps_per_block, 1, inf},
              {"max_length", Type::Int, d.max_length, 1, inf}};
    llada_common();
  } else {
    fields = {{"steps", Type::Int, d.steps, 1, inf},
              {"gen_length", Type::Int, d.gen_length, 1, inf},
              {"block_length", Type::Int, d.block_length, 1, inf}};
    llada_common();
    if (sampler != "llada") {
      Json threshold = sampler == "llada_threshold" ? Json(kThresholdSamplerDefault) : Json(nullptr);
      fields.push_back({"threshold", Type::OptionalDouble, threshold, 0.0, 1.0, {}, true});
    }
    fields.push_back({"early_exit", Type::Bool, d.early_exit});
  }
  fields.insert(fields.end(), ids.begin(), ids.end());
  return fields;
}

std::string where(const Field& f) { return "generation protocol field '" + std::string(f.name) + "'"; }

Json check_value(const Field& f, const Json& v) {
  auto check_range = [&](double x) {
    bool low = f.min_exclusive ? x <= f.min : x < f.min;
    if (!std::isfinite(x) || low || x > f.max) {
      std::string range = std::string(f.min_exclusive ? "(" : "[") + Json(f.min).dump() + ", " +
                          (std::isinf(f.max) ? std::string("inf)") : Json(f.max).dump() + "]");
      throw UserError(where(f) + ": " + v.dump() + " is outside " + range);
    }
  };
  switch (f.type) {
    case Type::Int:
    case Type::OptionalInt:
      if (v.is_null() && f.type == Type::OptionalInt) return v;
      if (!v.is_number_integer()) throw UserError(where(f) + ": expected an integer, got " + v.dump());
      check_range(static_cast<double>(v.get<int64_t>()));
      return v.get<int64_t>();
    case Type::Double:
    case Type::OptionalDouble:
      if (v.is_null() && f.type == Type::OptionalDouble) return v;
      if (!v.is_number()) throw UserError(where(f) + ": expected a number, got " + v.dump());
      check_range(v.get<double>());
      return v.get<double>();  // always a float so 0 and 0.0 fingerprint alike
    case Type::Bool:
      if (!v.is_boolean()) throw UserError(where(f) + ": expected true or false, got " + v.dump());
      return v;
    case Type::Choice: {
      if (v.is_string())
        for (const auto& c : f.choices)
          if (v.get<std::string>() == c) return v;
      std::string list;
      for (const auto& c : f.choices) list += (list.empty() ? "" : ", ") + c;
      throw UserError(where(f) + ": " + v.dump() + " is not one of " + list);
    }
    case Type::Id:
      if (v.is_null()) return v;
      if (!v.is_number_integer() || v.get<int64_t>() < -1)
        throw UserError(where(f) + ": expected a token id (or -1 for none), got " + v.dump());
      return v.get<int64_t>();
  }
  return v;
}

Json normalize(const Json& protocol, const SpecialIds* ids) {
  if (!protocol.is_object()) throw UserError("generation protocol must be a JSON object, got: " + protocol.dump());
  std::string sampler = "llada";
  if (protocol.contains("sampler")) {
    const Json& s = protocol["sampler"];
    bool known = false;
    for (const auto& k : kSamplers) known = known || (s.is_string() && s.get<std::string>() == k);
    if (!known) {
      std::string list;
      for (const auto& k : kSamplers) list += (list.empty() ? "" : ", ") + k;
      throw UserError("generation protocol field 'sampler': " + s.dump() + " is not one of " + list);
    }
    sampler = s.get<std::string>();
  }
  const auto fields = fields_for(sampler);
  for (const auto& [key, value] : protocol.items()) {
    if (key == "sampler" || key == "name" || key == "description") continue;
    bool known = false;
    for (const auto& f : fields) known = known || key == f.name;
    if (!known) throw UserError("generation protocol field '" + key + "' is unknown for sampler '" + sampler + "'");
  }
  Json out = Json::object();
  out["sampler"] = sampler;
  for (const auto& f : fields) {
    Json v = protocol.contains(f.name) ? check_value(f, protocol[f.name]) : f.fallback;
    if (f.type == Type::Double && v.is_number()) v = v.get<double>();
    if (f.type == Type::Id && v.is_null() && ids != nullptr) {
      const std::string n = f.name;
      v = n == "mask_id" ? ids->mask_id : n == "eos_id" ? ids->eos_id : ids->eot_id;
    }
    out[f.name] = v;
  }
  // The reference's own preconditions (asserts in generate.py), as clear errors.
  if (out.contains("gen_length")) {
    const int64_t gen = out["gen_length"].get<int64_t>(), block = out["block_length"].get<int64_t>(),
                  steps = out["steps"].get<int64_t>();
    if (gen % block != 0)
      throw UserError("generation protocol field 'block_length': gen_length " + std::to_string(gen) +
                      " is not a multiple of block_length " + std::to_string(block));
    if (steps % (gen / block) != 0)
      throw UserError("generation protocol field 'steps': " + std::to_string(steps) +
                      " is not a multiple of the number of blocks " + std::to_string(gen / block));
  }
  return out;
}

}  // namespace

bool GenerationSettings::stochastic() const {
  if (kind == SamplerKind::Dream) return alg == DreamAlg::Origin || temperature > 0 || alg_temp > 0;
  if (kind == SamplerKind::Autoregressive) return temperature > 0;
  return temperature > 0 || remasking == Remasking::Random;
}

int64_t GenerationSettings::max_generated_tokens() const {
  if (kind == SamplerKind::Dream || kind == SamplerKind::Autoregressive) return max_new_tokens;
  if (kind == SamplerKind::ILLaDAVarlen) return max_length;
  return gen_length;
}

Json normalize_generation_protocol(const Json& protocol) { return normalize(protocol, nullptr); }

Json normalize_generation_protocol(const Json& protocol, const SpecialIds& ids) { return normalize(protocol, &ids); }

GenerationSettings parse_generation_protocol(const Json& protocol, const SpecialIds& ids) {
  const Json j = normalize(protocol, &ids);
  GenerationSettings s;
  s.sampler = j["sampler"].get<std::string>();
  const std::string& n = s.sampler;
  s.kind = n == "llada"                ? SamplerKind::LLaDA
           : n == "llada_threshold"    ? SamplerKind::LLaDAThreshold
           : n == "llada_prefix_cache" ? SamplerKind::LLaDAPrefixCache
           : n == "llada_dual_cache"   ? SamplerKind::LLaDADualCache
           : n == "illada_varlen"      ? SamplerKind::ILLaDAVarlen
           : n == "ar"                 ? SamplerKind::Autoregressive
                                       : SamplerKind::Dream;
  auto opt_double = [&](const char* k) -> std::optional<double> {
    if (!j.contains(k) || j[k].is_null()) return std::nullopt;
    return j[k].get<double>();
  };
  s.steps = j.value("steps", s.steps);
  s.gen_length = j.value("gen_length", s.gen_length);
  s.block_length = j.value("block_length", s.block_length);
  s.temperature = j.value("temperature", s.temperature);
  s.cfg_scale = j.value("cfg_scale", s.cfg_scale);
  if (j.contains("remasking")) s.remasking = j["remasking"] == "random" ? Remasking::Random : Remasking::LowConfidence;
  s.logits_eos_inf = j.value("logits_eos_inf", s.logits_eos_inf);
  s.confidence_eos_eot_inf = j.value("confidence_eos_eot_inf", s.confidence_eos_eot_inf);
  s.threshold = opt_double("threshold");
  s.cache = s.kind == SamplerKind::LLaDAPrefixCache ? CachePolicy::Prefix
            : s.kind == SamplerKind::LLaDADualCache ? CachePolicy::Dual
                                                    : CachePolicy::None;
  s.max_length = j.value("max_length", s.max_length);
  s.steps_per_block = j.value("steps_per_block", s.steps_per_block);
  s.max_new_tokens = j.value("max_new_tokens", s.max_new_tokens);
  s.eps = j.value("eps", s.eps);
  const std::string alg = j.value("alg", std::string("origin"));
  s.alg = alg == "maskgit_plus" ? DreamAlg::MaskgitPlus
          : alg == "topk_margin" ? DreamAlg::TopkMargin
          : alg == "entropy"     ? DreamAlg::Entropy
                                 : DreamAlg::Origin;
  s.alg_temp = j.value("alg_temp", s.alg_temp);
  s.top_p = opt_double("top_p");
  if (j.contains("top_k") && !j["top_k"].is_null()) s.top_k = j["top_k"].get<int64_t>();
  auto id = [&](const char* k) { return !j.contains(k) || j[k].is_null() ? int64_t{-1} : j[k].get<int64_t>(); };
  s.mask_id = id("mask_id");
  s.eos_id = id("eos_id");
  s.eot_id = id("eot_id");
  s.stop_at_eos = j["stop_at_eos"].get<bool>();
  s.early_exit = j.value("early_exit", s.early_exit);
  if (s.mask_id < 0 && s.kind != SamplerKind::Autoregressive) throw UserError("generation protocol field 'mask_id': no mask token id (the checkpoint has none)");
  return s;
}

}  // namespace dlmeval
