"""LLM drafting speed: tokens per second of ``LlmEngine`` beside bare ``model.generate`` on the same model and
prompt, measured in the same run.

    .venv/bin/python bench/llm_tokens.py [--model PATH] [--adapter PATH] [--4bit] [--tokens 128] [--repeats 5] [--threads N]

``--model`` is a local directory saved with ``save_pretrained`` (e.g. a copy of Qwen2.5-0.5B-Instruct).
Without it, a tiny random Qwen2 (hidden 32, 2 layers) is built into a temporary directory: a stand-in that
shows the engine's overhead per token, not the speed of a real model. CUDA when present, the CPU otherwise.
  * ours: ``LlmEngine.generate_batch`` for one home listing, tone "warm", seed 0: the prompt from the facts
    through the chat template, sampling, decoding, reasoning stripped;
  * baseline: ``model.generate`` on the engine's model with the same prompt ids, sampling settings and seed,
    so both sample the same tokens (checked: the baseline's decoded text must equal ours);
  * tokens: the new tokens up to the end-of-sequence token (at most ``--tokens``), counted on the baseline.
One warm-up each, then rounds alternate ours / baseline; the medians and their ratio are printed. Not part of
the test run.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script from anywhere
from descriptions.engines.llm import (
    LanguageModel,
    LlmEngine,
    pad_token_id,
    reply_text,
    rng_devices,
    stop_token_ids,
)
from descriptions.engines.tiny import tiny_model_save
from descriptions.facts import ListingFacts
from descriptions.prompts import description_prompt_ids

FACTS = ListingFacts(kind="home", offer="sale", price=250000.0, city="Ponce", state="PR", bed=3, bath=2.0,
                     house_size=1500, acre_lot=0.12)
TONE = "warm"
SEED = 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--model", type=Path, help="local model directory (default: a tiny random stand-in)")
    parser.add_argument("--adapter", type=Path, help="LoRA adapter directory")
    parser.add_argument("--4bit", dest="four_bit", action="store_true", help="4-bit NF4 (CUDA and bitsandbytes)")
    parser.add_argument("--tokens", type=int, default=128, help="max new tokens (default %(default)s)")
    parser.add_argument("--repeats", type=int, default=5, help="alternating rounds (default %(default)s)")
    parser.add_argument("--threads", type=int, default=0, help="torch threads (default: torch's own choice)")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    with tempfile.TemporaryDirectory() as scratch:
        model_path = args.model
        if model_path is None:
            model_path = tiny_model_save(Path(scratch) / "tiny")
            print("no --model: a tiny random Qwen2 stand-in (hidden 32, 2 layers); its speed is the engine's "
                  "overhead, not a real model's")
        engine = LlmEngine(model_path=model_path, adapter_path=args.adapter, use_4bit=args.four_bit,
                           max_new_tokens=args.tokens)
        started = time.perf_counter()
        loaded = engine.load()
        print(f"torch {torch.__version__}, device {loaded.device}, {torch.get_num_threads()} threads, "
              f"model {model_path}, loaded in {time.perf_counter() - started:.1f} s"
              f"{' (4-bit)' if loaded.four_bit else ''}")
        run(engine, loaded, repeats=args.repeats)


def run(engine: LlmEngine, loaded: LanguageModel, *, repeats: int) -> None:
    prompt = description_prompt_ids(loaded.tokenizer, FACTS, tone=TONE)
    ours_text = engine.generate_batch([FACTS], tone=TONE, seed=SEED)[0]  # warm-up
    tokens, baseline_text = bare_generate(engine, loaded, prompt)
    print(f"prompt {len(prompt)} tokens, reply {tokens} tokens; same text as the baseline: "
          f"{'yes' if ours_text == baseline_text else 'NO'}")
    ours: list[float] = []
    baseline: list[float] = []
    for round_index in range(repeats):
        ours.append(tokens / timed(lambda: engine.generate_batch([FACTS], tone=TONE, seed=SEED), loaded.device))
        baseline.append(tokens / timed(lambda: bare_generate(engine, loaded, prompt), loaded.device))
        print(f"round {round_index + 1}: ours {ours[-1]:.1f} tokens/s, baseline {baseline[-1]:.1f} tokens/s")
    print(f"median: ours {statistics.median(ours):.1f} tokens/s, bare model.generate "
          f"{statistics.median(baseline):.1f} tokens/s, ratio {statistics.median(ours) / statistics.median(baseline):.2f}")


def bare_generate(engine: LlmEngine, loaded: LanguageModel, prompt: list[int]) -> tuple[int, str]:
    """(new tokens up to the end-of-sequence token, their text as the engine would return it)."""
    sampling = engine.sampling
    stops = stop_token_ids(loaded.model, loaded.tokenizer)
    input_ids = torch.tensor([prompt], device=loaded.device)
    with torch.inference_mode(), torch.random.fork_rng(devices=rng_devices(loaded.device)):
        torch.manual_seed(SEED)
        output = loaded.model.generate(
            input_ids=input_ids, attention_mask=torch.ones_like(input_ids), do_sample=True,
            temperature=sampling.temperature, top_p=sampling.top_p, repetition_penalty=sampling.repetition_penalty,
            max_new_tokens=sampling.max_new_tokens, pad_token_id=pad_token_id(loaded.tokenizer), eos_token_id=stops,
        )
    new = output[0, len(prompt):].tolist()
    count = next((index for index, token in enumerate(new) if token in stops), len(new))
    return count, reply_text(loaded.tokenizer, new, stops=set(stops))


def timed(work: Callable[[], object], device: torch.device) -> float:
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    started = time.perf_counter()
    work()
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    return time.perf_counter() - started


if __name__ == "__main__":
    main()
