#!/usr/bin/env python3
"""Reference timing of one BERT finetuning step in PyTorch + Hugging Face transformers.

The side-by-side partner of `mixout bench step`: it reads the same batches file
(written by `mixout bench batches`), loads the same model folder with
`BertForSequenceClassification.from_pretrained(dir, num_labels=2)` (the new head
initialised N(0, 0.02^2) as transformers does), and times the same training step:

    forward -> cross-entropy -> backward -> clip_grad_norm_(1.0) -> AdamW.step -> zero_grad

for three variants, interleaved per rep exactly like the Rust side:

- `plain`:   every dropout off, no mixout;
- `dropout`: the model's own dropout (0.1 in config.json), as a stock transformers script;
- `mixout`:  dropout off, mixout(w_pre, p) on every linear weight of the encoder except
             the FFN `intermediate.dense` (the paper's preset; the pooler is included, as
             in the Rust `paper` preset), written from the spec (mixout-spec.md §1-2):
             per step a neuron mask M ~ Bernoulli(1-p) of shape [1, in] per weight;
             before the forward, under no_grad, W~ = u + M*(w-u)/(1-p) is written into
             the weight; after the backward w is restored and its gradient multiplied by
             M/(1-p) (the exact derivative), before clipping.

Each timed step covers everything above (mask draw and swap included) and is measured
with time.perf_counter; on CUDA after torch.cuda.synchronize() at both ends, since the
kernels run asynchronously.

Devices and precisions (`--device cpu|cuda|cuda:N`, `--precision fp32|tf32|bf16`), set
as a stock PyTorch script sets them:

- `fp32`: TF32 off (torch.backends.cuda.matmul.allow_tf32 = cudnn.allow_tf32 = False);
- `tf32`: TF32 on for matmuls and cuDNN (a CUDA feature: on the CPU this is plain fp32);
- `bf16`: torch.autocast(device_type, dtype=torch.bfloat16) around forward and loss;
  weights, gradients, mixout and AdamW stay fp32 (no grad scaler: bf16 needs none).

Output: JSON in the layout of `mixout bench step`:

    {"variants": {"plain": {"median_s", "p10_s", "p90_s", "steps", "times_s"}, ...}, ...}

Run it with the project venv's python (torch 2.11.0, transformers 4.44.2), or on a GPU
machine with its own torch and transformers (4.x or 5.x both work); the model is loaded
from the local folder only (HF_HUB_OFFLINE=1 is set here too).
"""

import argparse
import contextlib
import json
import os
import platform
import statistics
import sys
import time

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import torch  # noqa: E402
import transformers  # noqa: E402
from transformers import BertForSequenceClassification  # noqa: E402

VARIANTS = ("plain", "dropout", "mixout")


def quantile(xs, q):
    """Linear-interpolation quantile (numpy's default), q in [0, 1]."""
    s = sorted(xs)
    if not s:
        return float("nan")
    pos = q * (len(s) - 1)
    lo = int(pos)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (pos - lo)


def is_mixed(name, param):
    """The paper's preset: 2-D encoder linear weights (pooler included), minus intermediate.dense."""
    if param.dim() != 2 or not name.endswith(".weight"):
        return False
    if name.startswith("classifier.") or "embeddings" in name or "LayerNorm" in name:
        return False
    return "intermediate.dense" not in name


class Mixout:
    """mixout(u, p) by neuron on a set of weights, applied by swapping values in place."""

    def __init__(self, model, p):
        if not 0.0 <= p < 1.0:
            raise SystemExit(f"mixout p = {p} is outside [0, 1)")
        self.p = p
        self.params = [(n, w) for n, w in model.named_parameters() if is_mixed(n, w)]
        # u: the weights as loaded, a frozen copy taken before training.
        self.targets = [w.detach().clone() for _, w in self.params]
        self.saved = [None] * len(self.params)
        self.scales = [None] * len(self.params)

    @torch.no_grad()
    def mix(self):
        keep = 1.0 - self.p
        for i, ((_, w), u) in enumerate(zip(self.params, self.targets)):
            mask = torch.empty((1, w.shape[1]), dtype=w.dtype, device=w.device).bernoulli_(keep)
            scale = mask.div_(keep)  # M / (1-p), [1, in], broadcast over rows
            self.saved[i] = w.detach().clone()
            # W~ = u + M (w - u) / (1-p), written into w's storage.
            w.sub_(u).mul_(scale).add_(u)
            self.scales[i] = scale

    @torch.no_grad()
    def unmix(self):
        for i, (_, w) in enumerate(self.params):
            w.copy_(self.saved[i])
            if w.grad is not None:
                # dL/dw = M/(1-p) * dL/dW~
                w.grad.mul_(self.scales[i])
            self.saved[i] = None
            self.scales[i] = None


def load_model(model_dir, dropout, seed, device):
    torch.manual_seed(seed)  # same head initialisation for every variant
    kwargs = {}
    if not dropout:
        kwargs = {"hidden_dropout_prob": 0.0, "attention_probs_dropout_prob": 0.0}
    model = BertForSequenceClassification.from_pretrained(
        model_dir, num_labels=2, local_files_only=True, **kwargs
    )
    # fp32 master weights whatever the checkpoint's dtype (transformers 5 loads the
    # checkpoint's own dtype by default, 4.x fp32); bf16 is autocast's business.
    model.to(device=device, dtype=torch.float32)
    model.train()
    return model


def set_precision(precision, device):
    """The TF32 switches as a stock script sets them; returns the autocast context of a step."""
    if device.type == "cuda":
        tf32 = precision == "tf32"
        torch.backends.cuda.matmul.allow_tf32 = tf32
        torch.backends.cudnn.allow_tf32 = tf32
    if precision == "bf16":
        return lambda: torch.autocast(device_type=device.type, dtype=torch.bfloat16)
    return contextlib.nullcontext


def sync(device):
    """CUDA kernels run asynchronously: without this a timer would measure the launches."""
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def make_optimizer(model, args):
    # The usual BERT exclusions: no decay on biases and LayerNorm weights.
    decay, no_decay = [], []
    for n, w in model.named_parameters():
        (no_decay if n.endswith(".bias") or "LayerNorm" in n else decay).append(w)
    groups = [
        {"params": decay, "weight_decay": args.weight_decay},
        {"params": no_decay, "weight_decay": 0.0},
    ]
    return torch.optim.AdamW(groups, lr=args.lr, eps=args.eps, betas=(0.9, 0.999))


class Variant:
    def __init__(self, name, args, device, autocast):
        self.name = name
        self.device = device
        self.autocast = autocast
        self.model = load_model(args.model, dropout=(name == "dropout"), seed=args.seed, device=device)
        self.opt = make_optimizer(self.model, args)
        self.mixout = Mixout(self.model, args.p) if name == "mixout" else None
        self.clip = args.clip
        self.times = []
        self.losses = []

    def step(self, batch):
        sync(self.device)
        t0 = time.perf_counter()
        if self.mixout is not None:
            self.mixout.mix()
        with self.autocast():
            out = self.model(
                input_ids=batch["input_ids"],
                token_type_ids=batch["token_type_ids"],
                attention_mask=batch["attention_mask"],
            )
            loss = torch.nn.functional.cross_entropy(out.logits, batch["labels"])
        loss.backward()
        if self.mixout is not None:
            self.mixout.unmix()
        torch.nn.utils.clip_grad_norm_(self.model.parameters(), self.clip)
        self.opt.step()
        self.opt.zero_grad(set_to_none=True)
        sync(self.device)
        dt = time.perf_counter() - t0
        return dt, float(loss.detach())  # read after the timer: the host wait is not counted


def read_batches(path, device):
    """The batches, already on the device (the copies are not part of a step)."""
    with open(path) as f:
        doc = json.load(f)
    batches = []
    for b in doc["batches"]:
        batches.append(
            {
                k: torch.tensor(b[k], dtype=torch.long, device=device)
                for k in ("input_ids", "token_type_ids", "attention_mask", "labels")
            }
        )
    if not batches:
        raise SystemExit(f"{path}: no batches")
    return doc, batches


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", required=True, help="model folder (config.json + model.safetensors)")
    ap.add_argument("--batches-file", required=True, help="JSON from `mixout bench batches`")
    ap.add_argument("--reps", type=int, default=3, help="passes over the batches per variant (timed)")
    ap.add_argument("--warmup", type=int, default=2, help="untimed steps per variant before timing")
    ap.add_argument("--threads", type=int, default=os.cpu_count(), help="torch intra-op threads")
    ap.add_argument("--variants", default=",".join(VARIANTS), help="comma-separated subset of plain,dropout,mixout")
    ap.add_argument("--device", default="cpu", help="cpu, cuda or cuda:N")
    ap.add_argument("--precision", default="fp32", choices=("fp32", "tf32", "bf16"))
    ap.add_argument("--p", type=float, default=0.9, help="mixout probability")
    ap.add_argument("--lr", type=float, default=2e-5)
    ap.add_argument("--eps", type=float, default=1e-6)
    ap.add_argument("--weight-decay", type=float, default=0.01)
    ap.add_argument("--clip", type=float, default=1.0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--json", help="write the result here (default: stdout only)")
    ap.add_argument("--quiet", action="store_true")
    args = ap.parse_args()

    variants = [v.strip() for v in args.variants.split(",") if v.strip()]
    for v in variants:
        if v not in VARIANTS:
            raise SystemExit(f"unknown variant {v!r} (known: {', '.join(VARIANTS)})")
    if args.reps < 1:
        raise SystemExit("--reps must be at least 1")
    device = torch.device(args.device)
    if device.type == "cuda" and not torch.cuda.is_available():
        raise SystemExit(f"--device {args.device}: torch {torch.__version__} sees no CUDA device")
    if device.type == "cuda" and device.index is None:
        device = torch.device("cuda", torch.cuda.current_device())
    torch.set_num_threads(max(1, args.threads))
    transformers.logging.set_verbosity_error()
    autocast = set_precision(args.precision, device)

    doc, batches = read_batches(args.batches_file, device)
    log = (lambda *a: None) if args.quiet else (lambda *a: print(*a, file=sys.stderr, flush=True))

    t_load = time.perf_counter()
    runners = [Variant(v, args, device, autocast) for v in variants]
    t_load = time.perf_counter() - t_load
    attn = getattr(runners[0].model.config, "_attn_implementation", None)
    gpu = torch.cuda.get_device_name(device) if device.type == "cuda" else None
    log(
        f"reference: {args.model}, {len(batches)} batches, torch {torch.__version__}, "
        f"transformers {transformers.__version__}, device {device}{f' ({gpu})' if gpu else ''}, "
        f"precision {args.precision}, {torch.get_num_threads()} threads, attention {attn}, "
        f"mixed weights {next((len(r.mixout.params) for r in runners if r.mixout), 0)}"
    )

    # Warm-up: untimed steps on the first batches.
    for r in runners:
        for i in range(args.warmup):
            r.step(batches[i % len(batches)])

    # Timed: per rep, each variant in turn over all batches (interleaved like the Rust side).
    for rep in range(args.reps):
        for r in runners:
            for b in batches:
                dt, loss = r.step(b)
                r.times.append(dt)
                r.losses.append(loss)
            log(f"  rep {rep + 1}/{args.reps} {r.name:8s} median so far {statistics.median(r.times):.3f} s")

    result = {
        "variants": {
            r.name: {
                "median_s": statistics.median(r.times),
                "p10_s": quantile(r.times, 0.1),
                "p90_s": quantile(r.times, 0.9),
                "mean_s": statistics.fmean(r.times),
                "steps": len(r.times),
                "times_s": r.times,
                "last_loss": r.losses[-1],
            }
            for r in runners
        },
        "implementation": "pytorch+transformers",
        "model": args.model,
        "batches_file": args.batches_file,
        "batches": len(batches),
        "batch_size": doc.get("batch_size"),
        "tokens_per_batch": [int(b["input_ids"].numel()) for b in batches],
        "real_tokens_per_batch": [int(b["attention_mask"].sum()) for b in batches],
        "device": str(device),
        "precision": args.precision,
        "gpu": gpu,
        "cuda": torch.version.cuda,
        "allow_tf32": bool(torch.backends.cuda.matmul.allow_tf32) if device.type == "cuda" else None,
        "reps": args.reps,
        "warmup": args.warmup,
        "threads": torch.get_num_threads(),
        "mixout_p": args.p,
        "mixed_weights": next((len(r.mixout.params) for r in runners if r.mixout), 0),
        "attn_implementation": attn,
        "load_s": t_load,
        "torch": torch.__version__,
        "transformers": transformers.__version__,
        "python": platform.python_version(),
    }
    text = json.dumps(result, indent=1)
    if args.json:
        with open(args.json, "w") as f:
            f.write(text + "\n")
    for name, v in result["variants"].items():
        log(f"{name:8s} median {v['median_s']:.3f} s  p10 {v['p10_s']:.3f}  p90 {v['p90_s']:.3f}  ({v['steps']} steps)")
    if not args.json:
        print(text)


if __name__ == "__main__":
    main()
