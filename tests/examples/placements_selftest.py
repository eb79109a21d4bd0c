#!/usr/bin/env python3
"""Offline checks of examples/ and of the placement checker (no cluster needed).

Every example pod has an expectation and vice versa; the simulated GPU layout is
consistent (unique UUIDs, symmetric NVLink peers); each expectation is satisfiable
on that layout; and check_pod accepts a placement that meets an expectation and
rejects ones that do not.
"""
import copy
import json
import os
import sys

import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import placements as P  # noqa: E402

fails = []


def expect(cond, what):
    if not cond:
        fails.append(what)
        print(f"FAIL: {what}")


exp, gpus = P.load_layout()
gpu_files = sorted(f for f in os.listdir(P.EXAMPLES) if f[:2].isdigit() and f.endswith(".yaml"))
vendor_files = sorted("vendors/" + f for f in os.listdir(os.path.join(P.EXAMPLES, "vendors")) if f.endswith(".yaml"))
files = sorted(gpu_files + vendor_files)
expect(sorted(exp["examples"]) == files, f"expected.yaml covers exactly {files}")
expect(sorted(exp["playgroundOrder"]) == files, "playgroundOrder lists every example once")
# The shared playground applies pinned examples first, in dependency order, then the
# free ones in any order: no free example may come before a pinned one.
pinned, free = P.split_order(exp)
expect(exp["playgroundOrder"] == pinned + free, "playgroundOrder: every pinned example precedes every free one")
expect("11-exclusive.yaml" in pinned and "02-memory-mib.yaml" in free, "pinned/free split recognises both kinds")
for f in pinned:
    for name, e in exp["examples"][f].items():
        for rel in ("sameGpuAs", "differentNodeFrom"):
            if rel in e:
                expect(e[rel] in exp["examples"][f], f"{f}: {name}.{rel} names a pod of the same example")

# Layout: unique UUIDs, NVLink peers exist and are symmetric.
for u, g in gpus.items():
    for peer in g.get("nvlinkPeers", []):
        expect(peer in gpus and u in gpus[peer].get("nvlinkPeers", []), f"NVLink {u}<->{peer} symmetric")

# Other vendors: one example each, on its vendor's simulated node, asking for the
# node's count resource (as many as the expectation's devices).
vendor_nodes = {n["name"]: n for n in yaml.safe_load(open(os.path.join(P.EXAMPLES, "playground",
                                                                       "vendor-nodes.yaml")))["nodes"]}
seen_vendors = set()
for f in vendor_files:
    for d in P.pod_docs(os.path.join(P.EXAMPLES, f)):
        e = exp["examples"][f].get(d["metadata"]["name"], {})
        node = vendor_nodes.get(e.get("node"))
        expect(node is not None and node["vendor"] == e.get("vendor"), f"{f}: node {e.get('node')} simulates {e.get('vendor')}")
        if node:
            count = next(iter(node["devices"]))
            lim = d["spec"]["containers"][0]["resources"]["limits"]
            want = e.get("request", e.get("devices"))
            expect(lim.get(count) == want, f"{f}: asks for {want} {count}")
        seen_vendors.add(e.get("vendor"))
expect(seen_vendors == {n["vendor"] for n in vendor_nodes.values()}, "one example per simulated vendor node")

for f in gpu_files:
    docs = P.pod_docs(os.path.join(P.EXAMPLES, f))
    names = [d["metadata"]["name"] for d in docs]
    expect(sorted(names) == sorted(exp["examples"][f]), f"{f}: pods {names} match expectations")
    for d in docs:
        expect(d["kind"] == "Pod", f"{f}: {d['metadata']['name']} is a Pod")
        lim = d["spec"]["containers"][0]["resources"]["limits"]
        expect("nvidia.com/gpu" in lim, f"{f}: {d['metadata']['name']} asks for nvidia.com/gpu")
        e = exp["examples"][f].get(d["metadata"]["name"], {})
        expect(e.get("gpus") == lim.get("nvidia.com/gpu"), f"{f}: gpu count matches expectation")
        if "nvidia.com/gpumem" in lim:
            expect(e.get("memory") == lim["nvidia.com/gpumem"], f"{f}: memory matches expectation")
        for u in e.get("uuids", []):
            expect(u in gpus, f"{f}: expected GPU {u} exists in the layout")
        if e.get("node", "any") != "any":
            expect(any(g["node"] == e["node"] for g in gpus.values()), f"{f}: node {e['node']} exists")


def fake_pod(node, devices, env=None):
    value = "".join(f"{u},NVIDIA,{m},{c}:" for u, m, c in devices) + ";"
    return {"metadata": {"annotations": {P.ALLOCATED: value}}, "spec": {"nodeName": node,
            "containers": [{"name": "cuda", "env": [{"name": k, "value": v} for k, v in (env or {}).items()]}]}}


A = [u for u, g in sorted(gpus.items()) if g["node"] == "gpu-node-a"]
T = [u for u, g in sorted(gpus.items()) if g["node"] == "gpu-node-b"]


def verdict(name, pod, e, placed=None):
    out = []
    P.check_pod(name, pod, e, gpus, placed or {}, out, echo=False)
    return out


# Accepts correct placements.
expect(not verdict("x", fake_pod("gpu-node-b", [(T[1], 15360, 100)]),
                   exp["examples"]["11-exclusive.yaml"]["exclusive"]), "exclusive on T4 #1 accepted")
expect(not verdict("x", fake_pod("gpu-node-a", [(A[0], 20480, 0)]),
                   exp["examples"]["03-memory-percentage.yaml"]["memory-percent"]), "25% of A100 accepted")
pair = [u for u in A if gpus[u]["numaNode"] == 0]
expect(not verdict("x", fake_pod("gpu-node-a", [(pair[0], 4000, 0), (pair[1], 4000, 0)]),
                   exp["examples"]["12-topology.yaml"]["nvlink-pair"]), "NVLink pair accepted")
# Rejects wrong ones.
expect(verdict("x", fake_pod("gpu-node-b", [(T[0], 15360, 100)]),
               exp["examples"]["11-exclusive.yaml"]["exclusive"]), "exclusive on the shared T4 rejected")
expect(verdict("x", fake_pod("gpu-node-a", [(A[0], 4000, 0), (A[2], 4000, 0)]),
               exp["examples"]["12-topology.yaml"]["numa-bound"]), "cross-NUMA pair rejected")
expect(verdict("x", fake_pod("gpu-node-a", [(A[0], 4000, 0), (A[0], 4000, 0)]),
               exp["examples"]["05-multi-gpu.yaml"]["multi-gpu"]), "same GPU twice rejected")
expect(verdict("x", fake_pod("gpu-node-a", [(T[0], 3000, 0)]),
               exp["examples"]["02-memory-mib.yaml"]["memory-mib"]), "GPU of another node rejected")
expect(verdict("x", fake_pod("gpu-node-a", [(A[0], 2000, 0)]),
               exp["examples"]["10-priority.yaml"]["priority-high"]), "missing CUDA_TASK_PRIORITY rejected")
first = fake_pod("gpu-node-a", [(A[0], 10000, 0)])
expect(verdict("x", fake_pod("gpu-node-a", [(A[1], 10000, 0)]),
               exp["examples"]["08-binpack.yaml"]["binpack-2"], {"binpack-1": first}), "binpack on another GPU rejected")
expect(not verdict("x", fake_pod("gpu-node-a", [(A[0], 10000, 0)]),
                   exp["examples"]["08-binpack.yaml"]["binpack-2"], {"binpack-1": first}), "binpack same GPU accepted")
# Another vendor's pod: right node and count, and (Running) the plugin's hand-over.
ve = exp["examples"]["vendors/kunlun-xpu.yaml"]["kunlun-pair"]
vpod = {"metadata": {"annotations": {ve["allocated"]: "k-0,kunlun,98304,100:k-1,kunlun,98304,100:;",
                                     P.KUBELET_ENV: '{"main": {"XPU_VISIBLE_DEVICES": "k-0,k-1", '
                                                    '"HAMI_SIMULATED_DEVICE_PLUGIN": "kunlun"}}'}},
        "spec": {"nodeName": ve["node"]}, "status": {"phase": "Running"}}
expect(not verdict("x", vpod, ve), "vendor pod accepted")
expect(verdict("x", dict(vpod, spec={"nodeName": "sim-dcu"}), ve), "vendor pod on another node rejected")
wrong = json.loads(json.dumps(vpod))
wrong["metadata"]["annotations"][P.KUBELET_ENV] = '{"main": {"XPU_VISIBLE_DEVICES": "k-0"}}'
expect(verdict("x", wrong, ve), "vendor pod without its devices handed over rejected")
# Decoder: HAMi's pod device list with two containers, and a malformed one.
expect(P.parse_allocated("GPU-a,NVIDIA,1024,30:GPU-b,NVIDIA,1024,30:;;") ==
       [[("GPU-a", "NVIDIA", 1024, 30), ("GPU-b", "NVIDIA", 1024, 30)], []], "pod device list decoded")
try:
    P.parse_allocated("GPU-a,NVIDIA:;")
    expect(False, "truncated device entry rejected")
except ValueError:
    pass

print(f"{len(fails)} failure(s)" if fails else "examples and expectations are consistent")
sys.exit(1 if fails else 0)
