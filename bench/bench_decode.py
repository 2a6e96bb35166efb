"""Step time of the included decode loop with and without a grammar, and how much of the mask
fill the overlap hides. CPU by default; the model is the demo's tiny random Llama with GPT-2's
50k-token vocabulary (xgrammar/demo.py), the grammar the demo's JSON schema.

    python bench/bench_decode.py --batches 1,16 --repeats 3 [--threads 1] [--device cuda] [--ebnf]

``--ebnf`` compiles the same documents from an EBNF grammar (xgrammar.demo.DEMO_EBNF) instead of
the schema, to measure the loop without the JSON Schema front end.

For each batch size three runs decode the same number of steps: without a grammar (the
baseline), with the grammar and the mask filled during the forward (overlap), and with the mask
filled before it (sequential). Each row gives medians over --repeats runs of the per-step
times: the whole step, the forward, the mask fill, the part of the fill left on the critical
path (exposed), and the grammar's overhead over the baseline.
"""

import argparse
import statistics
import sys

import torch

from xgrammar.demo import DEMO_EBNF, build_tiny_llama, prepare_demo
from xgrammar.integrations import SamplingParams, generate


def per_step_ms(stats):
    steps = max(stats.steps, 1)
    return {
        "step": stats.step_seconds / steps * 1e3,
        "forward": stats.forward_seconds / steps * 1e3,
        "mask": stats.mask_seconds / steps * 1e3,
        "exposed": stats.mask_wait_seconds / steps * 1e3,
        "tokens/step": (stats.sampled_tokens + stats.forced_tokens) / steps,
    }


def median_of(runs, key):
    return statistics.median(run[key] for run in runs)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", default="1,16")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=0, help="torch threads (0: default)")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--max-new-tokens", type=int, default=160)
    parser.add_argument("--ebnf", action="store_true", help="use DEMO_EBNF, not the schema")
    arguments = parser.parse_args(argv)
    if arguments.threads:
        torch.set_num_threads(arguments.threads)

    setup = prepare_demo(ebnf=DEMO_EBNF if arguments.ebnf else None)
    model = build_tiny_llama(seed=0).to(arguments.device)
    prompt = setup.tokenizer.encode("A game character as JSON:", add_special_tokens=False)
    print(f"device {arguments.device}, torch threads {torch.get_num_threads()}, "
          f"vocab 50304, grammar {'DEMO_EBNF' if arguments.ebnf else 'DEMO_SCHEMA'}, "
          f"medians of {arguments.repeats} runs, ms per decode step")  # fmt: skip
    print(f"{'batch':>5} {'mode':>10} {'steps':>5} {'tok/step':>8} {'step':>8} {'forward':>8} "
          f"{'mask':>7} {'exposed':>8} {'hidden':>7} {'overhead':>9}")  # fmt: skip
    for batch in map(int, arguments.batches.split(",")):
        prompts = [prompt] * batch
        generate(model, setup.compiled_grammar, prompts, max_new_tokens=8)  # warm up
        runs = {"grammar": [], "sequential": [], "no grammar": []}
        for repeat in range(arguments.repeats):
            sampling = SamplingParams(temperature=1.0, seed=repeat)
            common = dict(sampling=sampling, max_new_tokens=arguments.max_new_tokens)
            overlapped = generate(
                model, setup.compiled_grammar, prompts, tokenizer=setup.tokenizer, **common
            )
            sequential = generate(
                model,
                setup.compiled_grammar,
                prompts,
                tokenizer=setup.tokenizer,
                overlap=False,
                **common,
            )
            baseline = generate(
                model, None, prompts, sampling=sampling, max_new_tokens=overlapped.stats.steps
            )
            runs["grammar"].append(
                per_step_ms(overlapped.stats) | {"steps": overlapped.stats.steps}
            )
            runs["sequential"].append(
                per_step_ms(sequential.stats) | {"steps": sequential.stats.steps}
            )
            runs["no grammar"].append(per_step_ms(baseline.stats) | {"steps": baseline.stats.steps})
        baseline_step = median_of(runs["no grammar"], "step")
        for mode, mode_runs in runs.items():
            mask, exposed = median_of(mode_runs, "mask"), median_of(mode_runs, "exposed")
            hidden = f"{100 * (1 - exposed / mask):6.0f}%" if mask else "      -"
            step = median_of(mode_runs, "step")
            print(f"{batch:>5} {mode:>10} {median_of(mode_runs, 'steps'):>5.0f} "
                  f"{median_of(mode_runs, 'tokens/step'):>8.2f} {step:>8.2f} "
                  f"{median_of(mode_runs, 'forward'):>8.2f} {mask:>7.2f} {exposed:>8.3f} "
                  f"{hidden} {step - baseline_step:>+9.2f}", flush=True)  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
