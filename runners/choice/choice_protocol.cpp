#include "runners/choice/choice_protocol.h"

#include <algorithm>
#include <array>
#include <set>
#include <utility>

#include "harness/core/error.h"

namespace dlmeval {
namespace {

constexpr std::array<std::pair<ChoiceEstimator, const char*>, 8> kEstimators{{
    {ChoiceEstimator::McElbo, "mc_elbo"},
    {ChoiceEstimator::McElboUniform, "mc_elbo_uniform"},
    {ChoiceEstimator::DreamElbo, "dream_elbo"},
    {ChoiceEstimator::ExactElbo, "exact_elbo"},
    {ChoiceEstimator::ConfSingle, "conf_single"},
    {ChoiceEstimator::ConfGreedy, "conf_greedy"},
    {ChoiceEstimator::Letter, "letter"},
    {ChoiceEstimator::ArLoglik, "ar_loglik"},
}};

std::string known_estimators() {
  std::string out;
  for (const auto& [_, name] : kEstimators) out += (out.empty() ? "" : ", ") + std::string(name);
  return out;
}

ChoiceEstimator estimator_from_name(const Json& value) {
  if (!value.is_string()) throw UserError("choice protocol field 'estimator' must be a string, got " + value.dump());
  const auto name = value.get<std::string>();
  for (const auto& [estimator, known] : kEstimators)
    if (name == known) return estimator;
  throw UserError("choice protocol field 'estimator': unknown value '" + name + "' (known: " + known_estimators() + ")");
}

int64_t positive_integer(const Json& value, const char* field) {
  if (!value.is_number_integer() || value.get<int64_t>() < 1)
    throw UserError(std::string("choice protocol field '") + field + "' must be a positive integer, got " + value.dump());
  return value.get<int64_t>();
}

double number_in(const Json& value, const char* field, double low, double high, const char* range) {
  if (!value.is_number() || !(value.get<double>() >= low && value.get<double>() < high))
    throw UserError(std::string("choice protocol field '") + field + "' must be a number in " + range + ", got " +
                    value.dump());
  return value.get<double>();
}

}  // namespace

const char* estimator_name(ChoiceEstimator estimator) {
  for (const auto& [e, name] : kEstimators)
    if (e == estimator) return name;
  return "?";
}

Json normalize_choice_protocol(const Json& protocol) {
  if (!protocol.is_null() && !protocol.is_object())
    throw UserError("choice protocol must be a JSON object, got " + protocol.dump());
  const Json in = protocol.is_null() ? Json::object() : protocol;
  ChoiceProtocol p;
  if (in.contains("estimator")) p.estimator = estimator_from_name(in["estimator"]);

  std::set<std::string> allowed{"estimator", "cfg_scale", "name", "description"};
  if (p.stochastic()) allowed.insert({"mc_num", "batch_size", "crn"});
  if (p.estimator == ChoiceEstimator::DreamElbo) allowed.insert({"eps", "eos_after_answer"});
  for (const auto& [key, _] : in.items()) {
    if (allowed.count(key)) continue;
    static const std::set<std::string> known{"estimator", "cfg_scale", "mc_num", "batch_size", "crn", "eps",
                                             "eos_after_answer"};
    if (known.count(key))
      throw UserError("choice protocol field '" + key + "' does not apply to estimator '" +
                      estimator_name(p.estimator) + "'");
    throw UserError("choice protocol field '" + key + "' is unknown (fields: estimator, mc_num, batch_size, cfg_scale, eps, crn, eos_after_answer)");
  }

  Json out = Json::object();
  for (const char* passthrough : {"name", "description"})
    if (in.contains(passthrough)) out[passthrough] = in[passthrough];
  out["estimator"] = estimator_name(p.estimator);
  out["cfg_scale"] = in.contains("cfg_scale") ? number_in(in["cfg_scale"], "cfg_scale", 0.0, 1e6, "[0, 1e6)") : 0.0;
  if (p.estimator == ChoiceEstimator::ArLoglik && out["cfg_scale"].get<double>() != 0.0)
    throw UserError("choice protocol field 'cfg_scale' does not apply to estimator 'ar_loglik'");
  if (p.stochastic()) {
    const int64_t mc_num = in.contains("mc_num") ? positive_integer(in["mc_num"], "mc_num") : p.mc_num;
    // With fewer samples than the default group, one group holds them all.
    const int64_t batch_size =
        in.contains("batch_size") ? positive_integer(in["batch_size"], "batch_size") : std::min(p.batch_size, mc_num);
    if (mc_num % batch_size != 0)
      throw UserError("choice protocol field 'mc_num' (" + std::to_string(mc_num) +
                      ") must be a multiple of 'batch_size' (" + std::to_string(batch_size) + ")");
    out["mc_num"] = mc_num;
    out["batch_size"] = batch_size;
    if (in.contains("crn") && !in["crn"].is_boolean())
      throw UserError("choice protocol field 'crn' must be true or false, got " + in["crn"].dump());
    out["crn"] = in.value("crn", false);
  }
  if (p.estimator == ChoiceEstimator::DreamElbo) {
    out["eps"] = in.contains("eps") ? number_in(in["eps"], "eps", 0.0, 1.0, "[0, 1)") : p.eps;
    if (in.contains("eos_after_answer") && !in["eos_after_answer"].is_boolean())
      throw UserError("choice protocol field 'eos_after_answer' must be true or false, got " + in["eos_after_answer"].dump());
    out["eos_after_answer"] = in.value("eos_after_answer", p.eos_after_answer);
  }
  return out;
}

ChoiceProtocol parse_choice_protocol(const Json& protocol) {
  const Json n = normalize_choice_protocol(protocol);
  ChoiceProtocol p;
  p.estimator = estimator_from_name(n["estimator"]);
  p.cfg_scale = n["cfg_scale"].get<double>();
  if (p.stochastic()) {
    p.mc_num = n["mc_num"].get<int64_t>();
    p.batch_size = n["batch_size"].get<int64_t>();
    p.crn = n["crn"].get<bool>();
  }
  if (p.estimator == ChoiceEstimator::DreamElbo) {
    p.eps = n["eps"].get<double>();
    p.eos_after_answer = n["eos_after_answer"].get<bool>();
  }
  return p;
}

}  // namespace dlmeval
