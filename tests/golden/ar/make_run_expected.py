#!/usr/bin/env python3
"""Makes tests/golden/ar/qwen2-tiny/expected/run.json: what Hugging Face transformers answers on the very
prompts of a `dlmeval run` of the tiny Qwen2 checkpoint (suite qwen25-base, gsm8k and arc_challenge,
--limit 3), so that the end-to-end test (tests/torch/autoregressive_run_test.cpp) checks the run's samples
against transformers and not only against dlmeval's own runner.

    PY=$(bash scripts/reference-python.sh | tail -1)
    $PY -m pip install transformers==4.57.6 safetensors
    build/dlmeval run --model QWEN2_TINY_WITH_TOKENIZER --suite qwen25-base --tasks gsm8k,arc_challenge \
        --limit 3 --threads 1 --quiet --max-sequence-length 2048 --data-dir ../shared/data --out /tmp/ar-run
    $PY tests/golden/ar/make_run_expected.py /tmp/ar-run

The prompts are taken from the run's sample records ("arguments"); each expected entry keeps the sha256 of
its prompt texts, so a change of prompt makes the test say that this file must be made again.
Generation: greedy transformers generate() with the run's max_new_tokens (presets/protocols/generation/
ar-greedy.json), EOS and the task's stop strings, the text cut at the first stop string as dlmeval's samples
are. Choice: lm-eval's loglikelihood (context/continuation split, sum of log-probabilities, is_greedy) as
make_ar_goldens.py's LMEvalHF computes it. One CPU thread, float32, eager attention.
"""
import argparse
import glob
import hashlib
import json
import os
import sys

import torch
import transformers
from transformers import Qwen2ForCausalLM

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from make_ar_goldens import DEFAULT_TOKENIZER, EOS, Gen, LMEvalHF, dec, enc, load_tokenizer  # noqa: E402

REPO = os.path.abspath(os.path.join(HERE, "..", "..", ".."))


def sha(texts):
    return hashlib.sha256(json.dumps(texts, ensure_ascii=False, separators=(",", ":")).encode("utf-8")).hexdigest()


def cut_at_stops(text, stops):
    cut = len(text)
    for s in stops:
        at = text.find(s)
        if s and at >= 0:
            cut = min(cut, at)
    return text[:cut]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("run_dir")
    ap.add_argument("--model", default=os.path.join(HERE, "qwen2-tiny"))
    ap.add_argument("--tokenizer", default=DEFAULT_TOKENIZER)
    ap.add_argument("--out", default=os.path.join(HERE, "qwen2-tiny", "expected", "run.json"))
    a = ap.parse_args()
    torch.set_num_threads(1)
    tok = load_tokenizer(a.tokenizer)
    model = Qwen2ForCausalLM.from_pretrained(a.model, attn_implementation="eager", dtype=torch.float32).eval()
    with open(os.path.join(REPO, "presets", "protocols", "generation", "ar-greedy.json")) as f:
        max_new_tokens = json.load(f)["max_new_tokens"]
    gen = Gen(model, tok)
    # The run's prompts exceed the tiny model's declared 512 positions; lm-eval would cut the left.
    lm = LMEvalHF(model, tok, max_length=4096)
    entries = []
    for path in sorted(glob.glob(os.path.join(a.run_dir, "samples-*.jsonl"))):
        with open(path) as f:
            samples = [json.loads(line) for line in f if line.strip()]
        for s in samples:
            args = s["arguments"]
            e = {"task": s["task"], "protocol": s["protocol"], "doc_id": s["doc_id"],
                 "prompt_sha256": sha([args["contexts"], args["continuations"]])}
            if args["kind"] == "generate":
                ids = enc(tok, args["contexts"][0])
                new, why, margin, _ = gen.single(ids, max_new_tokens, args["until"])
                e.update({"prompt_tokens": len(ids), "output_ids": new, "stopped_by": why,
                          "text": cut_at_stops(dec(tok, new), args["until"]), "min_top2_margin": margin})
            else:
                ctx = args["contexts"]
                pairs = [lm.encode(ctx[0] if len(ctx) == 1 else ctx[k], c) for k, c in enumerate(args["continuations"])]
                scored = [lm.score_batch([p])[0] for p in pairs]
                e.update({"loglik": [r[0] for r in scored], "is_greedy": [r[1] for r in scored]})
            entries.append(e)
            print(f"{e['task']} {e['doc_id']}: {e.get('stopped_by', 'scored')}", file=sys.stderr)
    os.makedirs(os.path.dirname(a.out), exist_ok=True)
    with open(a.out, "w") as f:
        json.dump({"transformers": transformers.__version__, "torch": torch.__version__,
                   "max_new_tokens": max_new_tokens, "samples": entries}, f, indent=1, ensure_ascii=False)
        f.write("\n")
    print(f"wrote {a.out} ({len(entries)} samples)")


if __name__ == "__main__":
    main()
