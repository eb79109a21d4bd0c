#!/usr/bin/env python3
"""Offline check of chaos.py's judge: a clean snapshot passes, and each kind of
violation the chaos run looks for is reported (a checker that cannot fail proves nothing)."""

import datetime
import json
import os
import sys
import tempfile
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import chaos  # noqa: E402

GPU0, GPU1 = "GPU-aaaa-0", "GPU-aaaa-1"


def judge(tmp):
    c = chaos.Chaos.__new__(chaos.Chaos)
    c.dir = tmp
    c.violations, c.vkeys, c.pods, c.gone = [], set(), {}, {}
    c.lock = threading.Lock()
    c.ran = 0
    c.max_lock_age = 0.0
    c.limits_checked = set()
    c.long_locks = set()
    c.inventory = {GPU0: {"node": "n1", "count": 2, "mem": 10000, "cores": 100},
                   GPU1: {"node": "n1", "count": 2, "mem": 10000, "cores": 100}}
    return c


def pod(name, uuid="GPU-aaaa-0", mem=3000, cores=30, phase="Running", env=True, alloc=True, env_mem=None):
    ann = {}
    if alloc:
        ann[chaos.ALLOCATED] = f"{uuid},NVIDIA,{mem},{cores}:;"
    if env:
        ann[chaos.KUBELET_ENV] = json.dumps({"cuda": {
            "NVIDIA_VISIBLE_DEVICES": uuid, "CUDA_DEVICE_MEMORY_LIMIT_0": f"{env_mem or mem}m",
            "CUDA_DEVICE_SM_LIMIT": str(cores)}})
    return {"metadata": {"name": name, "uid": f"uid-{name}", "annotations": ann},
            "spec": {"nodeName": "n1", "containers": [{"name": "cuda"}]}, "status": {"phase": phase}}


def nodes(lock=None):
    ann = {chaos.LOCK: lock} if lock else {}
    return {"items": [{"metadata": {"name": "n1", "annotations": ann}}]}


def run(case, pods, node_list=None, files=None):
    with tempfile.TemporaryDirectory() as tmp:
        for name, text in (files or {}).items():
            d = os.path.join(tmp, "nodes", "n1", "hook", "vgpu", "limits")
            os.makedirs(d, exist_ok=True)
            open(os.path.join(d, f"uid-{name}_cuda.limits"), "w").write(text)
        c = judge(tmp)
        c.check_state({"items": pods}, node_list or nodes(), 1e9)
        return c.violations


def main():
    fails = []

    def expect(case, got, want_substring):
        ok = any(want_substring in v for v in got) if want_substring else not got
        print(f"{'ok ' if ok else 'FAIL'} {case}: {got}")
        if not ok:
            fails.append(case)

    good_limits = (f"version=1\ndevice.0.uuid={GPU0}\ndevice.0.memory_limit_bytes={3000 << 20}\n"
                   "device.0.sm_limit_percent=30\n")
    expect("clean", run("clean", [pod("a"), pod("b", GPU1)], files={"a": good_limits}), None)
    expect("slots", run("slots", [pod("a", cores=0, mem=10), pod("b", cores=0, mem=10),
                                  pod("c", cores=0, mem=10)]), "slots")
    expect("memory", run("memory", [pod("a", mem=6000, cores=0), pod("b", mem=6000, cores=0)]), "over-committed")
    expect("cores", run("cores", [pod("a", cores=60), pod("b", cores=60)]), "over-committed")
    expect("pending pod counts", run("pending", [pod("a", mem=6000, cores=0),
                                                 pod("b", mem=6000, cores=0, phase="Pending", env=False)]),
           "over-committed")
    expect("finished pod does not count", run("done", [pod("a", mem=6000, cores=0),
                                                      pod("b", mem=6000, cores=0, phase="Succeeded")]), None)
    expect("running without allocation", run("noalloc", [pod("a", alloc=False)]), "Running without")
    expect("env differs", run("env", [pod("a", env_mem=4000)]), "differs from its allocation")
    expect("no env", run("noenv", [pod("a", env=False)]), "no Allocate env")
    expect("limits file differs", run("limits", [pod("a")], files={"a": good_limits.replace("=30", "=40")}),
           "limits file")
    old = (datetime.datetime.fromtimestamp(1e9 - 400, datetime.timezone.utc)
           .strftime("%Y-%m-%dT%H:%M:%SZ"))
    fresh = (datetime.datetime.fromtimestamp(1e9 - 20, datetime.timezone.utc)
             .strftime("%Y-%m-%dT%H:%M:%SZ"))
    expect("old lock", run("lock", [], nodes(f"{old},chaos,p")), "held 400 s")
    expect("fresh lock", run("lock", [], nodes(f"{fresh},chaos,p")), None)
    print("chaos selftest:", "FAILED " + ", ".join(fails) if fails else "ok")
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
