"""dlmeval beside the official LLaDA code, on identical work, in one run.

Runs the workloads of the published comparison through dlmeval's public commands (`dlmeval generate`,
`dlmeval loglik`) and through the official generate() / get_log_likelihood() (the runner scripts of
../shared/bench/official, which load the official sources from a git copy of github.com/ML-GSAI/LLaDA at
run time), in alternating rounds, checks that the outputs agree and prints the medians and their ratios.

  PY=$(bash scripts/reference-python.sh)
  $PY bench/official/side_by_side.py --llada-git /path/to/LLaDA-git [--rounds 2] [--only NAME,...]

Both programs are timed as they time themselves: seconds inside the official functions (their own
stderr line) and seconds inside dlmeval's request loop (its own stdout line); neither includes
start-up or the checkpoint load, which are printed separately as process wall seconds. Each program
runs with its own defaults except where the workload fixes a setting (threads, early exit).

Agreement: generations must be equal token for token. The choice workload's log-likelihoods are
Monte-Carlo estimates with different random draws in the two programs (the official code draws with
torch's generator, dlmeval with its own), so they are compared as estimates of one value: the
difference over the combined standard error (dlmeval's reported error, taken for both) must stay
below 4.

Python runs the reference and this script only; dlmeval itself never needs it.
"""
import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--llada-git", required=True, help="git copy of github.com/ML-GSAI/LLaDA (its git directory or a folder holding it)")
    ap.add_argument("--shared", default=os.path.join(REPO, "..", "shared"), help="the shared folder (goldens, bench/official)")
    ap.add_argument("--dlmeval", default=os.path.join(REPO, "build", "dlmeval"), help="dlmeval binary")
    ap.add_argument("--work", default="/tmp/dlmeval-side-by-side", help="folder for requests, outputs and the 25M checkpoint")
    ap.add_argument("--rounds", type=int, default=2, help="alternating rounds (medians over them)")
    ap.add_argument("--only", default="", help="comma-separated workload names (default: all)")
    return ap.parse_args()


def run(cmd, threads, env_extra=None):
    env = dict(os.environ, OMP_NUM_THREADS=str(threads), MKL_NUM_THREADS=str(threads))
    env.update(env_extra or {})
    t0 = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True, env=env)
    wall = time.perf_counter() - t0
    if p.returncode != 0:
        sys.exit(f"failed ({p.returncode}): {' '.join(cmd)}\n{p.stdout}\n{p.stderr}")
    return p.stdout + p.stderr, wall


def seconds(text, pattern):
    m = re.search(pattern, text)
    if not m:
        sys.exit(f"no time in output matching {pattern!r}:\n{text}")
    return float(m.group(1))


def read_jsonl(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def write_jsonl(path, rows):
    with open(path, "w") as f:
        for r in rows:
            f.write(json.dumps(r) + "\n")


class Workload:
    """One workload run by both programs; subclasses say which scripts and commands and how outputs agree."""

    def timed(self, a, work, who, argv, pattern):
        out = os.path.join(work, f"{self.name}.{who}.out.jsonl")
        text, wall = run(argv(out), self.threads)
        return seconds(text, pattern), wall, out

    def official(self, a, work):
        script = os.path.join(a.shared, "bench", "official", self.official_script)
        return self.timed(a, work, "official", lambda out: [sys.executable, script, a.llada_git, self.ckpt,
                                                            self.official_input, out, "--threads", str(self.threads)],
                          self.official_pattern)

    def dlmeval(self, a, work):
        return self.timed(a, work, "dlmeval", lambda out: [a.dlmeval, self.command, "--model", self.ckpt, "--threads",
                                                           str(self.threads), "--requests", self.dlmeval_input,
                                                           "--output", out] + self.extra_flags,
                          self.dlmeval_pattern)


class Generation(Workload):
    official_script, official_pattern = "official_generate.py", r"official generate: ([0-9.]+) s"
    command, dlmeval_pattern, extra_flags = "generate", r"\(([0-9.]+) s\)", []

    def __init__(self, name, ckpt, prompts, prompt_len, gen, steps, block, threads, early_exit=False, seed=11):
        self.name, self.ckpt, self.threads, self.early_exit = name, ckpt, threads, early_exit
        self.shape = (prompts, prompt_len, gen, steps, block, seed)
        self.describe = (f"{os.path.basename(ckpt)}, {prompts} x {prompt_len}-token prompt, gen {gen} / steps {steps} / "
                         f"block {block}, batch 1, early exit {'on' if early_exit else 'off'}, {threads} thread(s)")

    def prepare(self, a, work):
        n, plen, gen, steps, block, seed = self.shape
        self.official_req = os.path.join(work, f"{self.name}.official.jsonl")
        self.dl_req = os.path.join(work, f"{self.name}.dlmeval.jsonl")
        subprocess.run([sys.executable, os.path.join(a.shared, "bench", "official", "make_requests.py"), self.ckpt,
                        str(n), str(plen), str(gen), str(steps), str(block), self.official_req, str(seed)], check=True)
        rows = read_jsonl(self.official_req)
        for r in rows:
            r["protocol"]["early_exit"] = self.early_exit
        write_jsonl(self.dl_req, rows)
        self.official_input, self.dlmeval_input = self.official_req, self.dl_req

    def agree(self, official_out, dl_out):
        ref, got = read_jsonl(official_out), read_jsonl(dl_out)
        if len(ref) != len(got):
            return False, f"{len(ref)} official lines, {len(got)} dlmeval lines"
        equal, decoded = 0, 0
        for r, g in zip(ref, got):
            ids = g["output_ids"]
            # With early exit the blocks after the answer's end are never decoded: the decoded part
            # must equal the official canvas's start.
            if ids == r["output_ids"][: len(ids)] and (self.early_exit or len(ids) == len(r["output_ids"])):
                equal += 1
            decoded += len(ids)
        total = sum(len(r["output_ids"]) for r in ref)
        note = f"{equal}/{len(ref)} outputs identical"
        if self.early_exit:
            note += f" on the decoded part ({decoded} of {total} positions decoded)"
        return equal == len(ref), note


class Choice(Workload):
    official_script, official_pattern = "official_loglik.py", r"official loglik: ([0-9.]+) s"
    # 620 tokens exceed llada-tiny's declared 512; the official code does not check, dlmeval must be told.
    command, dlmeval_pattern, extra_flags = "loglik", r"in ([0-9.]+) s", ["--max-sequence-length", "1024"]

    def __init__(self, name, ckpt, choices, prompt_len, answer_len, mc_num, batch, threads, seed=7):
        self.name, self.ckpt, self.threads = name, ckpt, threads
        self.shape = (choices, prompt_len, answer_len, mc_num, batch, seed)
        self.describe = (f"{os.path.basename(ckpt)}, one {choices}-choice question, {prompt_len}-token prompt, "
                         f"{answer_len}-token answers, mc_num {mc_num}, batch {batch}, {threads} thread(s)")

    def prepare(self, a, work):
        import random
        choices, plen, alen, mc_num, batch, seed = self.shape
        cfg = json.load(open(os.path.join(self.ckpt, "config.json")))
        special = {cfg.get(k) for k in ("mask_token_id", "eos_token_id", "pad_token_id", "eot_token_id", "bos_token_id")}
        pool = [i for i in range(cfg["vocab_size"]) if i not in special]
        rng = random.Random(seed)
        prompt = [rng.choice(pool) for _ in range(plen)]
        rows = [{"id": i, "prompt_ids": prompt, "answer_ids": [rng.choice(pool) for _ in range(alen)],
                 "protocol": {"estimator": "mc_elbo", "mc_num": mc_num, "batch_size": batch, "cfg_scale": 0.0}}
                for i in range(choices)]
        self.req = os.path.join(work, f"{self.name}.jsonl")
        write_jsonl(self.req, rows)
        self.official_input = self.dlmeval_input = self.req

    def agree(self, official_out, dl_out):
        ref, got = read_jsonl(official_out), read_jsonl(dl_out)
        # get_log_likelihood() returns the bound (negative); official_loglik.py writes its negation.
        official = [-float(r["loglik"]) for r in ref]
        worst = 0.0
        for o, g in zip(official, got):
            se = max(float(g["stderr"]), 1e-12) * 2 ** 0.5
            worst = max(worst, abs(o - float(g["loglik"])) / se)
        same_order = (sorted(range(len(ref)), key=lambda i: -official[i]) ==
                      sorted(range(len(got)), key=lambda i: -got[i]["loglik"]))
        return worst < 4.0, (f"log-likelihoods agree within {worst:.2f} combined standard errors (limit 4); "
                             f"choice ranking {'equal' if same_order else 'differs'}")


def main():
    a = parse_args()
    a.shared = os.path.abspath(a.shared)
    os.makedirs(a.work, exist_ok=True)
    tiny = os.path.join(a.shared, "golden", "checkpoints", "llada-tiny")
    big = os.path.join(a.work, "llada-25m")
    # iLLaDA's shape in miniature: grouped-query attention (4 query heads over 2 key/value heads), tied head.
    gqa = os.path.join(a.shared, "golden", "checkpoints", "llada-tiny-gqa-tied")
    workloads = [
        Generation("gen-tiny-1t", tiny, 4, 200, 256, 256, 32, 1),
        Generation("gen-tiny-2t", tiny, 4, 200, 256, 256, 32, 2),
        Generation("gen-25m-2t", big, 1, 200, 64, 64, 32, 2),
        Choice("choice-tiny-1t", tiny, 4, 600, 20, 128, 16, 1),
        Generation("gen-tiny-1t-early-exit", tiny, 4, 200, 256, 256, 32, 1, early_exit=True),
        Generation("gen-gqa-1t", gqa, 4, 200, 256, 256, 32, 1),
        Choice("choice-gqa-1t", gqa, 4, 600, 20, 128, 16, 1),
    ]
    if a.only:
        wanted = set(a.only.split(","))
        workloads = [w for w in workloads if w.name in wanted]
    if any(w.ckpt == big for w in workloads) and not os.path.exists(os.path.join(big, "model.safetensors")):
        subprocess.run([sys.executable, os.path.join(a.shared, "bench", "official", "make_ckpt_25m.py"), "--out", big], check=True)
    import torch
    print(f"torch {torch.__version__} (the official code) and {a.dlmeval}; {a.rounds} alternating rounds; "
          f"{os.cpu_count()} CPUs", flush=True)
    results = []
    for w in workloads:
        w.prepare(a, a.work)
        times = {"official": [], "dlmeval": []}
        walls = {"official": [], "dlmeval": []}
        notes, ok = [], True
        for rnd in range(a.rounds):
            # Alternate which program goes first so drift on a shared machine falls on both.
            order = ["official", "dlmeval"] if rnd % 2 == 0 else ["dlmeval", "official"]
            outs = {}
            for who in order:
                s, wall, out = getattr(w, who)(a, a.work)
                times[who].append(s)
                walls[who].append(wall)
                outs[who] = out
            good, note = w.agree(outs["official"], outs["dlmeval"])
            ok &= good
            notes.append(note)
            print(f"  {w.name} round {rnd + 1}: official {times['official'][-1]:.2f} s, dlmeval {times['dlmeval'][-1]:.2f} s; {note}", flush=True)
        mo, md = statistics.median(times["official"]), statistics.median(times["dlmeval"])
        results.append((w, mo, md, statistics.median(walls["official"]), statistics.median(walls["dlmeval"]), ok, notes[-1]))
    print()
    print("| workload | official s | dlmeval s | official / dlmeval | process wall s (official, dlmeval) | outputs |")
    print("|---|---|---|---|---|---|")
    for w, mo, md, wo, wd, ok, note in results:
        print(f"| {w.describe} | {mo:.2f} | {md:.2f} | {mo / md:.2f}x | {wo:.1f}, {wd:.1f} | {'OK' if ok else 'DIFFER'}: {note} |")
    sys.exit(0 if all(r[5] for r in results) else 1)


if __name__ == "__main__":
    main()
