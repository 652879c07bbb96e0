#include "tasks/template_task.h"

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <set>

#include "harness/core/error.h"
#include "harness/core/jinja.h"
#include "scorers/lm_eval_filters.h"
#include "tasks/choice_task.h"
#include "tasks/data_files.h"
#include "tasks/python_literal.h"
#include "tasks/task_base.h"
#include "tasks/text_util.h"

namespace fs = std::filesystem;

namespace dlmeval {
namespace {

// lm-eval renders every template in Environment(undefined=StrictUndefined,
// keep_trailing_newline=True) with a regex_replace filter (re.sub).
JinjaTemplate compile_template(const std::string& source, const std::string& label) {
  JinjaOptions options;
  options.trim_blocks = false;
  options.lstrip_blocks = false;
  options.keep_trailing_newline = true;
  options.strict_undefined = true;
  JinjaTemplate t = JinjaTemplate::parse(source, label, options);
  t.add_filter("regex_replace", [label](const Json& value, const std::vector<Json>& args, const Json& kwargs) -> Json {
    if (!value.is_string() || args.size() < 2 || !args[0].is_string() || !args[1].is_string())
      throw UserError("regex_replace(pattern, replacement[, count]) needs strings");
    long count = 0;
    if (args.size() > 2 && args[2].is_number_integer()) count = args[2].get<long>();
    if (kwargs.contains("count") && kwargs["count"].is_number_integer()) count = kwargs["count"].get<long>();
    return PythonRegex(args[0].get<std::string>(), label).substitute(value.get<std::string>(), args[1].get<std::string>(), count);
  });
  return t;
}

// One doc_to_* setting as lm-eval reads it: the name of a field of the doc, a Jinja template, or
// a literal value (integer, list).
class DocSetting {
 public:
  DocSetting() = default;
  DocSetting(const Json& setting, const std::string& key, const std::string& origin)
      : key_(key), literal_(setting) {
    if (setting.is_string()) {
      source_ = setting.get<std::string>();
      template_ = std::make_shared<JinjaTemplate>(compile_template(source_, origin + ": " + key));
    }
  }
  bool present() const { return !key_.empty(); }
  const std::string& key() const { return key_; }

  // The field's value when the setting names a field of `doc`; the rendered text when it is a
  // template; the literal otherwise.
  Json raw(const Json& doc, bool* rendered) const {
    *rendered = false;
    if (!template_) return literal_;
    if (doc.is_object() && doc.contains(source_)) return doc[source_];
    *rendered = true;
    return template_->render(doc);
  }

 private:
  std::string key_;
  Json literal_;
  std::string source_;
  std::shared_ptr<JinjaTemplate> template_;
};

bool all_digits(const std::string& s) { return !s.empty() && s.find_first_not_of("0123456789") == std::string::npos; }

std::string text_of(const Json& value) { return value.is_string() ? value.get<std::string>() : value.dump(); }

struct Config {
  std::string origin;
  Json json;
  std::string where(const std::string& key) const { return origin + ": " + key; }
  std::string string_or(const std::string& key, const std::string& fallback) const {
    if (!json.contains(key) || json[key].is_null()) return fallback;
    if (!json[key].is_string()) throw UserError(where(key) + " must be a string");
    return json[key].get<std::string>();
  }
};

// Where a split's file lives: "./" and "../" paths beside the task file, any other under the data
// directory. The one rule for the reader and for the manifest's file list.
std::string split_path(const TaskDefinition& definition, const std::string& split, const std::string& data_dir) {
  const Json& files = definition.config["dataset_files"];
  if (!files.is_object()) throw UserError(definition.origin + ": dataset_files must map split names to files");
  if (!files.contains(split) || !files[split].is_string())
    throw UserError(definition.origin + ": dataset_files has no file for split \"" + split + "\"");
  const std::string relative = files[split].get<std::string>();
  if (relative.rfind("./", 0) == 0 || relative.rfind("../", 0) == 0) {
    if (definition.base_dir.empty() && definition.origin.rfind("builtin:", 0) == 0)
      throw UserError(definition.origin + ": a shipped task file names its data under the data directory");
    return locate_data_file(definition.name, definition.base_dir, relative);
  }
  return locate_data_file(definition.name, data_dir, relative);
}

// Every record of one split: JSON lines, a JSON array, or CSV with a header row (values strings).
std::vector<Json> read_split(const TaskDefinition& definition, const std::string& split, const std::string& data_dir) {
  const std::string path = split_path(definition, split, data_dir);
  std::string base = path;
  for (const char* suffix : {".gz", ".bz2"})
    if (base.size() > std::strlen(suffix) && base.compare(base.size() - std::strlen(suffix), std::string::npos, suffix) == 0)
      base.resize(base.size() - std::strlen(suffix));
  const std::string ext = fs::path(base).extension().string();
  std::vector<Json> records;
  if (ext == ".jsonl") {
    records = read_jsonl_records(path);
  } else if (ext == ".json") {
    Json all;
    try {
      all = Json::parse(read_file_bytes(path));
    } catch (const Json::exception& e) {
      throw UserError(definition.name + ": " + path + ": malformed JSON: " + e.what());
    }
    if (!all.is_array()) throw UserError(definition.name + ": " + path + ": expected a JSON array of records");
    records.assign(all.begin(), all.end());
  } else if (ext == ".csv") {
    const auto rows = read_csv_rows(path);
    if (rows.empty()) throw UserError(definition.name + ": " + path + ": CSV file has no header row");
    for (size_t r = 1; r < rows.size(); ++r) {
      if (rows[r].size() != rows[0].size())
        throw UserError(definition.name + ": " + path + ": row " + std::to_string(r + 1) + " has " +
                        std::to_string(rows[r].size()) + " fields, the header " + std::to_string(rows[0].size()));
      Json record = Json::object();
      for (size_t c = 0; c < rows[0].size(); ++c) record[rows[0][c]] = rows[r][c];
      records.push_back(std::move(record));
    }
  } else {
    throw UserError(definition.name + ": " + path + ": data files must be .jsonl, .json or .csv (optionally .gz/.bz2)");
  }
  for (size_t i = 0; i < records.size(); ++i)
    if (!records[i].is_object())
      throw UserError(definition.name + ": " + path + ": record " + std::to_string(i + 1) + " is not an object");
  return records;
}

// The settings shared by both output types, compiled once.
struct TemplateSetup {
  Config config;
  std::vector<Doc> docs;         // every evaluation doc, in file order
  std::vector<Json> pool;        // few-shot source
  bool pool_is_eval = false;     // few-shot examples come from the evaluation split itself
  std::string sampler = "default";
  int num_fewshot = 0;
  std::string target_delimiter = " ";
  std::string fewshot_delimiter = "\n\n";
  std::shared_ptr<JinjaTemplate> description;
  DocSetting doc_to_text, doc_to_target, doc_to_choice;
  std::string version = "1.0";
  std::vector<std::string> files;
};

std::string render_text(const TemplateSetup& s, const Json& doc) {
  bool rendered = false;
  Json value = s.doc_to_text.raw(doc, &rendered);
  if (rendered && s.doc_to_choice.present() && all_digits(value.get<std::string>()))
    throw UserError(s.config.where("doc_to_text") +
                    " renders an option index (lm-eval's partial scoring); dlmeval's task files do not support it");
  if (!value.is_string()) throw UserError(s.config.where("doc_to_text") + " must give a string, got " + value.dump());
  return value.get<std::string>();
}

// doc_to_target: an option index, a string, or a list of strings (several references).
Json render_target(const TemplateSetup& s, const Json& doc) {
  bool rendered = false;
  Json value = s.doc_to_target.raw(doc, &rendered);
  if (!rendered) return value;
  const std::string text = value.get<std::string>();
  if (all_digits(text) && s.doc_to_choice.present()) return std::stoll(text);
  if (text.size() >= 2 && text.front() == '[' && text.back() == ']') {
    try {
      return parse_python_literal(text, s.config.where("doc_to_target"));
    } catch (const UserError&) {
      return text;  // lm-eval keeps the text when literal_eval fails
    }
  }
  return text;
}

std::vector<std::string> render_choices(const TemplateSetup& s, const Json& doc) {
  bool rendered = false;
  Json value = s.doc_to_choice.raw(doc, &rendered);
  if (rendered) value = parse_python_literal(value.get<std::string>(), s.config.where("doc_to_choice"));
  if (!value.is_array() || value.empty())
    throw UserError(s.config.where("doc_to_choice") + " must give a non-empty list, got " + value.dump());
  std::vector<std::string> choices;
  for (const Json& c : value) {
    if (!c.is_string()) throw UserError(s.config.where("doc_to_choice") + ": every option must be a string, got " + c.dump());
    choices.push_back(c.get<std::string>());
  }
  return choices;
}

std::string render_description(const TemplateSetup& s, const Json& doc) {
  return s.description ? s.description->render(doc) : std::string();
}

// The few-shot pool indices for each of the first n_eval docs, by lm-eval's samplers.
std::vector<std::vector<size_t>> choose_shots(const TemplateSetup& s, const TaskOptions& options, size_t n_eval,
                                              int shots) {
  const size_t k = static_cast<size_t>(shots);
  if (shots == 0) return std::vector<std::vector<size_t>>(n_eval);
  const size_t needed = k + (s.pool_is_eval ? 1 : 0);
  if (s.pool.size() < needed)
    throw UserError(s.config.origin + ": num_fewshot " + std::to_string(k) + " needs " + std::to_string(needed) +
                    " few-shot examples, the source has " + std::to_string(s.pool.size()));
  auto same = [&](size_t pool_index, size_t doc_index) { return s.pool[pool_index] == s.docs[doc_index].fields; };
  if (s.sampler == "first_n") {
    std::vector<std::vector<size_t>> out(n_eval);
    for (size_t d = 0; d < n_eval; ++d)
      for (size_t i = 0; i < needed && out[d].size() < k; ++i)
        if (!(s.pool_is_eval && same(i, d))) out[d].push_back(i);
    return out;
  }
  return draw_fewshot(s.pool.size(), n_eval, k, options.fewshot_seed,
                      s.pool_is_eval ? std::function<bool(size_t, size_t)>(same) : nullptr);
}

TemplateSetup make_setup(const TaskDefinition& definition, const TaskOptions& options) {
  TemplateSetup s;
  s.config = Config{definition.origin, definition.config};
  const Json& c = definition.config;
  s.target_delimiter = s.config.string_or("target_delimiter", " ");
  s.fewshot_delimiter = s.config.string_or("fewshot_delimiter", "\n\n");
  if (c.contains("description") && !c["description"].is_null()) {
    if (!c["description"].is_string()) throw UserError(s.config.where("description") + " must be a string");
    s.description = std::make_shared<JinjaTemplate>(compile_template(c["description"].get<std::string>(), s.config.where("description")));
  }
  s.doc_to_text = DocSetting(c["doc_to_text"], "doc_to_text", definition.origin);
  s.doc_to_target = DocSetting(c["doc_to_target"], "doc_to_target", definition.origin);
  if (c.contains("doc_to_choice")) s.doc_to_choice = DocSetting(c["doc_to_choice"], "doc_to_choice", definition.origin);
  if (c.contains("num_fewshot")) {
    if (!c["num_fewshot"].is_number_integer() || c["num_fewshot"].get<int>() < 0)
      throw UserError(s.config.where("num_fewshot") + " must be a non-negative integer");
    s.num_fewshot = c["num_fewshot"].get<int>();
  }
  if (c.contains("metadata") && c["metadata"].is_object() && c["metadata"].contains("version"))
    s.version = text_of(c["metadata"]["version"]);
  if (c.contains("version")) s.version = text_of(c["version"]);

  const std::string data_dir = options.data_dir;
  const std::string test_split = s.config.string_or("test_split", "");
  if (test_split.empty()) throw UserError(s.config.where("test_split") + " must name a split of dataset_files");
  const std::vector<Json> records = read_split(definition, test_split, data_dir);
  for (const auto& [split, file] : c["dataset_files"].items())
    if (file.is_string()) s.files.push_back(file.get<std::string>());
  const Json fewshot_config = c.value("fewshot_config", Json::object());
  if (!fewshot_config.is_object()) throw UserError(s.config.where("fewshot_config") + " must be a mapping");
  for (const auto& [key, value] : fewshot_config.items())
    if (key != "sampler" && key != "samples") throw UserError(s.config.where("fewshot_config") + ": unknown key \"" + key + "\"");
  if (fewshot_config.contains("sampler") && !fewshot_config["sampler"].is_string())
    throw UserError(s.config.where("fewshot_config.sampler") + " must be default or first_n");
  s.sampler = fewshot_config.value("sampler", std::string("default"));
  if (s.sampler != "default" && s.sampler != "first_n")
    throw UserError(s.config.where("fewshot_config.sampler") + " must be default or first_n, got " + s.sampler);

  // Doc ids: a field, a template, or the record's position.
  DocSetting doc_id;
  if (c.contains("doc_id")) doc_id = DocSetting(c["doc_id"], "doc_id", definition.origin);
  for (size_t i = 0; i < records.size(); ++i) {
    std::string id = std::to_string(i);
    if (doc_id.present()) {
      bool rendered = false;
      id = text_of(doc_id.raw(records[i], &rendered));
    }
    s.docs.push_back(Doc{id, records[i]});
  }

  // lm-eval's fewshot_docs(): fewshot_split, else inline samples, else the training, validation
  // or (with a warning there) test split.
  std::string pool_split;
  if (c.contains("fewshot_split")) pool_split = s.config.string_or("fewshot_split", "");
  const bool inline_samples = pool_split.empty() && fewshot_config.contains("samples");
  if (inline_samples) {
    if (!fewshot_config["samples"].is_array()) throw UserError(s.config.where("fewshot_config.samples") + " must be a list of records");
    s.pool.assign(fewshot_config["samples"].begin(), fewshot_config["samples"].end());
  } else {
    if (pool_split.empty()) pool_split = s.config.string_or("training_split", "");
    if (pool_split.empty()) pool_split = s.config.string_or("validation_split", "");
    if (pool_split.empty()) pool_split = test_split;
    s.pool_is_eval = pool_split == test_split;
    s.pool = s.pool_is_eval ? records : read_split(definition, pool_split, data_dir);
  }
  return s;
}

// Data file paths for the manifest, resolved as the reader resolves them.
std::vector<std::string> resolved_files(const TaskDefinition& definition, const TaskOptions& options) {
  std::vector<std::string> out;
  for (const auto& [split, file] : definition.config["dataset_files"].items())
    if (file.is_string()) out.push_back(split_path(definition, split, options.data_dir));
  return out;
}

Json recorded_settings(const TaskDefinition& definition) {
  return Json{{"task_file", definition.origin}, {"definition_sha256", definition.sha256}};
}

struct MetricSpec {
  std::string name;
  ExactMatchOptions options;
};

std::vector<MetricSpec> read_metrics(const TemplateSetup& s, bool multiple_choice) {
  std::vector<MetricSpec> metrics;
  const Json& c = s.config.json;
  if (!c.contains("metric_list")) {
    if (multiple_choice) return {{"acc", {}}, {"acc_norm", {}}};
    return {{"exact_match", {}}};
  }
  if (!c["metric_list"].is_array() || c["metric_list"].empty())
    throw UserError(s.config.where("metric_list") + " must be a non-empty list");
  for (const Json& m : c["metric_list"]) {
    if (!m.is_object() || !m.contains("metric") || !m["metric"].is_string())
      throw UserError(s.config.where("metric_list") + ": every entry needs a string \"metric\"");
    MetricSpec spec;
    spec.name = m["metric"].get<std::string>();
    const std::string here = s.config.where("metric_list") + ": " + spec.name;
    const std::set<std::string> allowed = multiple_choice ? std::set<std::string>{"acc", "acc_norm"}
                                                          : std::set<std::string>{"exact_match"};
    if (!allowed.count(spec.name))
      throw UserError(here + " is not a metric dlmeval computes for " +
                      (multiple_choice ? "multiple_choice (acc, acc_norm)" : "generate_until (exact_match)"));
    for (const auto& [key, value] : m.items()) {
      if (key == "metric" || key == "higher_is_better") continue;
      if (key == "aggregation") {
        if (value != "mean") throw UserError(here + ": only the mean aggregation is supported");
      } else if (!multiple_choice && (key == "ignore_case" || key == "ignore_punctuation" || key == "ignore_numbers")) {
        if (!value.is_boolean()) throw UserError(here + ": " + key + " must be true or false");
        (key == "ignore_case" ? spec.options.ignore_case
                              : key == "ignore_punctuation" ? spec.options.ignore_punctuation : spec.options.ignore_numbers) =
            value.get<bool>();
      } else if (!multiple_choice && key == "regexes_to_ignore") {
        if (!value.is_array()) throw UserError(here + ": regexes_to_ignore must be a list of patterns");
        for (const Json& r : value) {
          if (!r.is_string()) throw UserError(here + ": regexes_to_ignore must be a list of patterns");
          spec.options.regexes_to_ignore.push_back(std::make_shared<PythonRegex>(r.get<std::string>(), here));
        }
      } else {
        throw UserError(here + ": unknown option \"" + key + "\"");
      }
    }
    metrics.push_back(std::move(spec));
  }
  return metrics;
}

// ------------------------------------------------------------------ multiple_choice

std::unique_ptr<Task> make_choice(const TaskDefinition& definition, TemplateSetup s, const TaskOptions& options) {
  if (!s.doc_to_choice.present()) throw UserError(definition.origin + ": multiple_choice needs \"doc_to_choice\"");
  if (s.config.json.contains("filter_list")) throw UserError(definition.origin + ": filter_list applies to generate_until only");
  const auto metrics = read_metrics(s, true);
  bool norm = false, acc = false;
  for (const auto& m : metrics) (m.name == "acc" ? acc : norm) = true;
  if (!acc) throw UserError(definition.origin + ": metric_list of a multiple_choice task must hold acc");
  auto task = std::make_unique<ChoiceTask>(definition.name, norm ? ChoiceMetrics::AccAndNorm : ChoiceMetrics::AccOnly,
                                           false, s.version);
  task->set_delimiters(s.target_delimiter, s.fewshot_delimiter);
  task->set_scoring_settings(recorded_settings(definition));
  for (const auto& file : resolved_files(definition, options)) task->add_file(file);
  auto item_of = [&](const Json& doc, const std::string& id) {
    ChoiceItem item;
    item.text = render_text(s, doc);
    item.choices = render_choices(s, doc);
    const Json target = render_target(s, doc);
    if (target.is_number_integer()) {
      const long long gold = target.get<long long>();
      if (gold < 0 || static_cast<size_t>(gold) >= item.choices.size())
        throw UserError(definition.name + ": doc " + id + ": target index " + std::to_string(gold) + " outside its " +
                        std::to_string(item.choices.size()) + " options");
      item.gold = static_cast<size_t>(gold);
    } else if (target.is_string()) {
      auto it = std::find(item.choices.begin(), item.choices.end(), target.get<std::string>());
      if (it == item.choices.end())
        throw UserError(definition.name + ": doc " + id + ": target " + target.dump() + " is none of its options");
      item.gold = static_cast<size_t>(it - item.choices.begin());
    } else {
      throw UserError(definition.name + ": doc " + id + ": doc_to_target must give an option index or text, got " + target.dump());
    }
    return item;
  };
  const int shots = options.num_fewshot.value_or(s.num_fewshot);
  if (shots < 0) throw UserError(definition.name + ": num_fewshot must be >= 0");
  const size_t n_eval = options.limit ? std::min(*options.limit, s.docs.size()) : s.docs.size();
  const auto chosen = choose_shots(s, options, n_eval, shots);
  std::vector<ChoiceItem> pool_items(s.pool.size());
  std::vector<bool> pool_ready(s.pool.size(), false);
  for (size_t d = 0; d < n_eval; ++d) {
    std::string block;
    for (size_t index : chosen[d]) {
      if (!pool_ready[index]) {
        pool_items[index] = item_of(s.pool[index], "few-shot example " + std::to_string(index));
        pool_ready[index] = true;
      }
      block += task->render_shot(pool_items[index]);
    }
    ChoiceItem item = item_of(s.docs[d].fields, s.docs[d].id);
    const std::string description = render_description(s, s.docs[d].fields);
    task->add(std::move(s.docs[d]), std::move(item), description, block);
  }
  task->finish();
  return task;
}

// ------------------------------------------------------------------ generate_until

struct GenerateItem {
  std::string prompt;
  Json target;                          // as doc_to_target gave it
  std::vector<std::string> references;  // what exact_match compares with (any may match)
};

class TemplateGenerateTask final : public BasicTask {
 public:
  TemplateGenerateTask(const TaskDefinition& definition, const std::string& version)
      : BasicTask(definition.name, version, RequestKind::Generate), settings_(recorded_settings(definition)) {}

  std::vector<std::string> until;
  int repeats = 1;
  std::vector<FilterPipeline> filters;
  bool named_filters = false;  // a filter_list was given: metrics are named metric,filter as in lm-eval
  std::vector<MetricSpec> metrics;

  void add(Doc doc, GenerateItem item) {
    docs_.push_back(std::move(doc));
    items_.push_back(std::move(item));
  }
  void add_file(const std::string& path) { files_.push_back(path); }
  void finish(const TaskOptions& options) {
    finish_docs(options);
    items_.resize(docs_.size());
  }

  TaskRequest build_request(const Doc& doc) const override {
    const GenerateItem& item = items_[index_of(doc)];
    TaskRequest request;
    request.kind = RequestKind::Generate;
    request.doc_id = doc.id;
    request.contexts = {item.prompt};
    request.stop_strings = until;
    request.target = item.target;
    request.samples = repeats;
    return request;
  }

  ScoredSample score(const Doc& doc, const TaskRequest& request, const TaskOutput& output) const override {
    require_texts(*this, request, output);
    const GenerateItem& item = items_[index_of(doc)];
    std::vector<std::string> responses;
    for (const std::string& raw : output.texts) responses.push_back(truncate_at_stops(raw, request.stop_strings));
    ScoredSample scored;
    scored.filtered = Json::object();
    for (const FilterPipeline& filter : filters) {
      const std::vector<std::string> kept = filter.apply(responses);
      scored.filtered[filter.name()] = kept;
      // lm-eval scores the first response left by the pipeline.
      const std::string answer = kept.empty() ? std::string() : kept[0];
      for (const MetricSpec& metric : metrics) {
        double best = 0;
        for (const std::string& reference : item.references)
          best = std::max(best, exact_match(answer, reference, metric.options));
        scored.metrics[metric_key(metric, filter)] = best;
      }
    }
    return scored;
  }

  std::vector<std::string> metric_names() const override {
    std::vector<std::string> names;
    for (const FilterPipeline& filter : filters)
      for (const MetricSpec& metric : metrics) names.push_back(metric_key(metric, filter));
    return names;
  }

  Json scoring_settings() const override { return settings_; }

 private:
  std::string metric_key(const MetricSpec& metric, const FilterPipeline& filter) const {
    return named_filters ? metric.name + "," + filter.name() : metric.name;
  }
  std::vector<GenerateItem> items_;
  Json settings_;
};

std::unique_ptr<Task> make_generate(const TaskDefinition& definition, TemplateSetup s, const TaskOptions& options) {
  auto task = std::make_unique<TemplateGenerateTask>(definition, s.version);
  const Json& c = s.config.json;
  for (const auto& file : resolved_files(definition, options)) task->add_file(file);
  task->metrics = read_metrics(s, false);
  // lm-eval stops at the few-shot delimiter unless generation_kwargs.until says otherwise.
  task->until = {s.fewshot_delimiter};
  if (c.contains("generation_kwargs")) {
    const Json& kwargs = c["generation_kwargs"];
    if (!kwargs.is_object()) throw UserError(s.config.where("generation_kwargs") + " must be a mapping");
    if (kwargs.contains("until")) {
      const Json& until = kwargs["until"];
      task->until.clear();
      if (until.is_string()) {
        task->until.push_back(until.get<std::string>());
      } else if (until.is_array()) {
        for (const Json& u : until) {
          if (!u.is_string()) throw UserError(s.config.where("generation_kwargs.until") + " must hold strings");
          task->until.push_back(u.get<std::string>());
        }
      } else {
        throw UserError(s.config.where("generation_kwargs.until") + " must be a string or a list of strings");
      }
    }
  }
  if (c.contains("repeats")) {
    if (!c["repeats"].is_number_integer() || c["repeats"].get<int>() < 1)
      throw UserError(s.config.where("repeats") + " must be a positive integer");
    task->repeats = c["repeats"].get<int>();
  }
  if (options.samples > 1) task->repeats = options.samples;
  if (c.contains("filter_list")) {
    if (!c["filter_list"].is_array() || c["filter_list"].empty())
      throw UserError(s.config.where("filter_list") + " must be a non-empty list");
    for (const Json& entry : c["filter_list"]) task->filters.push_back(FilterPipeline::from_json(entry, definition.origin));
    task->named_filters = true;
  } else {
    task->filters.push_back(FilterPipeline::take_first_only());
  }
  auto target_text = [&](const Json& target) -> std::string {
    if (target.is_array()) return target.empty() ? std::string() : text_of(target[0]);
    return text_of(target);
  };
  const int shots = options.num_fewshot.value_or(s.num_fewshot);
  if (shots < 0) throw UserError(definition.name + ": num_fewshot must be >= 0");
  const size_t n_eval = options.limit ? std::min(*options.limit, s.docs.size()) : s.docs.size();
  const auto chosen = choose_shots(s, options, n_eval, shots);
  std::vector<std::string> rendered_shots(s.pool.size());
  std::vector<bool> ready(s.pool.size(), false);
  for (size_t d = 0; d < n_eval; ++d) {
    std::string prompt = render_description(s, s.docs[d].fields);
    for (size_t index : chosen[d]) {
      if (!ready[index]) {
        rendered_shots[index] = render_text(s, s.pool[index]) + s.target_delimiter + target_text(render_target(s, s.pool[index]));
        ready[index] = true;
      }
      prompt += rendered_shots[index] + s.fewshot_delimiter;
    }
    GenerateItem item;
    item.prompt = prompt + render_text(s, s.docs[d].fields);
    item.target = render_target(s, s.docs[d].fields);
    if (item.target.is_array()) {
      for (const Json& r : item.target) item.references.push_back(text_of(r));
    } else {
      item.references.push_back(text_of(item.target));
    }
    task->add(std::move(s.docs[d]), std::move(item));
  }
  task->finish(options);
  return task;
}

}  // namespace

std::unique_ptr<Task> make_template_task(const TaskDefinition& definition, const TaskOptions& options) {
  const std::string output_type = definition.config["output_type"].is_string()
                                      ? definition.config["output_type"].get<std::string>()
                                      : std::string();
  if (output_type != "generate_until" && output_type != "multiple_choice")
    throw UserError(definition.origin + ": output_type must be generate_until or multiple_choice" +
                    (output_type.empty() ? std::string() : ", got " + output_type) +
                    " (loglikelihood and loglikelihood_rolling are not supported)");
  TemplateSetup setup = make_setup(definition, options);
  if (output_type == "multiple_choice") return make_choice(definition, std::move(setup), options);
  if (setup.doc_to_choice.present())
    throw UserError(definition.origin + ": doc_to_choice applies to multiple_choice only");
  return make_generate(definition, std::move(setup), options);
}

}  // namespace dlmeval
