#include "harness/evaluation_run.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>

#include <fmt/format.h>

#include "harness/core/error.h"
#include "harness/core/hash.h"
#include "harness/progress.h"
#include "results/aggregate.h"
#include "results/sample_store.h"
#include "tasks/task_definition.h"

namespace fs = std::filesystem;

namespace dlmeval {
namespace {

struct PlannedEvaluation {
  Task* task = nullptr;
  const ResolvedProtocol* protocol = nullptr;
  std::string samples_path;
};

std::string git_revision() {
  std::string cmd = std::string("git -C '") + DLMEVAL_SOURCE_DIR + "' rev-parse --short HEAD 2>/dev/null";
  FILE* pipe = popen(cmd.c_str(), "r");
  if (!pipe) return "unknown";
  char buffer[64] = {0};
  std::string out = fgets(buffer, sizeof buffer, pipe) ? buffer : "unknown";
  pclose(pipe);
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out.empty() ? "unknown" : out;
}

void check_writable(const std::string& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw UserError(dir + ": cannot create output folder: " + ec.message());
  const std::string probe = (fs::path(dir) / ".dlmeval-write-probe").string();
  std::ofstream out(probe);
  if (!out) throw UserError(dir + ": output folder is not writable");
  out.close();
  fs::remove(probe, ec);
}

// Tokenizes context + continuation the way lm-eval does: trailing spaces of the context move to
// the continuation, the pair is encoded whole and split after the context's tokens, so merges
// across the boundary match what the model saw in training.
std::pair<TokenIds, TokenIds> encode_pair(const Runner& runner, std::string context, std::string continuation) {
  size_t spaces = 0;
  while (spaces < context.size() && context[context.size() - 1 - spaces] == ' ') ++spaces;
  if (spaces > 0) {
    continuation = context.substr(context.size() - spaces) + continuation;
    context.resize(context.size() - spaces);
  }
  TokenIds whole = runner.encode(context + continuation);
  TokenIds context_ids = runner.encode(context);
  size_t split = std::min(context_ids.size(), whole.size());
  // If the boundary merged, fall back to the longest common prefix.
  size_t common = 0;
  while (common < split && whole[common] == context_ids[common]) ++common;
  split = common;
  if (split == whole.size() && split > 0) --split;  // a continuation always keeps one token
  return {TokenIds(whole.begin(), whole.begin() + static_cast<long>(split)),
          TokenIds(whole.begin() + static_cast<long>(split), whole.end())};
}

std::string prompt_text(const Runner& runner, const std::string& context, const Json& settings,
                        const Json& chat_messages = Json::array()) {
  if (settings.value("chat", false)) {
    Json messages = chat_messages.empty() ? Json::array({{{"role", "user"}, {"content", context}}}) : chat_messages;
    return runner.apply_chat_template(messages, true);
  }
  return context;
}

Json request_json(const TaskRequest& r) {
  Json j = {{"kind", r.kind == RequestKind::Generate ? "generate" : "choice"},
            {"contexts", r.contexts},
            {"continuations", r.continuations},
            {"until", r.stop_strings},
            {"samples", r.samples}};
  if (!r.chat_messages.empty()) j["chat_messages"] = r.chat_messages;
  return j;
}

// A runner's UserError (LibTorch's errors arrive as one) names the task, protocol and docs it
// was working on, so the user knows which request to look at.
template <class Call>
auto with_batch_context(const Task& task, const ResolvedProtocol& protocol, const std::vector<const Doc*>& batch,
                        Call call) {
  try {
    return call();
  } catch (const UserError& e) {
    std::string ids;
    for (size_t i = 0; i < batch.size() && i < 4; ++i) ids += (i ? ", " : "") + batch[i]->id;
    if (batch.size() > 4) ids += ", ... (" + std::to_string(batch.size()) + " docs)";
    throw UserError(task.name() + " x " + protocol.protocol.name + ", docs " + ids + ": " + e.what());
  }
}

void check_resumable(const RunManifest& old, const RunManifest& now, const std::string& dir) {
  auto differs = [&](const std::string& what) {
    throw UserError(dir + ": holds a different run (" + what +
                    " differs); use a new --out folder or the same settings to resume");
  };
  if (old.model_hash != now.model_hash) differs("model");
  if (old.seed != now.seed) differs("seed");
  if (!(old.shard == now.shard)) differs("shard");
  if (old.limit != now.limit) differs("limit");
  if (old.dtype != now.dtype) differs("dtype");
  if (old.suite != now.suite) differs("suite");
  for (const auto& t : now.tasks) {
    const auto* o = old.find_task(t.name);
    if (o && (o->prompt_fingerprint != t.prompt_fingerprint || o->data_files != t.data_files))
      differs("task " + t.name + " prompts or data");
    if (o && o->scoring != t.scoring) differs("task " + t.name + " scoring settings (" + o->scoring.dump() + " vs " + t.scoring.dump() + ")");
  }
  for (const auto& p : now.protocols) {
    const auto* o = old.find_protocol(p.name);
    if (o && o->fingerprint != p.fingerprint) differs("protocol " + p.name);
  }
}

}  // namespace

ShardSpec parse_shard(const std::string& text) {
  ShardSpec s;
  auto slash = text.find('/');
  try {
    if (slash == std::string::npos) throw std::invalid_argument("no slash");
    s.index = std::stoi(text.substr(0, slash));
    s.count = std::stoi(text.substr(slash + 1));
  } catch (const std::exception&) {
    throw UserError("--shard must look like i/N, got '" + text + "'");
  }
  if (s.count < 1 || s.index < 0 || s.index >= s.count)
    throw UserError("--shard i/N needs 0 <= i < N, got '" + text + "'");
  return s;
}

uint64_t doc_seed(uint64_t run_seed, const std::string& task, const std::string& protocol_fingerprint,
                  const std::string& doc_id) {
  std::string digest = sha256_hex(fmt::format("{}\x1f{}\x1f{}\x1f{}", run_seed, task, protocol_fingerprint, doc_id));
  return std::stoull(digest.substr(0, 15), nullptr, 16);
}

std::string model_folder_hash(const std::string& dir) {
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.is_regular_file()) files.push_back(e.path());
  std::sort(files.begin(), files.end());
  std::string summary;
  for (const auto& f : files) {
    const std::string name = f.filename().string();
    if (f.extension() == ".safetensors") {
      std::ifstream in(f, std::ios::binary);
      uint64_t header_len = 0;
      in.read(reinterpret_cast<char*>(&header_len), 8);
      std::string header(std::min<uint64_t>(header_len, 1 << 24), '\0');
      in.read(header.data(), static_cast<std::streamsize>(header.size()));
      summary += fmt::format("{} {} {}\n", name, fs::file_size(f), sha256_hex(header));
    } else if (f.extension() == ".json" || f.extension() == ".model" || f.extension() == ".txt") {
      summary += fmt::format("{} {}\n", name, sha256_file(f.string()));
    }
  }
  return sha256_hex(summary);
}

RunReport execute_run(const RunOptions& options, const RunnerFactory& open_runner) {
  const auto started = std::chrono::steady_clock::now();
  RunOptions o = options;
  // Task files given without --tasks: their tasks are the run's.
  if (!o.suite && o.tasks.empty())
    for (const TaskDefinition& definition : load_task_definitions(o.task_files)) o.tasks.push_back(definition.name);
  if (o.suite) {
    if (!o.protocols.empty()) throw UserError("--suite fixes the protocols; do not also give --protocol");
    if (o.num_fewshot) throw UserError("--suite fixes each task's shots; do not also give --num-fewshot");
  } else {
    if (o.tasks.empty()) throw UserError("--tasks names no task (with --task-file, the file's tasks when --tasks is not given)");
    if (o.protocols.empty()) throw UserError("--protocol is required (see `dlmeval protocols`)");
  }
  if (o.batch_size == 0) throw UserError("--batch-size must be at least 1");
  if (!fs::exists(fs::path(o.model_dir) / "config.json"))
    throw UserError(o.model_dir + ": not a checkpoint folder (config.json missing)");

  // 1. Everything that can be wrong is checked before the model loads. The plan is the suite's
  // pairs, or every task with every given protocol of its kind.
  std::vector<std::string> requested_tasks;  // lm-eval's names become dlmeval's
  for (const auto& t : o.tasks) requested_tasks.push_back(canonical_task_name(t));
  std::optional<Suite> suite;
  if (o.suite) suite = o.suite->restricted_to(requested_tasks);
  std::vector<std::string> protocol_specs;
  std::vector<std::pair<std::string, std::optional<int>>> task_specs;  // name, shots
  std::vector<std::pair<std::string, std::string>> pair_specs;         // task, protocol spec
  auto add_unique = [](auto& list, const auto& item) {
    if (std::find(list.begin(), list.end(), item) == list.end()) list.push_back(item);
  };
  if (suite) {
    for (const auto& e : suite->entries) {
      add_unique(protocol_specs, e.protocol);
      add_unique(task_specs, std::pair{e.task, e.num_fewshot});
      pair_specs.emplace_back(e.task, e.protocol);
    }
  } else {
    protocol_specs = o.protocols;
    for (const auto& t : requested_tasks) add_unique(task_specs, std::pair{t, o.num_fewshot});
  }
  std::vector<ResolvedProtocol> protocols;
  std::map<std::string, const ResolvedProtocol*> protocol_by_spec;
  protocols.reserve(protocol_specs.size());
  for (const auto& p : protocol_specs) {
    protocols.push_back(resolve_protocol(p));
    protocol_by_spec[p] = &protocols.back();
  }
  std::map<std::string, int> protocol_names;
  for (const auto& p : protocols)
    if (++protocol_names[p.protocol.name] > 1) throw UserError("protocol '" + p.protocol.name + "' given twice");
  const std::string data_dir = resolve_data_dir(o.data_dir);
  std::vector<std::unique_ptr<Task>> tasks;
  for (const auto& [name, shots] : task_specs) {
    TaskOptions task_options;
    task_options.data_dir = data_dir;
    task_options.limit = o.limit;
    task_options.num_fewshot = shots;
    task_options.allow_unsandboxed_code = o.allow_unsandboxed_code;
    task_options.code_timeout_rule = o.code_timeout_rule;
    task_options.code_timeout_s = o.code_timeout_s;
    task_options.task_files = o.task_files;
    tasks.push_back(make_task(name, task_options));
  }
  if (!o.dry_run) check_writable(o.out_dir);

  RunManifest manifest;
  manifest.model_hash = model_folder_hash(o.model_dir);
  manifest.dlmeval_revision = git_revision();
  manifest.device = o.runtime.device;
  manifest.dtype = o.runtime.dtype;
  manifest.threads = o.runtime.threads;
  manifest.seed = o.seed;
  manifest.shard = o.shard;
  if (o.limit) manifest.limit = static_cast<int64_t>(*o.limit);
  if (suite) {
    // Entries may name a protocol by file; the manifest names it as its evaluations do.
    Suite recorded = *suite;
    for (auto& e : recorded.entries) e.protocol = protocol_by_spec.at(e.protocol)->protocol.name;
    manifest.suite = recorded.to_json();
  }
  auto kind_name = [](RequestKind k) { return k == RequestKind::Generate ? "generation" : "choice"; };
  auto matches = [](const Task& task, const ResolvedProtocol& p) {
    return (task.kind() == RequestKind::Generate) == (p.kind == ProtocolKind::Generation);
  };
  std::vector<PlannedEvaluation> plan;
  auto add_evaluation = [&](Task* task, const ResolvedProtocol* p) {
    const std::string file = samples_file_name(task->name(), p->protocol.name);
    manifest.evaluations.push_back({task->name(), p->protocol.name, file});
    plan.push_back({task, p, (fs::path(o.out_dir) / file).string()});
  };
  for (auto& task : tasks) {
    ManifestTask mt;
    mt.name = task->name();
    mt.version = task->version();
    mt.prompt_fingerprint = task->prompt_fingerprint();
    mt.scoring = task->scoring_settings();
    mt.metrics = task->metric_names();
    for (const auto& file : task->data_files()) {
      std::string rel = fs::relative(file, data_dir).string();
      mt.data_files[rel] = sha256_file(file);
    }
    std::vector<std::string> ids;
    for (const auto& d : task->docs()) ids.push_back(d.id);
    mt.planned_docs = static_cast<int64_t>(ids.size());
    mt.planned_doc_ids_sha256 = doc_ids_digest(ids);
    mt.shard_docs = 0;
    for (size_t i = 0; i < ids.size(); ++i)
      if (static_cast<int>(i % static_cast<size_t>(o.shard.count)) == o.shard.index) ++mt.shard_docs;
    manifest.tasks.push_back(mt);
    if (suite) continue;
    bool matched = false;
    for (const auto& p : protocols) {
      if (!matches(*task, p)) continue;
      matched = true;
      add_evaluation(task.get(), &p);
    }
    if (!matched)
      throw UserError("task " + task->name() + " needs a " + kind_name(task->kind()) +
                      " protocol; none of the given protocols is one");
  }
  for (const auto& [task_name, spec] : pair_specs) {
    Task* task = nullptr;
    for (auto& t : tasks)
      if (t->name() == task_name) task = t.get();
    const ResolvedProtocol* p = protocol_by_spec.at(spec);
    if (!matches(*task, *p))
      throw UserError("suite " + suite->name + ": task " + task_name + " needs a " + kind_name(task->kind()) +
                      " protocol, and " + p->protocol.name + " is not one");
    add_evaluation(task, p);
  }
  for (const auto& p : protocols)
    manifest.protocols.push_back({p.protocol.name, p.protocol.settings, p.protocol.fingerprint()});

  if (o.dry_run) {
    RunReport plan_only;
    for (const auto& ev : plan) {
      const ManifestTask* mt = manifest.find_task(ev.task->name());
      plan_only.plan.push_back({ev.task->name(), ev.protocol->protocol.name, ev.protocol->protocol.fingerprint(),
                                static_cast<size_t>(mt->shard_docs)});
    }
    return plan_only;
  }

  bool resuming = fs::exists(manifest_path(o.out_dir));
  if (resuming) {
    RunManifest old = read_manifest(o.out_dir);
    check_resumable(old, manifest, o.out_dir);
    manifest.started_at = old.started_at;
  } else {
    manifest.started_at = utc_timestamp_now();
  }

  // 2. The model.
  auto runner = open_runner(o.model_dir, o.runtime);
  Json described = runner->describe();
  manifest.model = described;
  manifest.libtorch_version = described.value("libtorch", "");
  manifest.threads = described.value("threads", o.runtime.threads);
  write_manifest(o.out_dir, manifest);

  // 3. Every task × protocol, resuming where the sample files end.
  RunReport report;
  for (const auto& ev : plan) {
    SampleWriter writer(ev.samples_path);
    const auto& settings = ev.protocol->protocol.settings;
    const Json runner_settings = runner_protocol(settings);
    const std::string fingerprint = ev.protocol->protocol.fingerprint();
    std::vector<const Doc*> todo;
    const auto& docs = ev.task->docs();
    for (size_t i = 0; i < docs.size(); ++i) {
      if (static_cast<int>(i % static_cast<size_t>(o.shard.count)) != o.shard.index) continue;
      if (writer.is_completed(docs[i].id)) {
        ++report.docs_resumed;
        continue;
      }
      todo.push_back(&docs[i]);
    }
    if (todo.empty()) continue;
    std::unique_ptr<Progress> progress;
    if (!o.quiet) progress = std::make_unique<Progress>(ev.task->name() + " × " + ev.protocol->protocol.name, todo.size());
    for (size_t start = 0; start < todo.size(); start += o.batch_size) {
      const auto batch_started = std::chrono::steady_clock::now();
      std::vector<const Doc*> batch(todo.begin() + static_cast<long>(start),
                                    todo.begin() + static_cast<long>(std::min(todo.size(), start + o.batch_size)));
      std::vector<TaskRequest> requests;
      for (const Doc* d : batch) requests.push_back(ev.task->build_request(*d));
      std::vector<TaskOutput> outputs(batch.size());
      std::vector<Json> costs(batch.size());
      if (ev.task->kind() == RequestKind::Generate) {
        std::vector<GenerationRequest> gen;
        std::vector<size_t> owner;
        for (size_t i = 0; i < batch.size(); ++i) {
          TokenIds prompt = runner->encode(
              prompt_text(*runner, requests[i].contexts.at(0), settings, requests[i].chat_messages));
          uint64_t seed = doc_seed(o.seed, ev.task->name(), fingerprint, batch[i]->id);
          for (int s = 0; s < std::max(1, requests[i].samples); ++s) {
            gen.push_back({prompt, runner_settings, seed + static_cast<uint64_t>(s), requests[i].stop_strings});
            owner.push_back(i);
          }
          costs[i] = {{"prompt_tokens", prompt.size()}, {"generated_tokens", 0}, {"forward_passes", 0}};
        }
        auto results = with_batch_context(*ev.task, *ev.protocol, batch, [&] { return runner->generate(gen); });
        for (size_t j = 0; j < results.size(); ++j) {
          size_t i = owner[j];
          outputs[i].texts.push_back(results[j].text);
          costs[i]["generated_tokens"] = costs[i]["generated_tokens"].get<int64_t>() + results[j].generated_tokens;
          costs[i]["forward_passes"] = costs[i]["forward_passes"].get<int64_t>() + results[j].forward_passes;
        }
      } else {
        std::vector<ChoiceRequest> choice;
        for (size_t i = 0; i < batch.size(); ++i) {
          const auto& r = requests[i];
          ChoiceRequest c;
          c.protocol = runner_settings;
          c.seed = doc_seed(o.seed, ev.task->name(), fingerprint, batch[i]->id);
          size_t prompt_tokens = 0;
          for (size_t k = 0; k < r.continuations.size(); ++k) {
            const std::string& context = r.contexts.size() == 1 ? r.contexts[0] : r.contexts.at(k);
            auto [ctx, cont] = encode_pair(*runner, prompt_text(*runner, context, settings), r.continuations[k]);
            if (r.contexts.size() > 1 || k == 0) {
              prompt_tokens += ctx.size();
              c.contexts.push_back(std::move(ctx));
            }
            c.continuations.push_back(std::move(cont));
          }
          choice.push_back(std::move(c));
          costs[i] = {{"prompt_tokens", prompt_tokens}};
        }
        auto results = with_batch_context(*ev.task, *ev.protocol, batch, [&] { return runner->score_choices(choice); });
        for (size_t i = 0; i < batch.size(); ++i) {
          outputs[i].loglik = results[i].loglik;
          costs[i]["forward_passes"] = results[i].forward_passes;
          costs[i]["loglik_stderr"] = results[i].stderr_of_loglik;
        }
      }
      auto scored = ev.task->score_batch(batch, requests, outputs);
      const double seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - batch_started).count() /
          static_cast<double>(batch.size());
      for (size_t i = 0; i < batch.size(); ++i) {
        const Doc& d = *batch[i];
        Json resps = ev.task->kind() == RequestKind::Generate ? Json(outputs[i].texts) : Json(outputs[i].loglik);
        std::string prompt_concat;
        for (const auto& c : requests[i].contexts) prompt_concat += c + "\x1e";
        for (const auto& c : requests[i].continuations) prompt_concat += c + "\x1f";
        if (!requests[i].chat_messages.empty()) prompt_concat += requests[i].chat_messages.dump();
        Json record = {{"doc_id", d.id},
                       // Position in the task's plan, so merged shards keep its order.
                       {"doc_index", static_cast<size_t>(&d - docs.data())},
                       {"task", ev.task->name()},
                       {"protocol", ev.protocol->protocol.name},
                       {"protocol_fingerprint", fingerprint},
                       {"doc", d.fields},
                       {"target", requests[i].target},
                       {"arguments", request_json(requests[i])},
                       {"resps", resps},
                       {"filtered_resps", scored[i].filtered},
                       {"metrics", scored[i].metrics},
                       {"doc_hash", sha256_hex(d.fields.dump())},
                       {"prompt_hash", sha256_hex(prompt_concat)},
                       {"target_hash", sha256_hex(requests[i].target.dump())},
                       {"seed", doc_seed(o.seed, ev.task->name(), fingerprint, d.id)},
                       {"seconds", seconds}};
        for (auto& [k, v] : costs[i].items()) record[k] = v;
        writer.append(record);
        ++report.docs_run;
      }
      if (progress) progress->advance(batch.size());
    }
    if (progress) progress->finish();
  }

  // 4. Summary and the finished manifest.
  manifest.finished_at = utc_timestamp_now();
  write_manifest(o.out_dir, manifest);
  write_summary(o.out_dir);
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return report;
}

}  // namespace dlmeval
