#!/usr/bin/env python3
"""Applies the examples to a running playground and reports or checks placements.

  placements.py --kubeconfig K --kubectl KUBECTL check  [--only FILE ...]
      each example on an empty namespace, its pods one after the other; compare with
      examples/expected.yaml; delete; exit 1 on any mismatch.
  placements.py --kubeconfig K --kubectl KUBECTL apply
      apply every example (playgroundOrder) and leave the pods running.
  placements.py --kubeconfig K --kubectl KUBECTL report
      print where each example pod went: node, GPU, memory, cores, phase.

Placements are read from the pods' hami.io/vgpu-devices-allocated annotation
("<uuid>,<type>,<mem>,<cores>:" per device, ";" per container).
"""
import argparse
import json
import os
import subprocess
import sys
import time

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
EXAMPLES = os.path.normpath(os.path.join(HERE, "../../examples"))
ALLOCATED = "hami.io/vgpu-devices-allocated"
NAMESPACE = "hami-examples"


class Kubectl:
    def __init__(self, binary, kubeconfig):
        self.base = [binary, "--kubeconfig", kubeconfig]

    def run(self, *args, stdin=None, check=True):
        p = subprocess.run(self.base + list(args), input=stdin, capture_output=True, text=True)
        if check and p.returncode != 0:
            raise RuntimeError(f"kubectl {' '.join(args)}: {p.stderr.strip()}")
        return p

    def json(self, *args):
        return json.loads(self.run(*args, "-o", "json").stdout)


def load_layout():
    exp = yaml.safe_load(open(os.path.join(EXAMPLES, "expected.yaml")))
    layout_file = os.path.join(EXAMPLES, exp["layout"])
    nodes = yaml.safe_load(open(layout_file))["nodes"]
    gpus = {}
    for n in nodes:
        sim = json.load(open(os.path.join(os.path.dirname(layout_file), n["gpus"])))
        for i, g in enumerate(sim["gpus"]):
            gpus[g["uuid"]] = dict(g, node=n["name"], index=i)
    return exp, gpus


def parse_allocated(value):
    """Pod device list -> list (per container) of [(uuid, type, mem, cores)]."""
    containers = []
    pieces = value.split(";")
    if pieces and pieces[-1] == "":
        pieces = pieces[:-1]
    for c in pieces:
        devs = []
        for d in c.split(":"):
            if not d:
                continue
            f = d.split(",")
            if len(f) < 4:
                raise ValueError(f"malformed device entry {d!r}")
            devs.append((f[0], f[1], int(f[2]), int(f[3])))
        containers.append(devs)
    return containers


def pod_docs(path):
    return [d for d in yaml.safe_load_all(open(path)) if d]


def wait_placed(k, name, ns, timeout):
    """Wait until the pod has a node and an allocation; returns (pod, reason-if-not)."""
    deadline = time.time() + timeout
    pod = None
    while time.time() < deadline:
        pod = k.json("get", "pod", name, "-n", ns)
        ann = pod["metadata"].get("annotations", {})
        if pod["spec"].get("nodeName") and ALLOCATED in ann:
            return pod, None
        time.sleep(0.3)
    return pod, last_event(k, name, ns) or "no event recorded"


def wait_running(k, name, ns, timeout):
    """Wait until the fake kubelet ran Allocate and marked the pod Running."""
    deadline = time.time() + timeout
    while True:
        pod = k.json("get", "pod", name, "-n", ns)
        if pod.get("status", {}).get("phase") == "Running" or time.time() > deadline:
            return pod
        time.sleep(0.3)


def last_event(k, name, ns):
    try:
        ev = k.json("get", "events", "-n", ns, "--field-selector", f"involvedObject.name={name}")
    except RuntimeError:
        return None
    items = sorted(ev.get("items", []), key=lambda e: e.get("lastTimestamp") or e.get("eventTime") or "")
    return items[-1]["message"] if items else None


def apply_file(k, path, ns, timeout):
    """Apply a file's pods one after the other; returns {pod: (pod-json, reason)}."""
    out = {}
    for doc in pod_docs(path):
        k.run("apply", "-n", ns, "-f", "-", stdin=yaml.safe_dump(doc))
        name = doc["metadata"]["name"]
        out[name] = wait_placed(k, name, ns, timeout)
    return out


def describe(pod, gpus):
    ann = pod["metadata"].get("annotations", {})
    if ALLOCATED not in ann:
        return None
    rows = []
    for ci, devs in enumerate(parse_allocated(ann[ALLOCATED])):
        for uuid, _t, mem, cores in devs:
            g = gpus.get(uuid, {})
            rows.append((ci, uuid, g.get("index", "?"), g.get("name", "?"), mem, cores))
    return rows


def check_pod(name, pod, exp, gpus, placed, fails, echo=True):
    def bad(msg):
        fails.append(f"{name}: {msg}")
        if echo:
            print(f"    FAIL {msg}")

    ann = pod["metadata"].get("annotations", {})
    node = pod["spec"].get("nodeName")
    try:
        containers = parse_allocated(ann[ALLOCATED])
    except (KeyError, ValueError) as e:
        return bad(f"cannot read {ALLOCATED}: {e}")
    devs = [d for c in containers for d in c]
    if exp.get("node", "any") != "any" and node != exp["node"]:
        bad(f"node {node}, expected {exp['node']}")
    if len(devs) != exp["gpus"]:
        bad(f"{len(devs)} GPUs, expected {exp['gpus']}")
    uuids = [d[0] for d in devs]
    if len(set(uuids)) != len(uuids):
        bad(f"the same GPU twice in one container: {uuids}")
    for uuid, _t, mem, cores in devs:
        g = gpus.get(uuid)
        if g is None:
            bad(f"unknown GPU {uuid}")
            continue
        if g["node"] != node:
            bad(f"GPU {uuid} belongs to {g['node']}, pod is on {node}")
        want = exp["memory"]
        if isinstance(want, str) and want.endswith("%"):
            want = g["memoryMiB"] * int(want[:-1]) // 100
            ok = abs(mem - want) <= 1
        else:
            ok = mem == want
        if not ok:
            bad(f"memory {mem} MiB on {uuid}, expected {want}")
        if cores != exp["cores"]:
            bad(f"cores {cores} on {uuid}, expected {exp['cores']}")
        if "type" in exp and exp["type"].lower() not in g["name"].lower():
            bad(f"GPU model {g['name']}, expected {exp['type']}")
    if "uuids" in exp and sorted(uuids) != sorted(exp["uuids"]):
        bad(f"GPUs {uuids}, expected {exp['uuids']}")
    known = [gpus[u] for u in uuids if u in gpus]
    if exp.get("sameNuma") and len({g["numaNode"] for g in known}) != 1:
        bad(f"GPUs on NUMA nodes {[g['numaNode'] for g in known]}, expected one")
    if exp.get("nvlinkPair"):
        for g in known:
            if not all(o == g["uuid"] or o in g.get("nvlinkPeers", []) for o in uuids):
                bad(f"GPUs {uuids} are not joined by NVLink")
                break
    if "sameGpuAs" in exp:
        other = placed[exp["sameGpuAs"]]
        if parse_allocated(other["metadata"]["annotations"][ALLOCATED])[0][0][0] != uuids[0]:
            bad(f"not on the same GPU as {exp['sameGpuAs']}")
    if "differentNodeFrom" in exp:
        if placed[exp["differentNodeFrom"]]["spec"].get("nodeName") == node:
            bad(f"same node as {exp['differentNodeFrom']}")
    if "env" in exp:
        env = {e["name"]: e.get("value") for e in pod["spec"]["containers"][0].get("env", [])}
        for key, val in exp["env"].items():
            if env.get(key) != val:
                bad(f"env {key}={env.get(key)!r}, expected {val!r}")


def ensure_namespace(k, ns):
    if k.run("get", "namespace", ns, check=False).returncode != 0:
        k.run("create", "namespace", ns)


def delete_all(k, ns):
    k.run("delete", "pods", "--all", "-n", ns, "--grace-period=0", "--force", "--wait=true",
          check=False)
    deadline = time.time() + 30
    while time.time() < deadline:
        if not k.json("get", "pods", "-n", ns)["items"]:
            return
        time.sleep(0.3)


def cmd_check(k, args):
    exp, gpus = load_layout()
    files = args.only or sorted(exp["examples"])
    fails = []
    ensure_namespace(k, args.namespace)
    for f in files:
        print(f"== {f}")
        delete_all(k, args.namespace)
        time.sleep(args.settle)  # let the scheduler see the deletions
        placed = {}
        for name, (pod, reason) in apply_file(k, os.path.join(EXAMPLES, f), args.namespace,
                                              args.timeout).items():
            if reason:
                fails.append(f"{name}: not placed within {args.timeout}s: {reason}")
                print(f"    FAIL {name}: not placed: {reason}")
                continue
            placed[name] = pod
            if args.require_running:
                pod = wait_running(k, name, args.namespace, args.timeout)
                phase = pod.get("status", {}).get("phase")
                bind = pod["metadata"].get("annotations", {}).get("hami.io/bind-phase")
                if phase != "Running" or bind != "success":
                    fails.append(f"{name}: phase {phase}, bind-phase {bind}")
                    print(f"    FAIL {name}: phase {phase}, bind-phase {bind} "
                          f"({last_event(k, name, args.namespace) or 'no event'})")
            rows = describe(pod, gpus)
            print(f"  {name:<20} {pod['spec']['nodeName']:<12} " +
                  ", ".join(f"GPU{r[2]} {r[4]}MiB {r[5]}%" for r in rows) +
                  f"  [{pod.get('status', {}).get('phase')}]")
            check_pod(name, pod, exp["examples"][f][name], gpus, placed, fails)
    delete_all(k, args.namespace)
    if fails:
        print(f"{len(fails)} placement(s) differ from examples/expected.yaml")
        return 1
    print(f"all {len(files)} examples placed as expected")
    return 0


def cmd_apply(k, args):
    exp, _ = load_layout()
    ensure_namespace(k, args.namespace)
    for f in exp["playgroundOrder"]:
        for name, (_pod, reason) in apply_file(k, os.path.join(EXAMPLES, f), args.namespace,
                                               args.timeout).items():
            print(f"  {f:<26} {name:<20} {'placed' if not reason else 'pending: ' + reason}",
                  flush=True)
    return 0


def registered_gpus(k, gpus):
    """Adds GPUs the nodes registered (hami.io/node-nvidia-register) but the layout lacks
    (e.g. the real GPU of `playground.sh up --real-gpu`)."""
    try:
        nodes = k.json("get", "nodes")["items"]
    except RuntimeError:
        return
    for n in nodes:
        raw = n["metadata"].get("annotations", {}).get("hami.io/node-nvidia-register")
        try:
            devices = json.loads(raw) if raw else []
        except ValueError:
            continue
        for d in devices if isinstance(devices, list) else []:
            if isinstance(d, dict) and d.get("id") and d["id"] not in gpus:
                gpus[d["id"]] = {"uuid": d["id"], "name": d.get("type", "?"),
                                 "index": d.get("index", 0), "node": n["metadata"]["name"],
                                 "memoryMiB": d.get("devmem", 0), "numaNode": d.get("numa", 0)}


def cmd_report(k, args):
    _, gpus = load_layout()
    registered_gpus(k, gpus)
    pods = k.json("get", "pods", "-n", args.namespace)["items"]
    print(f"{'POD':<20} {'NODE':<12} {'GPU':<32} {'MEMORY':>10} {'CORES':>6}  PHASE")
    for pod in sorted(pods, key=lambda p: p["metadata"]["name"]):
        name = pod["metadata"]["name"]
        phase = pod.get("status", {}).get("phase", "?")
        rows = describe(pod, gpus)
        if not rows:
            reason = last_event(k, name, args.namespace) or ""
            print(f"{name:<20} {'-':<12} {'-':<32} {'-':>10} {'-':>6}  {phase} {reason[:60]}")
            continue
        for i, (_ci, _u, idx, model, mem, cores) in enumerate(rows):
            gpu = f"{idx}: {model}"[:32]
            print(f"{name if i == 0 else '':<20} {pod['spec'].get('nodeName', '-') if i == 0 else '':<12} "
                  f"{gpu:<32} {str(mem) + ' MiB':>10} {str(cores) + '%':>6}  {phase if i == 0 else ''}")
    return 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kubeconfig", required=True)
    ap.add_argument("--kubectl", default="kubectl")
    ap.add_argument("--namespace", default=NAMESPACE)
    ap.add_argument("--timeout", type=float, default=30)
    ap.add_argument("--settle", type=float, default=1.0)
    ap.add_argument("command", choices=["check", "apply", "report"])
    ap.add_argument("--only", action="append")
    ap.add_argument("--require-running", action="store_true",
                    help="check: each pod must also reach Running with hami.io/bind-phase=success")
    args = ap.parse_args()
    k = Kubectl(args.kubectl, args.kubeconfig)
    try:
        return {"check": cmd_check, "apply": cmd_apply, "report": cmd_report}[args.command](k, args)
    except RuntimeError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
