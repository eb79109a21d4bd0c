#!/usr/bin/env python3
"""End-to-end tests of hami-scheduler against the real kube-apiserver and
kube-scheduler (see harness.py). One scenario per invocation:

  scheduler_e2e.py webhook        GPU pod mutated, plain pod untouched, privileged GPU pod refused;
                                  certificate rotated under load (every GPU pod still mutated);
                                  webhook outage (plain pods admitted at once, GPU pods after)
  scheduler_e2e.py unschedulable  a pod no GPU can hold stays Pending with our reason in its events;
                                  every other vendor placed (annotations byte-exact) and refused
  scheduler_e2e.py restart        hami-scheduler killed mid-run: no double booking, usage rebuilt
  scheduler_e2e.py burst          200 pods created at once on 20 nodes: all placed, none over-committed
  scheduler_e2e.py bad_input      garbage node/pod annotations: events, no crash, others still placed
  scheduler_e2e.py leader         leadership follows the kube-scheduler Lease: handshakes and role labels
"""
import base64
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import threading
import time

import vendor_cases
from harness import (ALLOCATED, HANDSHAKE, REGISTER, VGPU_NODE, Cluster, Failure, check,
                     check_no_overcommit, gpu_devices, gpu_pod, log, main, placed, wait_for)

NS = "e2e"


def setup_ns(c):
    c.kubectl("create", "namespace", NS)


def node_gpus(names, gpus, mem_mib, split=10):
    return {d["id"]: (mem_mib, split) for n in names for d in gpu_devices(n, gpus, mem_mib, split)}


def wait_webhook_effective(c):
    """The API server picks the MutatingWebhookConfiguration up asynchronously:
    create probe pods until one comes back mutated."""
    n = [0]

    def probe():
        n[0] += 1
        name = f"webhook-probe-{n[0]}"
        c.create(gpu_pod(name, NS, mem_mib=100))
        pod = c.get("pod", name, "-n", NS)
        c.kubectl("delete", "pod", name, "-n", NS, "--wait=false")
        return pod["spec"].get("schedulerName") == "hami-scheduler"

    wait_for("the webhook to be called by the API server", probe, 30, interval=0.5)


def test_webhook():
    with Cluster("webhook") as c:
        setup_ns(c)
        wait_webhook_effective(c)
        # Only gpumem given: the webhook adds nvidia.com/gpu: 1 and our scheduler.
        pod = gpu_pod("mem-only", NS, mem_mib=3000)
        del pod["spec"]["containers"][0]["resources"]["limits"]["nvidia.com/gpu"]
        c.create(pod)
        got = c.get("pod", "mem-only", "-n", NS)
        check(got["spec"]["schedulerName"] == "hami-scheduler",
              f"GPU pod schedulerName {got['spec']['schedulerName']!r}")
        limits = got["spec"]["containers"][0]["resources"]["limits"]
        check(limits.get("nvidia.com/gpu") == "1", f"nvidia.com/gpu not defaulted: {limits}")
        # A plain pod is left exactly as it was.
        c.create({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "plain", "namespace": NS},
                  "spec": {"containers": [{"name": "c", "image": "busybox"}]}})
        plain = c.get("pod", "plain", "-n", NS)
        check(plain["spec"]["schedulerName"] == "default-scheduler",
              f"plain pod schedulerName {plain['spec']['schedulerName']!r}")
        check("resources" not in plain["spec"]["containers"][0] or
              not plain["spec"]["containers"][0]["resources"], "plain pod resources changed")
        # A privileged GPU pod is refused with our message.
        p = c.kubectl("create", "-f", "-", stdin=json.dumps(gpu_pod("priv", NS, mem_mib=1000, privileged=True)),
                      check_rc=False)
        check(p.returncode != 0, "privileged GPU pod was admitted")
        check("container c is privileged" in p.stderr, f"refusal message: {p.stderr.strip()}")
        # A GPU pod with spec.nodeName set is refused too.
        pinned = gpu_pod("pinned", NS, mem_mib=1000)
        pinned["spec"]["nodeName"] = "some-node"
        p = c.kubectl("create", "-f", "-", stdin=json.dumps(pinned), check_rc=False)
        check(p.returncode != 0, "GPU pod with nodeName was admitted")
        # A pod that opts out is not touched.
        opt_out = gpu_pod("opt-out", NS, mem_mib=1000)
        opt_out["metadata"]["labels"] = {"hami.io/webhook": "ignore"}
        c.create(opt_out)
        check(c.get("pod", "opt-out", "-n", NS)["spec"]["schedulerName"] == "default-scheduler",
              "hami.io/webhook=ignore pod was mutated")
        check(c.scheduler_alive(), "hami-scheduler died")
        rotate_certificate(c)
        webhook_outage(c)


def make_ca_and_cert(d, tag):
    """A new CA and a serving certificate for 127.0.0.1 signed by it, in d/<tag>-*."""
    run = lambda *a: subprocess.run(list(a), check=True, capture_output=True)
    run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
        f"/CN=hami-e2e-ca-{tag}", "-keyout", f"{d}/{tag}-ca.key", "-out", f"{d}/{tag}-ca.crt")
    run("openssl", "req", "-newkey", "rsa:2048", "-nodes", "-subj", f"/CN=hami-scheduler-{tag}",
        "-keyout", f"{d}/{tag}-tls.key", "-out", f"{d}/{tag}-tls.csr")
    run("openssl", "x509", "-req", "-in", f"{d}/{tag}-tls.csr", "-CA", f"{d}/{tag}-ca.crt", "-CAkey",
        f"{d}/{tag}-ca.key", "-CAcreateserial", "-days", "1", "-extfile", f"{d}/ext",
        "-out", f"{d}/{tag}-tls.crt")


def set_ca_bundle(c, *ca_files):
    bundle = "".join(open(f).read() for f in ca_files)
    patch = [{"op": "replace", "path": "/webhooks/0/clientConfig/caBundle",
              "value": base64.b64encode(bundle.encode()).decode()}]
    c.kubectl("patch", "mutatingwebhookconfiguration", "hami-webhook", "--type=json",
              "-p", json.dumps(patch))


def replace_file(src, dst):
    """As cert-manager and Secret volumes do: a new file renamed over the old one."""
    shutil.copyfile(src, dst + ".new")
    os.replace(dst + ".new", dst)


def rotate_certificate(c):
    """The webhook's certificate rotates to one signed by a new CA, as cert-manager or
    kube-webhook-certgen do it (CA bundle widened, serving pair replaced, old CA
    dropped), while GPU pods keep being created through the API server: every one of
    them must still be mutated. A server that kept its first certificate fails once
    the old CA leaves the bundle (failurePolicy Ignore: pods silently skip us)."""
    d = c.certs
    make_ca_and_cert(d, "next")
    created, stop = [], threading.Event()

    def churn():
        i = 0
        while not stop.is_set():
            i += 1
            name = f"rot-{i}"
            try:
                c.create(gpu_pod(name, NS, mem_mib=100))
                created.append(name)
            except Failure as e:
                log(f"create {name}: {e}")
            time.sleep(0.2)

    t = threading.Thread(target=churn, daemon=True)
    t.start()
    try:
        set_ca_bundle(c, f"{d}/ca.crt", f"{d}/next-ca.crt")
        time.sleep(3)  # the API server reloads webhook configurations asynchronously
        replace_file(f"{d}/next-tls.key", f"{d}/tls.key")
        replace_file(f"{d}/next-tls.crt", f"{d}/tls.crt")
        time.sleep(3)
        set_ca_bundle(c, f"{d}/next-ca.crt")
        time.sleep(5)
        mark = len(created)
        time.sleep(3)
    finally:
        stop.set()
        t.join(10)
    check(len(created) - mark >= 5, f"too few pods created after the rotation ({len(created) - mark})")
    unmutated = [n for n in created
                 if c.get("pod", n, "-n", NS)["spec"].get("schedulerName") != "hami-scheduler"]
    check(not unmutated, f"{len(unmutated)} of {len(created)} GPU pods created during and after the "
                         f"certificate rotation were not mutated: {unmutated[:10]}")
    check("certificate reloaded" in open(c.sched_log).read(), "hami-scheduler did not log the reload")
    log(f"certificate rotated under load: all {len(created)} GPU pods mutated")


def webhook_outage(c):
    """hami-scheduler down: pods that are not GPU pods, and pods of kube-system, are
    admitted at once (failurePolicy Ignore, connection refused); once it is back,
    GPU pods are mutated again."""
    c.stop_scheduler(signal.SIGKILL)
    for ns in (NS, "kube-system"):
        name = f"outage-plain-{ns}"
        t0 = time.time()
        c.create({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": ns},
                  "spec": {"containers": [{"name": "c", "image": "busybox"}]}})
        took = time.time() - t0
        check(took < 3, f"plain pod in {ns} took {took:.1f} s to be admitted with the webhook down")
        c.kubectl("delete", "pod", name, "-n", ns, "--wait=false")
    c.start_scheduler()
    wait_webhook_effective(c)
    c.create(gpu_pod("after-outage", NS, mem_mib=100))
    check(c.get("pod", "after-outage", "-n", NS)["spec"]["schedulerName"] == "hami-scheduler",
          "GPU pod not mutated after hami-scheduler came back")
    log("webhook outage: plain and kube-system pods admitted at once; GPU pods mutated again after")


def test_unschedulable():
    with Cluster("unschedulable", scheduler_args=["--enable-iluvatar", "--enable-ascend"]) as c:
        setup_ns(c)
        c.add_gpu_nodes(["gpu-a", "gpu-b"], gpus=2, mem_mib=16000)
        wait_webhook_effective(c)
        c.create([gpu_pod("fits", NS, mem_mib=8000), gpu_pod("too-big", NS, mem_mib=40000)])
        wait_for("pod 'fits' placed", lambda: placed(c.get("pod", "fits", "-n", NS)), 60)

        def reasons():
            evs = c.events(NS, "too-big")
            return [(e["reason"], e.get("message", "")) for e in evs] if evs else None

        def both():
            r = reasons() or []
            ours = [m for reason, m in r if reason == "FilteringFailed"]
            kube = [m for reason, m in r if reason == "FailedScheduling"]
            return (ours, kube) if ours and kube else None

        ours, kube = wait_for("FilteringFailed and FailedScheduling events on 'too-big'", both, 60)
        log(f"FilteringFailed: {ours[0]}")
        log(f"FailedScheduling: {kube[0]}")
        check("CardInsufficientMemory" in ours[0], f"our event lacks the reason: {ours[0]}")
        check("no available node" in ours[0], f"our event: {ours[0]}")
        check("CardInsufficientMemory" in kube[0], f"kube-scheduler's event lacks our reason: {kube[0]}")
        pod = c.get("pod", "too-big", "-n", NS)
        check(not pod["spec"].get("nodeName"), "too-big was bound")
        check(pod["status"].get("phase") == "Pending", f"too-big phase {pod['status'].get('phase')}")
        # Our success events on the placed pod.
        fits = {e["reason"] for e in c.events(NS, "fits")}
        check({"FilteringSucceed", "BindingSucceed"} <= fits, f"events on 'fits': {sorted(fits)}")
        # Every other vendor, placed and refused on the same cluster.
        vendor_cases.run(c, NS)


def allocated_memory_metric(c):
    """Sum of hami_vgpu_memory_allocated_bytes / hami_gpu_memory_allocated_bytes over GPUs, in MiB."""
    total = 0.0
    for line in c.metrics().splitlines():
        if line.startswith("hami_gpu_memory_allocated_bytes{"):
            total += float(line.rsplit(" ", 1)[1])
    return round(total / (1 << 20))


def test_restart():
    nodes = [f"gpu-{i}" for i in range(4)]
    gpus, mem = 2, 8000
    with Cluster("restart") as c:
        setup_ns(c)
        c.add_gpu_nodes(nodes, gpus=gpus, mem_mib=mem)
        wait_webhook_effective(c)
        # Exactly the cluster's memory: 64 pods x 1000 MiB on 8 GPUs x 8000 MiB.
        # A double booking over-commits a GPU; a leaked reservation leaves a pod out.
        total = len(nodes) * gpus * mem // 1000
        c.create([gpu_pod(f"p{i:02d}", NS, mem_mib=1000, cores=5) for i in range(total)])
        wait_for("a first pods placed", lambda: sum(map(placed, c.pods(NS))) >= 10, 60, interval=0.1)
        log(f"killing hami-scheduler with SIGKILL after {sum(map(placed, c.pods(NS)))} pods placed")
        c.stop_scheduler(signal.SIGKILL)
        time.sleep(2)
        c.start_scheduler()
        log("hami-scheduler restarted")
        wait_for(f"all {total} pods placed", lambda: sum(map(placed, c.pods(NS))) == total, 180, interval=0.5)
        pods = c.pods(NS)
        use = check_no_overcommit(pods, node_gpus(nodes, gpus, mem))
        check(all(m == mem for _c, m, _k in use.values()) and len(use) == len(nodes) * gpus,
              f"memory not exactly filled: {use}")
        # Usage rebuilt from the pods' annotations after the restart.
        want = sum(m for _c, m, _k in use.values())
        wait_for("scheduler metrics to show the rebuilt usage", lambda: allocated_memory_metric(c) == want, 20)
        # One more pod cannot fit anywhere now.
        c.create(gpu_pod("one-more", NS, mem_mib=1000))
        time.sleep(5)
        check(not placed(c.get("pod", "one-more", "-n", NS)), "a pod was placed on a full cluster")


def test_burst():
    nodes = [f"gpu-{i:02d}" for i in range(20)]
    gpus, mem = 4, 16000
    rng = random.Random(7)
    with Cluster("burst") as c:
        setup_ns(c)
        c.add_gpu_nodes(nodes, gpus=gpus, mem_mib=mem)
        wait_webhook_effective(c)
        pods = []
        for i in range(200):
            n = 2 if i % 10 == 0 else 1
            pods.append(gpu_pod(f"p{i:03d}", NS, gpus=n, mem_mib=rng.choice([1000, 2000, 4000, 6000]),
                                cores=rng.choice([0, 10, 20, 30])))
        t = time.time()
        c.create(pods)
        wait_for("all 200 pods placed", lambda: sum(map(placed, c.pods(NS))) == 200, 300, interval=1)
        log(f"200 pods placed in {time.time() - t:.1f} s")
        got = c.pods(NS)
        check_no_overcommit(got, node_gpus(nodes, gpus, mem))
        for p in got:
            devs = sum(len(ctr) for ctr in __import__("harness").parse_allocated(
                p["metadata"]["annotations"][ALLOCATED]))
            want = int(p["spec"]["containers"][0]["resources"]["limits"]["nvidia.com/gpu"])
            check(devs == want, f"{p['metadata']['name']}: {devs} GPUs, asked {want}")
            check(p["metadata"]["annotations"].get(VGPU_NODE) == p["spec"]["nodeName"],
                  f"{p['metadata']['name']}: vgpu-node annotation differs from nodeName")
        check(c.scheduler_alive(), "hami-scheduler died")


def test_bad_input():
    with Cluster("bad-input") as c:
        setup_ns(c)
        c.add_gpu_nodes(["gpu-good"], gpus=2, mem_mib=16000)
        c.add_gpu_nodes(["gpu-garbage"], gpus=2, annotations={"gpu-garbage": {REGISTER: "[{\"id\": 42, garbage"}})
        wait_webhook_effective(c)
        # A pod claiming an allocation with a malformed device list (no GPU request,
        # so the webhook leaves it alone); bound directly to the good node.
        c.create({"apiVersion": "v1", "kind": "Pod",
                  "metadata": {"name": "garbled", "namespace": NS,
                               "annotations": {VGPU_NODE: "gpu-good", ALLOCATED: "GPU-x,NVIDIA,notanumber"}},
                  "spec": {"nodeName": "gpu-good", "containers": [{"name": "c", "image": "busybox"}]}})
        # Normal pods keep flowing.
        c.create([gpu_pod(f"ok{i}", NS, mem_mib=2000) for i in range(6)])
        wait_for("6 good pods placed", lambda: sum(placed(p) for p in c.pods(NS) if p["metadata"]["name"].startswith("ok")) == 6, 60)
        for p in c.pods(NS):
            if p["metadata"]["name"].startswith("ok"):
                check(p["spec"]["nodeName"] == "gpu-good", f"{p['metadata']['name']} on {p['spec']['nodeName']}")
        node_ev = wait_for("InvalidRegistration event on gpu-garbage",
                           lambda: [e for e in c.events("default", "gpu-garbage") if e["reason"] == "InvalidRegistration"], 30)
        log(f"node event: {node_ev[0]['message']}")
        pod_ev = wait_for("InvalidAllocation event on garbled",
                          lambda: [e for e in c.events(NS, "garbled") if e["reason"] == "InvalidAllocation"], 30)
        log(f"pod event: {pod_ev[0]['message']}")
        # Garbage straight at the HTTP endpoints.
        import urllib.request
        for path, body in [("/filter", b"{not json"), ("/bind", b"\xff\xfe"), ("/filter", b'{"Pod": 7}')]:
            req = urllib.request.Request(f"http://127.0.0.1:{c.ext_port}{path}", data=body,
                                         headers={"Content-Type": "application/json"})
            with urllib.request.urlopen(req, timeout=5) as r:
                answer = json.loads(r.read())
                check(answer.get("Error"), f"{path} with garbage answered {answer}")
        check(c.scheduler_alive(), "hami-scheduler died")
        c.create(gpu_pod("after", NS, mem_mib=1000))
        wait_for("a pod placed after the garbage", lambda: placed(c.get("pod", "after", "-n", NS)), 60)


def lease(holder, renew):
    return {"apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
            "metadata": {"name": "hami-scheduler", "namespace": "kube-system"},
            "spec": {"holderIdentity": holder, "leaseDurationSeconds": 60, "renewTime": renew}}


def test_leader():
    def now():
        return time.strftime("%Y-%m-%dT%H:%M:%S.000000Z", time.gmtime())

    args = ["--leader-elect", "--leader-elect-resource-namespace", "kube-system",
            "--leader-elect-identity", "replica-a"]
    with Cluster("leader", scheduler_args=args, webhook=False) as c:
        for name in ["hami-scheduler-a", "hami-scheduler-b"]:
            c.create({"apiVersion": "v1", "kind": "Pod",
                      "metadata": {"name": name, "namespace": "kube-system",
                                   "labels": {"app.kubernetes.io/component": "hami-scheduler"}},
                      "spec": {"schedulerName": "nobody", "containers": [{"name": "c", "image": "busybox"}]}})
        c.create(lease("replica-b_0f3a", now()))
        c.stop_scheduler()
        c.start_scheduler({"POD_NAME": "hami-scheduler-a", "POD_NAMESPACE": "kube-system"})
        c.add_gpu_nodes(["gpu-a"], gpus=1)
        time.sleep(6)  # three registration periods as a follower
        node = c.get("node", "gpu-a")
        check(HANDSHAKE not in node["metadata"].get("annotations", {}), "a follower wrote the handshake")
        roles = {p["metadata"]["name"]: p["metadata"].get("labels", {}).get("hami.io/scheduler-role")
                 for p in c.get("pods", "-n", "kube-system")["items"]}
        check(roles.get("hami-scheduler-a") is None, f"a follower labelled pods: {roles}")
        # The kube-scheduler of replica a takes the lease over.
        c.kubectl("apply", "-f", "-", stdin=json.dumps(lease("replica-a_77c1", now())))
        wait_for("the leader to write the handshake",
                 lambda: re.match(r"Requesting_\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$",
                                  c.get("node", "gpu-a")["metadata"].get("annotations", {}).get(HANDSHAKE, "")), 20)

        def labelled():
            pods = c.get("pods", "-n", "kube-system")["items"]
            r = {p["metadata"]["name"]: p["metadata"].get("labels", {}).get("hami.io/scheduler-role") for p in pods}
            return r if r.get("hami-scheduler-a") == "leader" and r.get("hami-scheduler-b") == "follower" else None

        wait_for("role labels leader/follower", labelled, 20)


TESTS = {"webhook": test_webhook, "unschedulable": test_unschedulable, "restart": test_restart,
         "burst": test_burst, "bad_input": test_bad_input, "leader": test_leader}

if __name__ == "__main__":
    sys.exit(main(TESTS))
