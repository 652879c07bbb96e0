#!/usr/bin/env python3
"""Makes the autoregressive (Qwen2 / LLaMA) golden files in tests/golden/ar/ with Hugging Face transformers.

    PY=$(bash scripts/reference-python.sh | tail -1)
    $PY -m pip install transformers==4.57.6 safetensors
    $PY tests/golden/ar/make_ar_goldens.py            # [--tokenizer PATH] [--out DIR]

Everything is deterministic (seeded torch.Generator, one CPU thread, float32, eager attention, eval mode).
No network: models are built from config objects, never from a hub name. See README.md beside this file.
"""
import argparse
import json
import math
import os
import sys

import torch
import torch.nn.functional as F
import transformers
from safetensors.torch import save_file
from transformers import (LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast, Qwen2Config,
                          Qwen2ForCausalLM)
from transformers.generation.stopping_criteria import StopStringCriteria

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
DEFAULT_TOKENIZER = os.path.join(os.path.dirname(REPO), "shared", "golden", "tokenizers", "tiny", "tokenizer.json")

BOS, EOS, PAD = 1018, 1019, 1019
SPECIAL = {"<|startoftext|>": 1018, "<|endoftext|>": 1019, "<|start_header_id|>": 1020,
           "<|end_header_id|>": 1021, "<|eot_id|>": 1022, "<|mdm_mask|>": 1023}
N_ORDINARY = 1018          # ordinary ids are 0..1017
EOS_TARGET = 0.10          # wanted share of positions whose argmax is EOS (calibration set)
MIN_MARGIN = 1e-2          # every greedy step in generate.json has top1 - top2 logit >= this
TOL = 1e-5

COMMON = dict(vocab_size=1024, hidden_size=64, num_hidden_layers=2, num_attention_heads=4,
              num_key_value_heads=2, intermediate_size=176, max_position_embeddings=512,
              hidden_act="silu", bos_token_id=BOS, eos_token_id=EOS, attn_implementation="eager")
MODELS = [
    ("qwen2-tiny", Qwen2ForCausalLM,
     lambda: Qwen2Config(**COMMON, rope_theta=1000000.0, rms_norm_eps=1e-6, tie_word_embeddings=True,
                         use_sliding_window=False), 1001, 0.5, 8.0),
    ("llama-tiny", LlamaForCausalLM,
     lambda: LlamaConfig(**COMMON, rope_theta=500000.0, rms_norm_eps=1e-5, tie_word_embeddings=False,
                         attention_bias=False, mlp_bias=False,
                         rope_scaling={"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0,
                                       "high_freq_factor": 4.0, "original_max_position_embeddings": 64}),
     2002, 0.5, 1.0),
]

ENGLISH = [
    "Hello world",
    "The cat sat on the mat.",
    "Once upon a time",
    "Paris is the capital of France.",
    "In the beginning",
    "Question: What is 2 + 2?\nAnswer:",
    "The quick brown fox jumps over the lazy dog",
    "I like to eat",
    "Write a short poem about the sea.",
    "def add(a, b):\n    return",
    "Summer is",
    "My favourite colour is",
    "The weather today is",
    "She opened the door and",
    "Numbers: 1, 2, 3,",
    "A long time ago in a galaxy far, far away",
    "To be or not to be",
    "The answer is",
    "Good morning! How are",
    "Water boils at",
]
CHAT = ("<|startoftext|><|start_header_id|>user<|end_header_id|>\n\nHi there, who are you?<|eot_id|>"
        "<|start_header_id|>assistant<|end_header_id|>\n\n")


# ----------------------------------------------------------------------------------------------- helpers
def load_tokenizer(path):
    # Same special tokens as the folder's tokenizer_config.json (bos <|startoftext|>, eos = pad <|endoftext|>).
    tok = PreTrainedTokenizerFast(tokenizer_file=path, bos_token="<|startoftext|>", eos_token="<|endoftext|>",
                                  pad_token="<|endoftext|>", clean_up_tokenization_spaces=False)
    assert len(tok) == 1024, len(tok)
    for s, i in SPECIAL.items():
        assert tok.convert_tokens_to_ids(s) == i, (s, tok.convert_tokens_to_ids(s), i)
    assert tok.vocab_size == N_ORDINARY
    assert (tok.bos_token_id, tok.eos_token_id, tok.pad_token_id) == (BOS, EOS, PAD)
    return tok


def enc(tok, s):
    ids = tok.encode(s, add_special_tokens=False)
    # The tokenizer's post-processor (ByteLevel) adds nothing, so lm-eval's default add_special_tokens
    # (tokenizer default = True) gives the same ids.
    assert ids == tok.encode(s, add_special_tokens=True)
    return ids


def dec(tok, ids):
    return tok.decode(ids, skip_special_tokens=False, clean_up_tokenization_spaces=False)


def reinit(model, seed, head_std, branch_gain):
    """Every parameter from one seeded generator, in named_parameters() order (tied weights once).
    branch_gain multiplies the std of o_proj and down_proj (the residual branches' outputs): with a tied
    head the token's own embedding otherwise dominates the residual stream and greedy decoding repeats
    the last token forever. head_std is the std of the LM head (the embedding when tied): it sets the
    logit scale (logit std ~ head_std * sqrt(hidden))."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("norm.weight"):                          # input/post_attention layernorm, final norm
                p.copy_(0.6 + 0.8 * torch.rand(p.shape, generator=g))
            elif name.endswith(".bias"):                               # Qwen2 q/k/v biases
                p.copy_(0.2 * torch.randn(p.shape, generator=g))
            elif name == "model.embed_tokens.weight":                 # (also the Qwen2 head: tied)
                std = head_std if model.config.tie_word_embeddings else 1.0
                p.copy_(torch.randn(p.shape, generator=g) * std)
            elif name == "lm_head.weight":                            # LLaMA untied head
                p.copy_(torch.randn(p.shape, generator=g) * head_std)
            else:                                                      # Linear [out, in]
                assert p.dim() == 2, name
                gain = branch_gain if name.endswith(("o_proj.weight", "down_proj.weight")) else 1.0
                p.copy_(torch.randn(p.shape, generator=g) * (gain / math.sqrt(p.shape[1])))


def head_weight(model):
    return model.get_output_embeddings().weight


def final_hidden(model, ids):
    with torch.no_grad():
        return model(input_ids=ids, output_hidden_states=True).hidden_states[-1]   # after the final norm


def calibrate_eos(model, seed):
    """Adds beta * u to the EOS row of the LM head (u = unit mean final hidden state of a calibration set)
    with beta found by bisection so that ~EOS_TARGET of the calibration positions have argmax EOS."""
    g = torch.Generator().manual_seed(seed + 7)
    ids = torch.randint(0, N_ORDINARY, (16, 32), generator=g)
    h = final_hidden(model, ids).reshape(-1, 64)
    W = head_weight(model)
    u = h.mean(0)
    u = u / u.norm()
    w0 = W[EOS].detach().clone()
    others = torch.cat([torch.arange(0, EOS), torch.arange(EOS + 1, 1024)])
    best_other = (h @ W[others].detach().T).max(-1).values

    def frac(beta):
        return ((h @ (w0 + beta * u)) > best_other).float().mean().item()

    lo, hi = 0.0, 1.0
    while frac(hi) < EOS_TARGET:
        hi *= 2
    for _ in range(60):
        mid = (lo + hi) / 2
        if frac(mid) < EOS_TARGET:
            lo = mid
        else:
            hi = mid
    with torch.no_grad():
        W[EOS].copy_(w0 + hi * u)
    held = torch.randint(0, N_ORDINARY, (64, 32), generator=g)
    with torch.no_grad():
        heldout = (model(input_ids=held).logits.argmax(-1) == EOS).float().mean().item()
    return {"beta": hi, "calibration_eos_argmax_fraction": frac(hi),
            "calibration_eos_argmax_fraction_before": frac(0.0), "heldout_eos_argmax_fraction": heldout}


def rope_check(model):
    """inv_freq actually used vs the unscaled one (llama3 scaling must change some frequencies)."""
    rot = model.model.rotary_emb
    used = rot.inv_freq.detach().clone()
    cfg = model.config
    head_dim = getattr(cfg, "head_dim", None) or cfg.hidden_size // cfg.num_attention_heads
    default = 1.0 / (cfg.rope_theta ** (torch.arange(0, head_dim, 2, dtype=torch.int64).float() / head_dim))
    return {"head_dim": head_dim, "rope_theta": cfg.rope_theta, "rope_scaling": cfg.rope_scaling,
            "attention_scaling": float(rot.attention_scaling),
            "inv_freq_default": default.tolist(), "inv_freq_used": used.tolist(),
            "wavelen_default": (2 * math.pi / default).tolist(),
            "changed": [bool(abs(a - b) > 1e-12 * max(abs(a), 1e-30)) for a, b in zip(default.tolist(), used.tolist())]}


# ----------------------------------------------------------------------------------------------- forward
def forward_golden(model, out_dir, seed):
    g = torch.Generator().manual_seed(seed + 11)
    ids = torch.randint(0, N_ORDINARY, (3, 20), generator=g)
    mask = torch.ones(3, 20, dtype=torch.int64)
    ids[1, :4] = PAD
    mask[1, :4] = 0
    pos = (mask.cumsum(-1) - 1).clamp(min=0)
    with torch.no_grad():
        logits = model(input_ids=ids, attention_mask=mask, position_ids=pos).logits.contiguous()
        alone = model(input_ids=ids[1:2, 4:]).logits[0].contiguous()
    diff = (alone - logits[1, 4:]).abs().max().item()
    assert diff <= TOL, f"padded row 1 differs from running it alone by {diff}"
    save_file({"input_ids": ids.contiguous(), "attention_mask": mask, "position_ids": pos,
               "logits": logits, "logits_unpadded_row1": alone},
              os.path.join(out_dir, "forward.safetensors"),
              metadata={"format": "pt"})   # one key only: safetensors orders several keys at random
    real = logits[mask.bool()]
    top2 = real.topk(2, -1).values
    return {"forward_max_abs_diff_row1_padded_vs_alone": diff,
            "forward_eos_argmax_fraction": (real.argmax(-1) == EOS).float().mean().item(),
            "forward_distinct_argmax": int(real.argmax(-1).unique().numel()),
            "forward_real_positions": int(real.shape[0]),
            "forward_min_top2_margin": (top2[:, 0] - top2[:, 1]).min().item()}


# ----------------------------------------------------------------------------------------------- generate
class Gen:
    def __init__(self, model, tok):
        self.model, self.tok = model, tok
        self.steps = 0
        self.eos_steps = 0

    def run(self, prompts, max_new_tokens, stop_strings):
        """HF greedy generate on a left-padded batch; returns the raw new tokens per row (pads included)."""
        L = max(len(p) for p in prompts)
        ids = torch.tensor([[PAD] * (L - len(p)) + p for p in prompts], dtype=torch.int64)
        mask = torch.tensor([[0] * (L - len(p)) + [1] * len(p) for p in prompts], dtype=torch.int64)
        kw = dict(stop_strings=stop_strings, tokenizer=self.tok) if stop_strings else {}
        with torch.no_grad():
            out = self.model.generate(input_ids=ids, attention_mask=mask, do_sample=False, num_beams=1,
                                      max_new_tokens=max_new_tokens, pad_token_id=PAD, eos_token_id=EOS,
                                      bos_token_id=BOS, use_cache=True, **kw)
        return [r.tolist() for r in out[:, L:]]

    def single(self, prompt, max_new_tokens, stop_strings):
        """One prompt alone -> (outputs without EOS, stopped_by, min top1-top2 margin over the steps)."""
        raw = self.run([prompt], max_new_tokens, stop_strings)[0]
        if EOS in raw:
            new, why = raw[:raw.index(EOS)], "eos"
            assert len(raw) == len(new) + 1
        else:
            new = raw
            matched = False
            if stop_strings:
                crit = StopStringCriteria(tokenizer=self.tok, stop_strings=stop_strings)
                matched = bool(crit(torch.tensor([prompt + new]), None)[0])
            if matched:
                why = "stop_string"
                assert len(new) < max_new_tokens, "stop string completed exactly at the length limit (ambiguous)"
            else:
                why = "length"
                assert len(new) == max_new_tokens, (len(new), max_new_tokens)
        # margins and consistency of the cached generation with one full forward
        full = torch.tensor([prompt + raw])
        with torch.no_grad():
            lg = self.model(input_ids=full).logits[0, len(prompt) - 1:len(prompt) - 1 + len(raw)]
        assert lg.argmax(-1).tolist() == raw, "cached greedy generate != argmax of a full forward"
        top2 = lg.topk(2, -1).values
        margin = (top2[:, 0] - top2[:, 1]).min().item()
        return new, why, margin, len(raw)

    def case(self, name, prompts, max_new_tokens, stop_strings, batched, prompt_texts=None, want=None):
        singles = [self.single(p, max_new_tokens, stop_strings) for p in prompts]
        outputs = [s[0] for s in singles]
        stopped = [s[1] for s in singles]
        if want is not None:
            assert stopped == want, (name, stopped, want)
        if batched:
            assert len(prompts) > 1
            raw = self.run(prompts, max_new_tokens, stop_strings)
            for r, o, p in zip(raw, outputs, prompts):
                got = r[:r.index(EOS)] if EOS in r else r
                assert got == o, f"{name}: batched row {got} != alone {o} (prompt {p})"
        for s in singles:
            self.steps += s[3]
        self.eos_steps += stopped.count("eos")
        c = {"name": name, "prompts": prompts}
        if prompt_texts is not None:
            c["prompt_texts"] = prompt_texts
        c.update({"max_new_tokens": max_new_tokens, "stop_strings": list(stop_strings), "batched": batched,
                  "outputs": outputs, "texts": [dec(self.tok, o) for o in outputs], "stopped_by": stopped,
                  "min_top2_margin": min(s[2] for s in singles)})
        return c


def generate_golden(model, tok, out_dir, seed):
    gen = Gen(model, tok)
    g = torch.Generator().manual_seed(seed + 23)
    texts = [(t, enc(tok, t)) for t in ENGLISH]
    rnd = []
    for _ in range(40):
        n = int(torch.randint(1, 13, (1,), generator=g))
        rnd.append(torch.randint(0, N_ORDINARY, (n,), generator=g).tolist())

    M = 16
    # classify the pools: (prompt, stopped_by, n_new, margin)
    def classify(pool):
        res = []
        for p in pool:
            new, why, margin, _ = gen.single(p, M, [])
            res.append((p, why, len(new), margin, new))
        return res
    ct = classify([p for _, p in texts])
    cr = classify(rnd)
    text_of = {tuple(p): t for t, p in texts}

    def pick(pool, why, used, min_new=0, max_new=99, exclude_len=()):
        for p, w, n, m, new in pool:
            if w == why and min_new <= n <= max_new and m >= MIN_MARGIN and tuple(p) not in used \
                    and len(p) not in exclude_len:
                used.add(tuple(p))
                return p, new
        raise RuntimeError(f"no prompt with stopped_by={why} n_new in [{min_new},{max_new}]")

    used = set()
    cases = []
    tx = lambda ps: [text_of.get(tuple(p)) for p in ps]

    p, _ = pick(ct, "eos", used, min_new=2)
    cases.append(gen.case("single_text_eos", [p], M, [], False, tx([p]), ["eos"]))
    p, _ = pick(ct, "length", used)
    cases.append(gen.case("single_text_length", [p], M, [], False, tx([p]), ["length"]))
    p, _ = pick(cr, "eos", used, min_new=2)
    cases.append(gen.case("single_random_eos", [p], M, [], False, None, ["eos"]))
    p, _ = pick(cr, "length", used)
    cases.append(gen.case("single_random_length", [p], M, [], False, None, ["length"]))
    try:
        p, _ = pick(cr + ct, "eos", used, max_new=0)
        cases.append(gen.case("single_eos_first_token", [p], M, [], False, tx([p]), ["eos"]))
    except RuntimeError:
        print("note: no prompt whose first greedy token is EOS", file=sys.stderr)
    p, _ = pick(ct, "length", used)
    cases.append(gen.case("single_max_new_tokens_1", [p], 1, [], False, tx([p]), ["length"]))
    chat = enc(tok, CHAT)
    assert chat[0] == BOS and SPECIAL["<|eot_id|>"] in chat
    cases.append(gen.case("single_chat_prompt", [chat], M, [], False, [CHAT]))

    # batched, left padded, different lengths, mixed stop reasons
    bt = [pick(ct, "eos", used, min_new=1)[0], pick(ct, "length", used)[0]]
    bt += [pick(ct, "length", used, exclude_len={len(x) for x in bt})[0]]
    bt += [pick(ct, "eos", used, exclude_len={len(x) for x in bt})[0]]
    cases.append(gen.case("batched_text_mixed", bt, M, [], True, tx(bt)))
    br = [pick(cr, "length", used)[0], pick(cr, "eos", used, min_new=1)[0]]
    br += [pick(cr, "length", used, exclude_len={len(x) for x in br})[0]]
    br += [pick(cr, "eos", used, exclude_len={len(x) for x in br})[0]]
    cases.append(gen.case("batched_random_mixed", br, M, [], True))
    assert len({len(x) for x in bt}) > 1 and len({len(x) for x in br}) > 1

    # stop strings: taken from the model's own greedy text, spanning a token boundary with an overhang
    def stop_from(new):
        pieces = [dec(tok, [i]) for i in new]
        for j in range(2, len(pieces) - 2):
            a, b = pieces[j], pieces[j + 1]
            if a.isascii() and b.isascii() and len(a.strip()) >= 1 and len(b) >= 2 and b[0].strip():
                s = a[-2:].lstrip() + b[:1]
                if len(s) >= 2:
                    return s
        return None

    def stop_case(name, pool, batched_with=None):
        for p, w, n, m, new in pool:
            if w != "length" or m < MIN_MARGIN or tuple(p) in used:
                continue
            s = stop_from(new)
            if s is None:
                continue
            new2, why, _, _ = gen.single(p, M, [s])
            if why != "stop_string":
                continue
            used.add(tuple(p))
            prompts = [p] + (batched_with or [])
            return gen.case(name, prompts, M, [s], bool(batched_with), tx(prompts))
        raise RuntimeError("no stop-string case found")

    cases.append(stop_case("single_stop_string_overhang", ct))
    cases.append(gen.case("single_stop_string_absent", [pick(ct, "length", used)[0]], M, ["zqzqz"], False,
                          None, ["length"]))
    cases[-1]["prompt_texts"] = tx(cases[-1]["prompts"])
    # batched stop-string case: one row stops by the string, one by EOS, one by length (absent string "@@@@")
    others = [pick(ct, "eos", used, min_new=1)[0], pick(cr, "length", used)[0]]
    c = stop_case("batched_stop_strings", ct + cr, batched_with=others)
    ss = c["stop_strings"] + ["@@@@"]
    c = gen.case("batched_stop_strings", c["prompts"], M, ss, True, c["prompt_texts"])
    assert set(c["stopped_by"]) == {"stop_string", "eos", "length"}, c["stopped_by"]
    cases.append(c)

    with open(os.path.join(out_dir, "generate.json"), "w") as f:
        json.dump(cases, f, indent=1, ensure_ascii=False)
        f.write("\n")
    n_new = sum(len(o) for c in cases for o in c["outputs"])
    return {"generate_cases": len(cases), "generate_new_tokens": n_new,
            "generate_min_top2_margin": min(c["min_top2_margin"] for c in cases),
            "generate_stopped_by": {k: sum(c["stopped_by"].count(k) for c in cases)
                                    for k in ("eos", "length", "stop_string")},
            "pool_text_stopped_by": {k: [w for _, w, *_ in ct].count(k) for k in ("eos", "length")},
            "pool_random_stopped_by": {k: [w for _, w, *_ in cr].count(k) for k in ("eos", "length")},
            "pool_distinct_greedy_tokens": len({t for _, _, _, _, new in ct + cr for t in new}),
            "pool_eos_step_fraction": sum(w == "eos" for _, w, *_ in ct + cr)
            / sum(n + (w == "eos") for _, w, n, _, _ in ct + cr)}


# ----------------------------------------------------------------------------------------------- loglik
class LMEvalHF:
    """lm-eval's TemplateLM.loglikelihood/_encode_pair + HFLM._loglikelihood_tokens (causal, batch of one,
    or one right-padded batch), reimplemented for a model in memory. See README.md for the commit."""

    def __init__(self, model, tok, max_length):
        self.model, self.tok, self.max_length = model, tok, max_length

    @property
    def prefix_token_id(self):        # HFLM.prefix_token_id (no custom prefix): bos if set, else eos
        return self.tok.bos_token_id if self.tok.bos_token_id is not None else self.tok.eos_token_id

    def tok_encode(self, s):
        return enc(self.tok, s)

    def encode_pair(self, context, continuation):
        n_spaces = len(context) - len(context.rstrip())
        if n_spaces > 0:
            continuation = context[-n_spaces:] + continuation
            context = context[:-n_spaces]
        whole = self.tok_encode(context + continuation)
        ctx = self.tok_encode(context)
        return ctx, whole[len(ctx):]

    def encode(self, context, continuation, prefix_token_id=None):
        prefix = self.prefix_token_id if prefix_token_id is None else prefix_token_id
        if context == "":
            cont = self.tok_encode(continuation)
            return ([prefix], cont) if prefix != cont[0] else (cont[:1], cont[1:])
        return self.encode_pair(context, continuation)

    def inp(self, ctx, cont):
        assert len(ctx) > 0 and len(cont) > 0 and len(cont) <= self.max_length
        return (ctx + cont)[-(self.max_length + 1):][:-1]

    def score_batch(self, reqs):
        """reqs: list of (ctx, cont). One forward of all of them right-padded with 0 (pad_and_concat), no mask."""
        inps = [self.inp(c, x) for c, x in reqs]
        plen = max(len(i) for i in inps)
        batched = torch.tensor([i + [0] * (plen - len(i)) for i in inps], dtype=torch.long)
        with torch.no_grad():
            multi = F.log_softmax(self.model(batched).logits, dim=-1)
        res = []
        for (ctx, cont), lp, i in zip(reqs, multi, inps):
            inplen = len(i)
            ctx_len = inplen + (lp.shape[0] - plen)
            lp = lp[ctx_len - len(cont):ctx_len].unsqueeze(0)
            greedy = lp.argmax(-1)
            ct = torch.tensor(cont, dtype=torch.long).unsqueeze(0)
            max_equal = (greedy[:, -ct.shape[1]:] == ct).all()
            tl = torch.gather(lp, 2, ct.unsqueeze(-1)).squeeze(-1)
            res.append((float(tl.sum()), bool(max_equal), [float(v) for v in tl[0]]))
        return res


def loglik_golden(model, tok, out_dir, seed):
    lm = LMEvalHF(model, tok, max_length=model.config.max_position_embeddings)
    assert lm.prefix_token_id == BOS
    g = torch.Generator().manual_seed(seed + 31)

    # a multi-token continuation that is the model's own greedy output (and re-tokenises to the same ids)
    greedy_req = None
    for ctx in ["The cat sat on the", "Once upon a time", "Hello world", "The answer is", "Summer is",
                "In the beginning", "I like to eat", "To be or not to be"]:
        ids = enc(tok, ctx)
        with torch.no_grad():
            out = model.generate(input_ids=torch.tensor([ids]), attention_mask=torch.ones(1, len(ids), dtype=torch.long),
                                 do_sample=False, max_new_tokens=6, pad_token_id=PAD, eos_token_id=EOS)
        new = out[0, len(ids):].tolist()
        for n in range(len(new), 1, -1):
            cand = new[:n]
            if EOS in cand:
                continue
            text = dec(tok, cand)
            if "\ufffd" in text or not text.strip():
                continue
            c_ids, x_ids = lm.encode(ctx, text)
            if c_ids == ids and x_ids == cand:
                greedy_req = (ctx, text)
                break
        if greedy_req:
            break
    assert greedy_req, "no greedy multi-token continuation that round-trips"

    long_ctx = " ".join(["word%d" % int(i) for i in torch.randint(0, 1000, (200,), generator=g)])
    reqs = [
        ("plain", "The cat sat on the", " mat", None),
        ("trailing_space_moved", "The cat sat on the ", "mat", None),
        ("two_trailing_spaces", "Question: What is 2 + 2?\nAnswer:  ", "4", None),
        ("trailing_newline_moved_then_merged", "Question: What is 2 + 2?\nAnswer:\n", "4", None),
        ("empty_context_bos_prefix", "", "Hello world", None),
        ("empty_context_eot_prefix", "", "Hello world", EOS),
        ("empty_context_continuation_starts_with_prefix", "", "<|startoftext|>Hello world", None),
        ("boundary_merge_quick_brown", "The quick bro", "wn fox", None),
        ("boundary_merge_said_that", "He said th", "at it was", None),
        ("greedy_multi_token", greedy_req[0], greedy_req[1], None),
        ("single_token", "The cat sat on", " the", None),
        ("multi_token_france", "Paris is the capital of", " France", None),
        ("long_continuation", "Once upon a time",
         " there was a little girl who lived in a village near the forest with her grandmother.", None),
        ("special_tokens_in_context", CHAT, "I am a small model.", None),
        ("unicode", "The menu says", " café au lait, crème brûlée", None),
        ("digits", "Numbers: 1, 2, 3,", " 4, 5, 6", None),
        ("code", "def add(a, b):\n", "    return a + b\n", None),
        ("truncated_left_beyond_max_length", long_ctx, " and the end", None),
    ]
    cases = []
    encoded = []
    for name, ctx, cont, prefix in reqs:
        c_ids, x_ids = lm.encode(ctx, cont, prefix)
        encoded.append((c_ids, x_ids))
        ll, greedy, tlp = lm.score_batch([(c_ids, x_ids)])[0]
        case = {"name": name, "context": ctx, "continuation": cont, "context_ids": c_ids,
                "continuation_ids": x_ids, "loglik": ll, "is_greedy": greedy, "token_logprobs": tlp}
        if prefix is not None:
            case["prefix_token_id"] = prefix
        if len(c_ids) + len(x_ids) > lm.max_length + 1:
            case["max_length"] = lm.max_length
        cases.append(case)

    by = {c["name"]: c for c in cases}
    # checks of the rules exercised
    assert by["trailing_space_moved"]["continuation_ids"][0] == enc(tok, " mat")[0]
    assert by["trailing_space_moved"]["context_ids"] == by["plain"]["context_ids"]
    assert by["empty_context_bos_prefix"]["context_ids"] == [BOS]
    assert by["empty_context_eot_prefix"]["context_ids"] == [EOS]
    assert by["empty_context_continuation_starts_with_prefix"]["context_ids"] == [BOS]
    # ":" + "\n" are one token in the whole string, so the moved "\n" is scored nowhere
    assert by["trailing_newline_moved_then_merged"]["continuation_ids"] == enc(tok, "4")
    for n in ("boundary_merge_quick_brown", "boundary_merge_said_that", "trailing_newline_moved_then_merged"):
        c = by[n]
        whole = enc(tok, c["context"] + c["continuation"])
        assert whole[:len(c["context_ids"])] != c["context_ids"], n          # the merge really crosses
        assert whole[len(c["context_ids"]):] == c["continuation_ids"]
    assert by["greedy_multi_token"]["is_greedy"] and len(by["greedy_multi_token"]["continuation_ids"]) >= 2
    assert len(by["single_token"]["continuation_ids"]) == 1
    t = by["truncated_left_beyond_max_length"]
    assert len(t["context_ids"]) + len(t["continuation_ids"]) > lm.max_length + 1
    assert sum(1 for c in cases if c["is_greedy"]) >= 1 and sum(1 for c in cases if not c["is_greedy"]) >= 1

    # one right-padded batch as lm-eval builds it (sorted by descending total length), vs one at a time
    order = sorted(range(len(encoded)), key=lambda i: (-len(encoded[i][0] + encoded[i][1]),
                                                       tuple(encoded[i][0] + encoded[i][1])))
    order = [i for i in order if "max_length" not in cases[i]]
    batch = lm.score_batch([encoded[i] for i in order])
    worst = 0.0
    for i, (ll, gr, tlp) in zip(order, batch):
        c = cases[i]
        assert gr == c["is_greedy"], c["name"]
        d = max(abs(ll - c["loglik"]), *[abs(a - b) for a, b in zip(tlp, c["token_logprobs"])])
        worst = max(worst, d)
        assert d <= TOL * max(1.0, abs(c["loglik"])), f"{c['name']}: batched loglik differs from unbatched by {d}"

    with open(os.path.join(out_dir, "loglik.json"), "w") as f:
        json.dump(cases, f, indent=1, ensure_ascii=False)
        f.write("\n")
    return {"loglik_cases": len(cases), "loglik_batched_vs_unbatched_max_abs_diff": worst,
            "loglik_batch_size": len(order), "loglik_greedy_cases": [c["name"] for c in cases if c["is_greedy"]]}


# ----------------------------------------------------------------------------------------------- main
def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tokenizer", default=DEFAULT_TOKENIZER)
    ap.add_argument("--out", default=HERE)
    a = ap.parse_args()
    torch.set_num_threads(1)
    tok = load_tokenizer(a.tokenizer)
    summary = {"transformers": transformers.__version__, "torch": torch.__version__}
    for name, cls, make_cfg, seed, head_std, branch_gain in MODELS:
        torch.manual_seed(seed)                 # HF's own init (overwritten below)
        cfg = make_cfg()
        model = cls(cfg).eval()
        assert model.config._attn_implementation == "eager"
        reinit(model, seed, head_std, branch_gain)
        if cfg.tie_word_embeddings:
            assert model.lm_head.weight.data_ptr() == model.model.embed_tokens.weight.data_ptr()
        s = {"params": sum(p.numel() for p in model.parameters()), "head_std": head_std, "branch_gain": branch_gain}
        s.update(calibrate_eos(model, seed))
        rc = rope_check(model)
        s["rope_changed"] = rc["changed"]
        if name == "llama-tiny":
            assert any(rc["changed"]) and not all(rc["changed"]), rc
        else:
            assert not any(rc["changed"])
        d = os.path.join(a.out, name)
        os.makedirs(os.path.join(d, "expected"), exist_ok=True)
        model.save_pretrained(d, safe_serialization=True)
        # reload from disk: the goldens are computed with exactly what was written
        model = cls.from_pretrained(d, attn_implementation="eager", dtype=torch.float32).eval()
        with open(os.path.join(d, "expected", "rope.json"), "w") as f:
            json.dump(rc, f, indent=1)
            f.write("\n")
        s.update(forward_golden(model, os.path.join(d, "expected"), seed))
        s.update(generate_golden(model, tok, os.path.join(d, "expected"), seed))
        s.update(loglik_golden(model, tok, os.path.join(d, "expected"), seed))
        summary[name] = s
    print(json.dumps(summary, indent=1))


if __name__ == "__main__":
    main()
