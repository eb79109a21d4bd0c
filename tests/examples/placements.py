#!/usr/bin/env python3
"""Applies the examples to a running playground and reports or checks placements.

  placements.py --kubeconfig K --kubectl KUBECTL check  [--only FILE ...]
      each example on an empty namespace, its pods one after the other; compare with
      examples/expected.yaml; delete; exit 1 on any mismatch.
  placements.py --kubeconfig K --kubectl KUBECTL apply [--seed S [--max-delay SEC]
                 [--stall-pid PID]]
      apply every example to the shared playground and leave the pods running:
      first the examples whose pods are pinned (a node, GPU, type or a relation to
      another pod) in the dependency order of playgroundOrder, one pod at a time,
      each waited until placed; then the free examples (any node will do). Then
      wait until every pod is Running and check every placement against
      expected.yaml. Exit 1, naming each pod and the scheduler's reason, when one
      is not placed, not Running or not where expected.yaml says.
      --seed: the reorder test: random delays before each pinned pod, the free
      examples shuffled and created all at once (kube-scheduler picks their
      order; --hold-pid holds it with SIGSTOP until all exist), optionally with
      hami-scheduler stalled (--stall-pid) when kube-scheduler starts asking.
  placements.py --kubeconfig K --kubectl KUBECTL report [--require-all]
      print every example pod: node, GPU, memory, cores, phase, and for a pod
      that is not Running the scheduler's reason in full. Exit 3 when an example
      pod that exists is not Running (--require-all: or does not exist).

Placements are read from the pods' hami.io/vgpu-devices-allocated annotation
("<uuid>,<type>,<mem>,<cores>:" per device, ";" per container).
"""
import argparse
import json
import os
import random
import signal
import subprocess
import sys
import time

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
EXAMPLES = os.path.normpath(os.path.join(HERE, "../../examples"))
ALLOCATED = "hami.io/vgpu-devices-allocated"
KUBELET_ENV = "hami.dev/fake-kubelet-env"  # what Allocate answered, recorded by the fake kubelet
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


def allocated_key(pod_exp):
    """The annotation holding a pod's devices: NVIDIA's, or the vendor's named in
    the expectation (examples/vendors)."""
    return (pod_exp or {}).get("allocated", ALLOCATED)


def wait_placed(k, name, ns, timeout, key=ALLOCATED):
    """Wait until the pod has a node and an allocation; returns (pod, reason-if-not)."""
    deadline = time.time() + timeout
    pod = None
    while time.time() < deadline:
        pod = k.json("get", "pod", name, "-n", ns)
        ann = pod["metadata"].get("annotations", {})
        if pod["spec"].get("nodeName") and key in ann:
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


def pod_events(k, name, ns):
    try:
        ev = k.json("get", "events", "-n", ns, "--field-selector", f"involvedObject.name={name}")
    except RuntimeError:
        return []
    return sorted(ev.get("items", []), key=lambda e: e.get("lastTimestamp") or e.get("eventTime") or "")


def why_not_running(k, pod):
    """The fullest reason a pod is not Running: the scheduler's last refusal (our
    FilteringFailed, else kube-scheduler's FailedScheduling), the kubelet's status
    message, or the pod's PodScheduled condition."""
    meta, status = pod["metadata"], pod.get("status", {})
    if meta.get("deletionTimestamp"):
        return "being deleted (Terminating)"
    events = pod_events(k, meta["name"], meta["namespace"])
    for wanted in ("FilteringFailed", "FailedScheduling", "BindingFailed", "AllocateFailed"):
        hits = [e for e in events if e.get("reason") == wanted]
        if hits:
            return f"{wanted}: {hits[-1].get('message', '').strip()}"
    if status.get("message"):
        return f"{status.get('reason', '')}: {status['message']}".strip(": ")
    for c in status.get("conditions", []):
        if c.get("type") == "PodScheduled" and c.get("status") != "True" and c.get("message"):
            return c["message"]
    if not pod["spec"].get("nodeName"):
        return "not scheduled yet (no event from the scheduler)"
    return "bound, waiting for the node's kubelet to start it"


def last_event(k, name, ns):
    items = pod_events(k, name, ns)
    return items[-1]["message"] if items else None


def apply_file(k, path, ns, timeout, expectations):
    """Apply a file's pods one after the other; returns {pod: (pod-json, reason)}."""
    out = {}
    for doc in pod_docs(path):
        k.run("apply", "-n", ns, "-f", "-", stdin=yaml.safe_dump(doc))
        name = doc["metadata"]["name"]
        out[name] = wait_placed(k, name, ns, timeout, allocated_key(expectations.get(name)))
    return out


def describe(pod, gpus, key=ALLOCATED):
    ann = pod["metadata"].get("annotations", {})
    if key not in ann:
        return None
    rows = []
    for ci, devs in enumerate(parse_allocated(ann[key])):
        for uuid, dev_type, mem, cores in devs:
            g = gpus.get(uuid)
            if g is None:  # another vendor's device: its id and type
                rows.append((ci, uuid, "", f"{dev_type} {uuid}", mem, cores))
            else:
                rows.append((ci, uuid, g.get("index", "?"), g.get("name", "?"), mem, cores))
    return rows


def check_vendor_pod(name, pod, exp, bad):
    """Another vendor's example (examples/vendors): on its simulated node, with the
    expected number of devices in the vendor's allocated annotation; once Running,
    the simulated vendor plugin handed exactly those devices to the container."""
    ann = pod["metadata"].get("annotations", {})
    node = pod["spec"].get("nodeName")
    if node != exp["node"]:
        bad(f"node {node}, expected {exp['node']}")
    try:
        devs = [d for c in parse_allocated(ann[exp["allocated"]]) for d in c]
    except (KeyError, ValueError) as e:
        return bad(f"cannot read {exp['allocated']}: {e}")
    ids = [d[0] for d in devs]
    if len(devs) != exp["devices"]:
        bad(f"{len(devs)} {exp['vendor']} devices, expected {exp['devices']}")
    if len(set(ids)) != len(ids):
        bad(f"the same device twice: {ids}")
    if pod.get("status", {}).get("phase") != "Running":
        return
    try:
        envs = json.loads(ann.get(KUBELET_ENV, "{}"))
    except ValueError:
        envs = {}
    env = next(iter(envs.values()), {})
    if env.get("HAMI_SIMULATED_DEVICE_PLUGIN") != exp["vendor"] or ",".join(ids) not in env.values():
        bad(f"Allocate did not hand the container its {exp['vendor']} devices {ids}: env {env}")


def check_pod(name, pod, exp, gpus, placed, fails, echo=True):
    def bad(msg):
        fails.append(f"{name}: {msg}")
        if echo:
            print(f"    FAIL {msg}")

    if "vendor" in exp:
        return check_vendor_pod(name, pod, exp, bad)
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
        other = placed.get(exp["sameGpuAs"])
        if other is None:
            bad(f"{exp['sameGpuAs']} (same GPU expected) was not placed")
        elif parse_allocated(other["metadata"]["annotations"][ALLOCATED])[0][0][0] != uuids[0]:
            bad(f"not on the same GPU as {exp['sameGpuAs']}")
    if "differentNodeFrom" in exp:
        other = placed.get(exp["differentNodeFrom"])
        if other is None:
            bad(f"{exp['differentNodeFrom']} (another node expected) was not placed")
        elif other["spec"].get("nodeName") == node:
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
                                              args.timeout, exp["examples"][f]).items():
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
            rows = describe(pod, gpus, allocated_key(exp["examples"][f].get(name)))
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


PINNING_KEYS = ("uuids", "type", "sameNuma", "nvlinkPair", "sameGpuAs", "differentNodeFrom")


def is_pinned(pod_exp):
    """A pod whose expectation depends on where it lands or on another pod."""
    return pod_exp.get("node", "any") != "any" or any(key in pod_exp for key in PINNING_KEYS)


def split_order(exp):
    """playgroundOrder split into the pinned examples (dependency order, kept) and
    the free ones (any order)."""
    pinned, free = [], []
    for f in exp["playgroundOrder"]:
        (pinned if any(is_pinned(e) for e in exp["examples"][f].values()) else free).append(f)
    return pinned, free


def apply_pod(k, doc, ns):
    k.run("apply", "-n", ns, "-f", "-", stdin=yaml.safe_dump(doc))


def cmd_apply(k, args):
    exp, gpus = load_layout()
    ensure_namespace(k, args.namespace)
    pinned, free = split_order(exp)
    rng = random.Random(args.seed) if args.seed is not None else None
    problems, placed, owner = [], {}, {}

    def placed_or_problem(f, name):
        pod, reason = wait_placed(k, name, args.namespace, args.timeout,
                                  allocated_key(exp["examples"][f].get(name)))
        owner[name] = f
        if reason:
            problems.append(f"{name} ({f}): not placed within {args.timeout:.0f}s: {reason}")
            print(f"  {f:<26} {name:<20} pending: {reason}", flush=True)
        else:
            placed[name] = pod
            print(f"  {f:<26} {name:<20} placed on {pod['spec']['nodeName']}", flush=True)

    for f in pinned:
        for doc in pod_docs(os.path.join(EXAMPLES, f)):
            if rng:
                time.sleep(rng.uniform(0, args.max_delay))
            apply_pod(k, doc, args.namespace)
            placed_or_problem(f, doc["metadata"]["name"])
    if rng:
        rng.shuffle(free)
        docs = [(f, d) for f in free for d in pod_docs(os.path.join(EXAMPLES, f))]
        rng.shuffle(docs)
        print(f"  free examples at once, in this order: {', '.join(d['metadata']['name'] for _, d in docs)}",
              flush=True)
        # kube-scheduler held while the pods arrive (it then takes them in its own
        # queue order), hami-scheduler stalled while kube-scheduler starts asking.
        stopped = []
        try:
            if args.hold_pid:
                os.kill(args.hold_pid, signal.SIGSTOP)
                stopped.append(args.hold_pid)
            k.run("apply", "-n", args.namespace, "-f", "-",
                  stdin=yaml.safe_dump_all([d for _f, d in docs]))
            if args.stall_pid:
                os.kill(args.stall_pid, signal.SIGSTOP)
                stopped.append(args.stall_pid)
            if args.hold_pid:
                os.kill(args.hold_pid, signal.SIGCONT)
                stopped.remove(args.hold_pid)
            if args.stall_pid:
                time.sleep(rng.uniform(0.5, args.max_delay + 0.5))
        finally:
            for pid in stopped:
                os.kill(pid, signal.SIGCONT)
        for f, doc in docs:
            placed_or_problem(f, doc["metadata"]["name"])
    else:
        for f in free:
            for doc in pod_docs(os.path.join(EXAMPLES, f)):
                apply_pod(k, doc, args.namespace)
                placed_or_problem(f, doc["metadata"]["name"])

    deadline = time.time() + args.timeout
    for name in list(placed):
        pod = wait_running(k, name, args.namespace, max(0.0, deadline - time.time()))
        placed[name] = pod
        phase = pod.get("status", {}).get("phase")
        if phase != "Running":
            problems.append(f"{name} ({owner[name]}): {phase}, not Running: {why_not_running(k, pod)}")
    for name, pod in placed.items():
        fails = []
        check_pod(name, pod, exp["examples"][owner[name]][name], gpus, placed, fails, echo=False)
        problems.extend(f"{msg} ({owner[name]}), see examples/expected.yaml" for msg in fails)
    if problems:
        print(f"{len(problems)} example pod(s) not as examples/expected.yaml says:")
        for p in problems:
            print(f"  - {p}")
        return 1
    print(f"all {len(placed)} example pods Running where examples/expected.yaml says", flush=True)
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
    exp, gpus = load_layout()
    registered_gpus(k, gpus)
    pods = {p["metadata"]["name"]: p for p in k.json("get", "pods", "-n", args.namespace)["items"]}
    expected = [(f, name) for f in exp["playgroundOrder"] for name in exp["examples"][f]]
    known = {name for _f, name in expected}
    keys = {name: allocated_key(exp["examples"][f][name]) for f, name in expected}
    print(f"{'POD':<20} {'NODE':<15} {'GPU':<32} {'MEMORY':>10} {'CORES':>6}  PHASE")
    not_running, absent = [], []
    for name in [n for _f, n in sorted(expected, key=lambda e: e[1])] + sorted(set(pods) - known):
        pod = pods.get(name)
        if pod is None:
            absent.append(name)
            print(f"{name:<20} {'-':<15} {'-':<32} {'-':>10} {'-':>6}  not created")
            continue
        phase = pod.get("status", {}).get("phase", "?")
        if pod["metadata"].get("deletionTimestamp"):
            phase = "Terminating"
        rows = describe(pod, gpus, keys.get(name, ALLOCATED)) or [(0, "-", "-", "-", "-", "-")]
        for i, (_ci, _u, idx, model, mem, cores) in enumerate(rows):
            gpu = "-" if idx == "-" else (f"{idx}: {model}" if idx != "" else model)[:32]
            mem_s = f"{mem} MiB" if mem != "-" else "-"
            cores_s = f"{cores}%" if cores != "-" else "-"
            print(f"{name if i == 0 else '':<20} {pod['spec'].get('nodeName') or '-' if i == 0 else '':<15} "
                  f"{gpu:<32} {mem_s:>10} {cores_s:>6}  {phase if i == 0 else ''}")
        if phase != "Running":
            not_running.append(name)
            print(f"{'':<20} why: {why_not_running(k, pod)}")
    if absent and not args.require_all:
        print(f"\n{len(absent)} example pod(s) not created (kubectl apply -n {args.namespace} -f examples/...): "
              + ", ".join(absent))
    bad = not_running + (absent if args.require_all else [])
    if bad:
        print(f"\nNOT RUNNING: {', '.join(bad)} (reasons above)")
        return 3
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
    ap.add_argument("--require-all", action="store_true",
                    help="report: every example pod must exist and be Running")
    ap.add_argument("--seed", type=int, help="apply: reorder test with this random seed")
    ap.add_argument("--max-delay", type=float, default=1.5,
                    help="apply --seed: longest random delay before a pinned pod, seconds")
    ap.add_argument("--hold-pid", type=int,
                    help="apply --seed: SIGSTOP this process (kube-scheduler) while the free pods are created")
    ap.add_argument("--stall-pid", type=int,
                    help="apply --seed: then SIGSTOP this one (hami-scheduler) for a random moment")
    args = ap.parse_args()
    k = Kubectl(args.kubectl, args.kubeconfig)
    try:
        return {"check": cmd_check, "apply": cmd_apply, "report": cmd_report}[args.command](k, args)
    except RuntimeError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
