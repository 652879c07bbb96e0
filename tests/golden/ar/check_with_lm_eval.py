#!/usr/bin/env python3
"""Optional cross-check: scores every loglik.json request with lm-evaluation-harness's own HFLM and compares.

Needs an lm-eval install (its source at the commit named in README.md, `pip install --no-deps` is enough,
plus accelerate, tqdm, more_itertools, dill, sqlitedict) in a Python that also has torch and transformers:

    $PY tests/golden/ar/check_with_lm_eval.py [--tokenizer-dir DIR]

The model is passed to HFLM as an already built instance and the tokenizer is loaded from the tiny
tokenizer's folder (tokenizer.json + tokenizer_config.json), as `lm_eval --model hf` would.
"""
import argparse
import json
import os
import sys

import torch
from transformers import AutoTokenizer, LlamaForCausalLM, Qwen2ForCausalLM
from lm_eval.api.instance import Instance
from lm_eval.models.huggingface import HFLM

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(HERE))), "..", "shared", "golden",
                           "tokenizers", "tiny")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tokenizer-dir", default=os.path.normpath(DEFAULT_DIR))
    ap.add_argument("--batch-size", type=int, default=8)
    a = ap.parse_args()
    torch.set_num_threads(1)
    worst = 0.0
    for name, cls in (("qwen2-tiny", Qwen2ForCausalLM), ("llama-tiny", LlamaForCausalLM)):
        model = cls.from_pretrained(os.path.join(HERE, name), attn_implementation="eager",
                                    dtype=torch.float32).eval()
        cases = json.load(open(os.path.join(HERE, name, "expected", "loglik.json")))
        groups = {}
        for c in cases:
            groups.setdefault(c.get("prefix_token_id"), []).append(c)
        for prefix, cs in groups.items():
            tok = AutoTokenizer.from_pretrained(a.tokenizer_dir)
            lm = HFLM(pretrained=model, tokenizer=tok, backend="causal", batch_size=a.batch_size,
                      device="cpu", prefix_token_id=prefix)
            assert lm.max_length == 512 and lm.prefix_token_id == (prefix if prefix is not None else 1018)
            reqs = [Instance(request_type="loglikelihood", doc={}, arguments=(c["context"], c["continuation"]),
                             idx=i) for i, c in enumerate(cs)]
            got = lm.loglikelihood(reqs, disable_tqdm=True)
            for c, (ll, greedy) in zip(cs, got):
                d = abs(ll - c["loglik"])
                worst = max(worst, d)
                ok = d <= 1e-5 * max(1.0, abs(c["loglik"])) and greedy == c["is_greedy"]
                print(f"{name:11s} {c['name']:48s} lm-eval {ll:.7f} {greedy!s:5s} golden {c['loglik']:.7f} "
                      f"{c['is_greedy']!s:5s} {'ok' if ok else 'MISMATCH'}")
                assert ok, c["name"]
    print(f"all loglik.json cases agree with lm-eval's HFLM; max |diff| = {worst:.3g}")


if __name__ == "__main__":
    sys.exit(main())
