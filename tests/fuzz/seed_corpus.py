#!/usr/bin/python3
"""Writes the seed corpus of one fuzz target from the goldens, data and presets (never copied into
the repository: made at test time). Usage: seed_corpus.py TARGET OUT_DIR SOURCE_DIR SHARED_DIR.
Standard library only; run with Debian's /usr/bin/python3."""
import glob
import json
import os
import struct
import sys

target, out, source, shared = sys.argv[1:5]
os.makedirs(out, exist_ok=True)
count = 0


def seed(data):
    global count
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(out, f"seed-{count:04d}"), "wb") as f:
        f.write(data)
    count += 1


def read(path):
    with open(path, "rb") as f:
        return f.read()


def first_lines(pattern, n):
    lines = []
    for path in sorted(glob.glob(pattern, recursive=True)):
        with open(path, encoding="utf-8") as f:
            for i, line in enumerate(f):
                if i >= n:
                    break
                lines.append(line.rstrip("\n"))
    return lines


def safetensors_header(path):
    blob = read(path)
    (n,) = struct.unpack("<Q", blob[:8])
    return json.loads(blob[8:8 + n])


def small_safetensors(header, keep):
    """The header's first tensors with tiny shapes and zero data: real names, dtypes, metadata."""
    sizes = {"F32": 4, "F16": 2, "BF16": 2, "I64": 8, "I32": 4, "BOOL": 1, "U8": 1, "F64": 8}
    out_header, offset = {}, 0
    if "__metadata__" in header:
        out_header["__metadata__"] = header["__metadata__"]
    for name in [k for k in header if k != "__metadata__"][:keep]:
        entry = header[name]
        shape = [2] * min(2, len(entry["shape"]))
        nbytes = sizes[entry["dtype"]] * (4 if len(shape) == 2 else 2 if shape else 1)
        out_header[name] = {"dtype": entry["dtype"], "shape": shape, "data_offsets": [offset, offset + nbytes]}
        offset += nbytes
    text = json.dumps(out_header, separators=(",", ":")).encode()
    return struct.pack("<Q", len(text)) + text + bytes(offset)


golden = os.path.join(shared, "golden")
data = os.path.join(shared, "data")
if target == "fuzz_safetensors":
    for path in sorted(glob.glob(f"{golden}/**/*.safetensors", recursive=True)):
        header = safetensors_header(path)
        for keep in (1, 3, 8):
            seed(small_safetensors(header, keep))
        if os.path.getsize(path) < 128 * 1024:
            seed(read(path))
elif target == "fuzz_safetensors_index":
    for path in sorted(glob.glob(f"{golden}/**/*.index.json", recursive=True)):
        seed(read(path))
elif target == "fuzz_model_config":
    for path in sorted(glob.glob(f"{golden}/checkpoints/*/config.json")):
        seed(read(path))
elif target == "fuzz_tokenizer_json":
    for path in sorted(glob.glob(f"{golden}/tokenizers/tiny/**/*.json", recursive=True)):
        if "config" not in os.path.basename(path):
            seed(read(path))
elif target == "fuzz_tokenizer_text":
    for path in sorted(glob.glob(f"{source}/tests/unit/expected_prompts/*.json"))[:40]:
        prompt = json.loads(read(path))
        seed("".join(prompt.get("contexts", [])[:1])[:2000])
    for line in first_lines(f"{data}/gsm8k/test.jsonl", 10):
        seed(json.loads(line)["question"])
    seed(b"\xff\xfe<|mask|>\xc3\x28 caf\xc3\xa9 \xf0\x9f\x98\x80\n\n\t  x")
elif target == "fuzz_chat_template":
    messages = [
        [{"role": "user", "content": "What is 2+2?"}],
        [{"role": "system", "content": "Be brief."}, {"role": "user", "content": " hi "},
         {"role": "assistant", "content": "<think>\nhmm\n</think>\n\nhello"}, {"role": "user", "content": "again"}],
        [],
    ]
    templates = []
    for path in sorted(glob.glob(f"{golden}/**/tokenizer_config.json", recursive=True)):
        config = json.loads(read(path))
        if isinstance(config.get("chat_template"), str):
            templates.append(config["chat_template"])
    templates += [read(path).decode() for path in sorted(glob.glob(f"{source}/tests/unit/chat_templates/*.jinja"))]
    templates.append("")
    for t in templates:
        for m in messages:
            seed(t.encode() + b"\0" + json.dumps(m).encode())
elif target == "fuzz_jsonl_readers":
    lines = [
        '{"doc_id": "0", "completion": "The answer is 4."}',
        '{"doc_id": "1", "completions": ["a", "b"]}',
        '{"doc_id": "2", "loglik": [-1.5, -0.25, -3.0]}',
        '{"prompt_ids": [1, 2, 3], "protocol": {"steps": 4, "gen_length": 4, "block_length": 4}, "seed": 3}',
        '{"prompt_ids": [[5, 6], [7, 8]], "attention_mask": [[0, 1], [1, 1]]}',
        '{"prompt_ids": [1, 2], "answer_ids": [3], "protocol": {"estimator": "mc", "mc_num": 8}, "seed": 1}',
        '{"doc_id": "3", "doc_index": 0, "task": "gsm8k", "protocol": "p", "protocol_fingerprint": "ab",'
        ' "resps": ["x"], "filtered_resps": ["x"], "metrics": {"exact_match": 1.0}, "seed": 5}',
    ]
    for i in range(len(lines)):
        seed("\n".join(lines[i:i + 3]) + "\n")
    seed(lines[0])  # no final newline: a torn last line
elif target == "fuzz_protocols":
    for path in sorted(glob.glob(f"{source}/presets/protocols/**/*.json", recursive=True)):
        seed(read(path))
    seed('{"base": {"sampler": "llada"}, "axes": {"steps": [8, 16], "block_length": [4, 8]}}')
elif target == "fuzz_suite":
    for path in sorted(glob.glob(f"{source}/presets/suites/*.json")):
        seed(read(path))
elif target == "fuzz_answer_extraction":
    for i, line in enumerate(first_lines(f"{data}/gsm8k/test.jsonl", 8)):
        seed(bytes([0, i]) + json.loads(line)["answer"].encode())
    for i, text in enumerate(["Let's think step by step. So the answer is (B).", "the answer is 1,234.50.",
                              "A: True", "So the answer is apple banana cherry.", "(C) maybe", "] ) } >"]):
        seed(bytes([i + 1, i]) + text.encode())
elif target == "fuzz_task_file":
    for path in sorted(glob.glob(f"{source}/tasks/definitions/*")):
        seed(read(path))
    seed("name: strict-match\nfilter:\n  - function: regex\n    regex_pattern: \"#### (\\\\-?[0-9\\\\.\\\\,]+)\"\n"
         "  - function: take_first\n")
    seed("{name: v, filter: [{function: lowercase}, {function: majority_vote}, {function: map, mapping_dict: {a: b}}]}")
    seed("['a', \"it's\", '\\n\\x0b\\u200b', 1, -2.5, True, None, ('t',), {'k': [1]}]")
    seed("(-?[$0-9.,]{2,})|(-?[0-9]+)")
    seed("(?P<n>\\w+)@\\g<n>\\Z")
else:
    sys.exit(f"seed_corpus.py: unknown target {target}")
print(f"{target}: {count} seeds in {out}")
