#!/usr/bin/env python3
"""T5 of the GPU proof: PyTorch under libvgpu with its three allocator modes.

Each mode runs in a fresh interpreter; prints figures next to thresholds.
Skips cleanly (exit 0 with SKIP) when torch or a GPU is missing.
Usage: torch_checks.py LIMIT_MIB
"""
import os
import subprocess
import sys

CHILD = r"""
import sys, torch
limit = int(sys.argv[1])
free, total = torch.cuda.mem_get_info()
chunks, oom = [], "none"
try:
    while True:
        chunks.append(torch.empty(64 << 20, dtype=torch.uint8, device="cuda"))
except torch.OutOfMemoryError:
    oom = "OutOfMemoryError"
except RuntimeError as e:
    oom = "RuntimeError:" + str(e)[:60].replace(" ", "_")
print(f"total_mib={total >> 20} obtained_mib={len(chunks) * 64} exception={oom}")
"""


def main() -> int:
    limit = int(sys.argv[1]) if len(sys.argv) > 1 else 4096
    try:
        import torch  # noqa: F401
        if not torch.cuda.is_available():
            print("SKIP: no GPU visible to torch")
            return 0
    except ImportError:
        print("SKIP: torch not installed")
        return 0
    failures = 0
    modes = {"default": "", "expandable": "expandable_segments:True",
             "cudaMallocAsync": "backend:cudaMallocAsync"}
    for name, conf in modes.items():
        env = dict(os.environ, PYTORCH_CUDA_ALLOC_CONF=conf)
        out = subprocess.run([sys.executable, "-c", CHILD, str(limit)], env=env,
                             capture_output=True, text=True, timeout=120).stdout
        kv = dict(t.split("=", 1) for t in out.split() if "=" in t)
        ok_total = kv.get("total_mib") == str(limit)
        ok_exc = kv.get("exception") == "OutOfMemoryError"
        ok_bytes = int(kv.get("obtained_mib", 0)) <= limit
        for label, ok, value, want in (
                ("mem_get_info total MiB", ok_total, kv.get("total_mib"), f"== {limit}"),
                ("exception", ok_exc, kv.get("exception"), "== OutOfMemoryError"),
                ("obtained MiB", ok_bytes, kv.get("obtained_mib"), f"<= {limit}")):
            print(f"  {'PASS' if ok else 'FAIL'} T5 {name} {label:28s} {value}  ({want})")
            failures += not ok
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
