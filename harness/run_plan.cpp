#include "harness/run_plan.h"

#include <algorithm>
#include <filesystem>
#include <map>

#include "harness/core/error.h"
#include "harness/core/hash.h"
#include "tasks/task_definition.h"

namespace fs = std::filesystem;

namespace dlmeval {
namespace {

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

void check_options(const RunOptions& o) {
  if (o.suite) {
    if (!o.protocols.empty()) throw UserError("--suite fixes the protocols; do not also give --protocol");
    if (o.num_fewshot) throw UserError("--suite fixes each task's shots; do not also give --num-fewshot");
  } else {
    if (o.tasks.empty())
      throw UserError("--tasks names no task (with --task-file, the file's tasks when --tasks is not given)");
    if (o.protocols.empty()) throw UserError("--protocol is required (see `dlmeval protocols`)");
  }
  if (o.batch_size == 0) throw UserError("--batch-size must be at least 1");
  if (!fs::exists(fs::path(o.model_dir) / "config.json"))
    throw UserError(o.model_dir + ": not a checkpoint folder (config.json missing)");
}

const char* kind_name(RequestKind k) { return k == RequestKind::Generate ? "generation" : "choice"; }

bool matches(const Task& task, const ResolvedProtocol& p) {
  return (task.kind() == RequestKind::Generate) == (p.kind == ProtocolKind::Generation);
}

ManifestTask describe_task(const Task& task, const std::string& data_dir, const ShardSpec& shard) {
  ManifestTask mt;
  mt.name = task.name();
  mt.version = task.version();
  mt.prompt_fingerprint = task.prompt_fingerprint();
  mt.scoring = task.scoring_settings();
  mt.metrics = task.metric_names();
  for (const auto& file : task.data_files()) mt.data_files[fs::relative(file, data_dir).string()] = sha256_file(file);
  std::vector<std::string> ids;
  for (const auto& d : task.docs()) ids.push_back(d.id);
  mt.planned_docs = static_cast<int64_t>(ids.size());
  mt.planned_doc_ids_sha256 = doc_ids_digest(ids);
  mt.shard_docs = 0;
  for (size_t i = 0; i < ids.size(); ++i) mt.shard_docs += in_shard(i, shard) ? 1 : 0;
  return mt;
}

}  // namespace

bool in_shard(size_t doc_index, const ShardSpec& shard) {
  return static_cast<int>(doc_index % static_cast<size_t>(shard.count)) == shard.index;
}

std::vector<const Doc*> RunPlan::shard_docs(const Task& task) const {
  std::vector<const Doc*> out;
  const auto& docs = task.docs();
  for (size_t i = 0; i < docs.size(); ++i)
    if (in_shard(i, options.shard)) out.push_back(&docs[i]);
  return out;
}

RunPlan build_plan(const RunOptions& given) {
  RunPlan plan;
  plan.options = given;
  RunOptions& o = plan.options;
  // Task files given without --tasks: their tasks are the run's.
  if (!o.suite && o.tasks.empty())
    for (const TaskDefinition& definition : load_task_definitions(o.task_files)) o.tasks.push_back(definition.name);
  check_options(o);

  // The pairs: the suite's, or every task with every given protocol of its kind.
  std::vector<std::string> requested_tasks;  // lm-eval's names become dlmeval's
  for (const auto& t : o.tasks) requested_tasks.push_back(canonical_task_name(t));
  if (o.suite) plan.suite = o.suite->restricted_to(requested_tasks);
  std::vector<std::string> protocol_specs;
  std::vector<std::pair<std::string, std::optional<int>>> task_specs;  // name, shots
  std::vector<std::pair<std::string, std::string>> pair_specs;         // task, protocol spec
  auto add_unique = [](auto& list, const auto& item) {
    if (std::find(list.begin(), list.end(), item) == list.end()) list.push_back(item);
  };
  if (plan.suite) {
    for (const auto& e : plan.suite->entries) {
      add_unique(protocol_specs, e.protocol);
      add_unique(task_specs, std::pair{e.task, e.num_fewshot});
      pair_specs.emplace_back(e.task, e.protocol);
    }
  } else {
    protocol_specs = o.protocols;
    for (const auto& t : requested_tasks) add_unique(task_specs, std::pair{t, o.num_fewshot});
  }
  std::map<std::string, const ResolvedProtocol*> protocol_by_spec;
  plan.protocols.reserve(protocol_specs.size());
  for (const auto& p : protocol_specs) {
    plan.protocols.push_back(resolve_protocol(p));
    protocol_by_spec[p] = &plan.protocols.back();
  }
  std::map<std::string, int> protocol_names;
  for (const auto& p : plan.protocols)
    if (++protocol_names[p.protocol.name] > 1) throw UserError("protocol '" + p.protocol.name + "' given twice");
  plan.data_dir = resolve_data_dir(o.data_dir);
  for (const auto& [name, shots] : task_specs) {
    TaskOptions task_options;
    task_options.data_dir = plan.data_dir;
    task_options.limit = o.limit;
    task_options.num_fewshot = shots;
    task_options.allow_unsandboxed_code = o.allow_unsandboxed_code;
    task_options.code_timeout_rule = o.code_timeout_rule;
    task_options.code_timeout_s = o.code_timeout_s;
    task_options.task_files = o.task_files;
    plan.tasks.push_back(make_task(name, task_options));
  }

  RunManifest& manifest = plan.manifest;
  manifest.model_hash = model_folder_hash(o.model_dir);
  manifest.dlmeval_revision = git_revision();
  manifest.device = o.runtime.device;
  manifest.dtype = o.runtime.dtype;
  manifest.threads = o.runtime.threads;
  manifest.seed = o.seed;
  manifest.shard = o.shard;
  if (o.limit) manifest.limit = static_cast<int64_t>(*o.limit);
  if (plan.suite) {
    // Entries may name a protocol by file; the manifest names it as its evaluations do.
    Suite recorded = *plan.suite;
    for (auto& e : recorded.entries) e.protocol = protocol_by_spec.at(e.protocol)->protocol.name;
    manifest.suite = recorded.to_json();
  }
  auto add_evaluation = [&](Task* task, const ResolvedProtocol* p) {
    const std::string file = samples_file_name(task->name(), p->protocol.name);
    manifest.evaluations.push_back({task->name(), p->protocol.name, file});
    plan.evaluations.push_back({task, p, (fs::path(o.out_dir) / file).string()});
  };
  for (auto& task : plan.tasks) {
    manifest.tasks.push_back(describe_task(*task, plan.data_dir, o.shard));
    if (plan.suite) continue;
    bool matched = false;
    for (const auto& p : plan.protocols) {
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
    for (auto& t : plan.tasks)
      if (t->name() == task_name) task = t.get();
    const ResolvedProtocol* p = protocol_by_spec.at(spec);
    if (!matches(*task, *p))
      throw UserError("suite " + plan.suite->name + ": task " + task_name + " needs a " + kind_name(task->kind()) +
                      " protocol, and " + p->protocol.name + " is not one");
    add_evaluation(task, p);
  }
  for (const auto& p : plan.protocols)
    manifest.protocols.push_back({p.protocol.name, p.protocol.settings, p.protocol.fingerprint()});
  return plan;
}

}  // namespace dlmeval
