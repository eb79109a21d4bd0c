#!/usr/bin/env python3
"""Checks the e2e harness's own judgement: allocation parsing and over-commit
detection must catch what they exist to catch."""
import sys

from harness import Failure, check_no_overcommit, parse_allocated


def pod(name, node, alloc):
    return {"metadata": {"name": name, "annotations": {"hami.io/vgpu-devices-allocated": alloc,
                                                       "hami.io/vgpu-node": node}},
            "spec": {"nodeName": node}}


def expect_failure(pods, gpus, what):
    try:
        check_no_overcommit(pods, gpus)
    except Failure as e:
        print(f"ok: {what}: {e}")
        return
    print(f"FAIL: {what} not detected")
    sys.exit(1)


gpus = {"GPU-n1-0": (8000, 2), "GPU-n1-1": (8000, 2)}
assert parse_allocated("GPU-a,NVIDIA,100,5:GPU-b,NVIDIA,200,0:;;") == [
    [("GPU-a", "NVIDIA", 100, 5), ("GPU-b", "NVIDIA", 200, 0)]]
assert parse_allocated("GPU-a,NVIDIA,100,5:;GPU-b,NVIDIA,1,0:;") == [
    [("GPU-a", "NVIDIA", 100, 5)], [("GPU-b", "NVIDIA", 1, 0)]]
use = check_no_overcommit([pod("a", "n1", "GPU-n1-0,NVIDIA,4000,50:;"),
                           pod("b", "n1", "GPU-n1-0,NVIDIA,4000,50:;")], gpus)
assert use == {"GPU-n1-0": (2, 8000, 100)}, use
expect_failure([pod("a", "n1", "GPU-n1-0,NVIDIA,5000,0:;"), pod("b", "n1", "GPU-n1-0,NVIDIA,4000,0:;")],
               gpus, "memory over-commit")
expect_failure([pod("a", "n1", "GPU-n1-0,NVIDIA,1,60:;"), pod("b", "n1", "GPU-n1-0,NVIDIA,1,60:;")],
               gpus, "core over-commit")
expect_failure([pod(x, "n1", "GPU-n1-1,NVIDIA,1,0:;") for x in "abc"], gpus, "slot over-commit")
expect_failure([pod("a", "n2", "GPU-n1-1,NVIDIA,1,0:;")], gpus, "GPU of another node")
expect_failure([pod("a", "n1", "GPU-zz,NVIDIA,1,0:;")], gpus, "unknown GPU")
print("PASS harness selftest")
