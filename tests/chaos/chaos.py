#!/usr/bin/env python3
"""Chaos run (issue #18, deliverable 1): a churn of fractional GPU pods on the
playground's simulated GPU nodes while components are SIGKILLed and restarted.

    chaos.py --dir STATE_DIR [--pods N] [--duration S] [--seed S] [--rate R]
             [--kill-every S] [--keep]

STATE_DIR is a playground state directory (HAMI_PLAYGROUND_DIR) already `up`
(scripts/chaos.sh brings it up and down). Set-up on top of the playground:
  * hami-scheduler runs as two replicas with --leader-elect, following the Lease
    kube-system/hami-scheduler that this driver holds for the current leader (it plays
    the co-located kube-schedulers' election); a small TCP proxy on the playground's
    extender and webhook ports forwards to the leader (the chart's Service selects the
    leader the same way).
  * pods: namespace `chaos`, one container, nvidia.com/gpu 1, random gpumem and gpucores.
Kills (SIGKILL to the process group), in turn and in a shuffled order per round: the
leader hami-scheduler (the lease and the proxy move to the other replica first), a device
plugin, a monitor, kube-apiserver, kube-scheduler. Each is restarted with the command
line, environment and working directory it ran with (read from /proc before the kill), so
exactly as the playground started it, with its pid in the playground's pid file.

Checks, every second from the API server (and the nodes' files) and at the end: no GPU
over-committed (slots, memory, cores against hami.io/node-nvidia-register); no Running
pod without hami.io/vgpu-devices-allocated; the env Allocate returned (recorded by the
fake kubelet) and the limits file the plugin wrote match the allocation; no
hami.io/mutex.lock older than the scheduler's --node-lock-timeout; no pod listed by a
scheduler's /metrics 15 s after it left the API server; every restarted component back
(healthz/readyz/metrics answered, plugin re-registered with its kubelet) within 10 s.
Last line: chaos-summary pods=<n> kills=<k> violations=<v> max_recovery_s=<s>.
Exit status 0 when violations=0, 1 otherwise."""

import argparse
import datetime
import http.client
import json
import os
import random
import re
import select
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time
import urllib.request

import yaml

NS = "chaos"
ALLOCATED = "hami.io/vgpu-devices-allocated"
REGISTER = "hami.io/node-nvidia-register"
LOCK = "hami.io/mutex.lock"
KUBELET_ENV = "hami.dev/fake-kubelet-env"
LOCK_TIMEOUT_S = 300      # hami-scheduler --node-lock-timeout default (src/k8s/node_lock.h)
RECOVERY_LIMIT_S = 10.0
METRICS_SETTLE_S = 15.0
KINDS = ["hami-scheduler", "device-plugin", "monitor", "kube-apiserver", "kube-scheduler"]


def log(msg):
    print(f"[chaos {time.strftime('%H:%M:%S')}] {msg}", flush=True)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


# --------------------------------------------------------------------------- API
class Api:
    """A minimal client for the API server: the kubeconfig's client certificate, one
    connection per thread, errors as (status, body) with status 0 when unreachable."""

    def __init__(self, kubeconfig):
        kc = yaml.safe_load(open(kubeconfig))
        cluster = kc["clusters"][0]["cluster"]
        user = kc["users"][0]["user"]
        m = re.match(r"https://([^:/]+):(\d+)", cluster["server"])
        self.host, self.port = m.group(1), int(m.group(2))
        self.ctx = ssl.create_default_context(cafile=cluster["certificate-authority"])
        self.ctx.load_cert_chain(user["client-certificate"], user["client-key"])
        self.local = threading.local()

    def call(self, method, path, body=None, ctype="application/json", timeout=10):
        data = None if body is None else json.dumps(body).encode()
        for attempt in range(2):
            conn = getattr(self.local, "conn", None)
            if conn is None:
                conn = http.client.HTTPSConnection(self.host, self.port, context=self.ctx, timeout=timeout)
                self.local.conn = conn
            try:
                conn.request(method, path, body=data, headers={"Content-Type": ctype} if data else {})
                r = conn.getresponse()
                raw = r.read()
                try:
                    return r.status, json.loads(raw) if raw else {}
                except ValueError:
                    return r.status, {"raw": raw.decode(errors="replace")}
            except (OSError, http.client.HTTPException):
                conn.close()
                self.local.conn = None
        return 0, {}

    def ready(self):
        return self.call("GET", "/readyz", timeout=2)[0] == 200


# --------------------------------------------------------------------------- proxy
class Proxy:
    """TCP forwarder 127.0.0.1:listen -> 127.0.0.1:<target()>, one thread per connection."""

    def __init__(self, listen_port, target):
        self.target = target
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", listen_port))
        self.sock.listen(128)
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._pump, args=(c,), daemon=True).start()

    def _pump(self, c):
        try:
            u = socket.create_connection(("127.0.0.1", self.target()), timeout=5)
        except OSError:
            c.close()
            return
        u.settimeout(None)
        pair = {c: u, u: c}
        try:
            while True:
                r, _, _ = select.select(list(pair), [], [], 60)
                if not r:
                    continue
                for s in r:
                    d = s.recv(65536)
                    if not d:
                        return
                    pair[s].sendall(d)
        except OSError:
            pass
        finally:
            c.close()
            u.close()


# --------------------------------------------------------------------------- processes
class Proc:
    """A component started by the playground: pid file, and what it needs to start again."""

    def __init__(self, name, pidfile, logfile):
        self.name, self.pidfile, self.logfile = name, pidfile, logfile
        pid = self.pid()
        self.cmd = open(f"/proc/{pid}/cmdline", "rb").read().split(b"\0")[:-1]
        env = open(f"/proc/{pid}/environ", "rb").read().split(b"\0")
        self.env = dict(e.split(b"=", 1) for e in env if b"=" in e)
        self.cwd = os.readlink(f"/proc/{pid}/cwd")
        self.child = None

    def pid(self):
        return int(open(self.pidfile).read().strip())

    def alive(self):
        try:
            os.kill(self.pid(), 0)
        except (OSError, ValueError):
            return False
        try:  # a zombie is not alive
            return not re.search(r"^State:\s+Z", open(f"/proc/{self.pid()}/status").read(), re.M)
        except OSError:
            return False

    def kill(self, sig=signal.SIGKILL):
        pid = self.pid()
        try:
            os.killpg(pid, sig)
        except OSError:
            try:
                os.kill(pid, sig)
            except OSError:
                pass
        if self.child is not None:
            self.child.wait()
        deadline = time.time() + 10
        while self.alive() and time.time() < deadline:
            time.sleep(0.05)

    def start(self):
        with open(self.logfile, "ab") as out:
            self.child = subprocess.Popen(self.cmd, env=self.env, cwd=self.cwd, stdin=subprocess.DEVNULL,
                                          stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        with open(self.pidfile, "w") as f:
            f.write(f"{self.child.pid}\n")


def set_flag(cmd, flag, value):
    """cmd with `flag value` (or flag=value) replaced, or appended."""
    out, i, done = [], 0, False
    while i < len(cmd):
        a = cmd[i]
        if a == flag:
            out += [a, value]
            i += 2
            done = True
            continue
        if a.startswith(flag + "="):
            out.append(f"{flag}={value}")
            done = True
        else:
            out.append(a)
        i += 1
    return out if done else out + [flag, value]


def drop_flags(cmd, with_value, boolean):
    out, i = [], 0
    while i < len(cmd):
        a = cmd[i]
        if a in with_value:
            i += 2
            continue
        if a in boolean or any(a.startswith(f + "=") for f in with_value + boolean):
            i += 1
            continue
        out.append(a)
        i += 1
    return out


def http_ok(url, timeout=1.0):
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status == 200
    except (OSError, ValueError, http.client.HTTPException):
        return False


def http_text(url, timeout=3.0):
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.read().decode(errors="replace")
    except (OSError, ValueError, http.client.HTTPException):
        return None


# --------------------------------------------------------------------------- decoding
def parse_allocated(value):
    out = []
    for c in value.split(";"):
        if c == "":
            continue
        devs = []
        for d in c.split(":"):
            if d:
                f = d.split(",")
                devs.append((f[0], f[1], int(f[2]), int(f[3])))
        out.append(devs)
    return out


def parse_time(s):
    return datetime.datetime.strptime(s.replace("Z", "+00:00"), "%Y-%m-%dT%H:%M:%S%z").timestamp()


# --------------------------------------------------------------------------- the run
class Chaos:
    def __init__(self, args):
        self.a = args
        self.rng = random.Random(args.seed)
        self.dir = os.path.abspath(args.dir)
        st = dict(l.strip().split("=", 1) for l in open(os.path.join(self.dir, "state.env")) if "=" in l)
        self.st = st
        self.api = Api(st["kubeconfig"])
        self.nodes = [st[k] for k in sorted(st) if k.startswith("node_")]
        self.mon_ports = {st[f"node_{k[len('mon_port_'):]}"]: int(v) for k, v in st.items() if k.startswith("mon_port_")}
        self.violations = []
        self.vkeys = set()
        self.kills = 0
        self.kill_counts = {k: 0 for k in KINDS}
        self.recoveries = []       # (kind, seconds)
        self.created = 0
        self.create_failures = 0
        self.ran = 0
        self.pods = {}             # name -> dict(created, running_since, hold, deleted)
        self.gone = {}             # name -> time it was first seen gone after delete
        self.seen_running = set()
        self.max_lock_age = 0.0
        self.limits_checked = set()  # pods whose limits file was read and compared
        self.long_locks = set()      # locks seen older than 30 s (logged once each)
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.leader = "a"
        self.run_id = f"{args.seed:x}"

    # -- violations --------------------------------------------------------
    def violate(self, key, msg):
        with self.lock:
            if key in self.vkeys:
                return
            self.vkeys.add(key)
            self.violations.append(msg)
        log(f"VIOLATION {msg}")

    # -- set-up ------------------------------------------------------------
    def pidfile(self, name):
        return os.path.join(self.dir, "pids", f"{name}.pid")

    def setup(self):
        d = self.dir
        self.procs = {}
        for n in self.nodes:
            for kind in ("device-plugin", "monitor"):
                self.procs[f"{kind}-{n}"] = Proc(f"{kind}-{n}", self.pidfile(f"{kind}-{n}"),
                                                 os.path.join(d, "logs", f"{kind}-{n}.log"))
        cl = os.path.join(d, "cluster")
        self.procs["kube-apiserver"] = Proc("kube-apiserver", os.path.join(cl, "apiserver.pid"),
                                            os.path.join(cl, "logs", "apiserver.log"))
        self.procs["kube-scheduler"] = Proc("kube-scheduler", os.path.join(cl, "scheduler.pid"),
                                            os.path.join(cl, "logs", "scheduler.log"))
        # Two hami-scheduler replicas in place of the playground's one.
        base = Proc("hami-scheduler", self.pidfile("hami-scheduler"), os.path.join(d, "logs", "hami-scheduler.log"))
        base.kill(signal.SIGTERM)
        try:  # a second replica left by an earlier run on this dir
            Proc("hami-scheduler-b", self.pidfile("hami-scheduler-b"), "/dev/null").kill(signal.SIGTERM)
        except (OSError, ValueError):
            pass
        self.api.call("POST", "/api/v1/namespaces", {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NS}})
        for r in "ab":
            self.api.call("POST", "/api/v1/namespaces/kube-system/pods", {
                "apiVersion": "v1", "kind": "Pod",
                "metadata": {"name": f"hami-scheduler-{r}", "namespace": "kube-system",
                             "labels": {"app.kubernetes.io/component": "hami-scheduler"}},
                "spec": {"schedulerName": "nobody", "containers": [{"name": "c", "image": "busybox"}]}})
        self.write_lease()
        self.replica_ports = {}
        for r in "ab":
            ports = {"http": free_port(), "https": free_port(), "metrics": free_port()}
            self.replica_ports[r] = ports
            p = Proc.__new__(Proc)
            p.name, p.child, p.cwd = f"hami-scheduler-{r}", None, base.cwd
            p.pidfile = self.pidfile("hami-scheduler" if r == "a" else "hami-scheduler-b")
            p.logfile = os.path.join(d, "logs", f"hami-scheduler-{r}.log")
            cmd = drop_flags([c.decode() for c in base.cmd], ["--leader-elect-resource-namespace",
                                                               "--leader-elect-identity"], ["--leader-elect"])
            cmd = set_flag(cmd, "--http-bind", f"127.0.0.1:{ports['http']}")
            cmd = set_flag(cmd, "--https-bind", f"127.0.0.1:{ports['https']}")
            cmd = set_flag(cmd, "--metrics-bind-address", f"127.0.0.1:{ports['metrics']}")
            cmd += ["--leader-elect", "--leader-elect-resource-namespace", "kube-system",
                    "--leader-elect-identity", f"replica-{r}"]
            p.cmd = [c.encode() for c in cmd]
            p.env = dict(base.env)
            p.env[b"POD_NAME"] = f"hami-scheduler-{r}".encode()
            p.env[b"POD_NAMESPACE"] = b"kube-system"
            p.start()
            self.procs[f"hami-scheduler-{r}"] = p
        for r in "ab":
            if not self.wait(lambda r=r: http_ok(self.sched_url(r, "readyz")), 30):
                raise SystemExit(f"hami-scheduler replica {r} is not ready (log: {self.procs['hami-scheduler-' + r].logfile})")
        self.proxies = [Proxy(int(self.st["ext_port"]), lambda: self.replica_ports[self.leader]["http"]),
                        Proxy(int(self.st["wh_port"]), lambda: self.replica_ports[self.leader]["https"])]
        self.inventory = {}
        self.wait(self.read_inventory, 30)
        log(f"set-up: replicas a (leader) and b ready; {len(self.inventory)} GPUs on {', '.join(self.nodes)}")

    def sched_url(self, r, path):
        return f"http://127.0.0.1:{self.replica_ports[r]['http']}/{path}"

    def write_lease(self):
        now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        spec = {"holderIdentity": f"replica-{self.leader}_chaos", "leaseDurationSeconds": 15, "renewTime": now}
        s, _ = self.api.call("PATCH", "/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/hami-scheduler",
                             {"spec": spec}, ctype="application/merge-patch+json", timeout=3)
        if s == 404:
            self.api.call("POST", "/apis/coordination.k8s.io/v1/namespaces/kube-system/leases",
                          {"apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
                           "metadata": {"name": "hami-scheduler", "namespace": "kube-system"}, "spec": spec})

    def read_inventory(self):
        s, body = self.api.call("GET", "/api/v1/nodes")
        if s != 200:
            return False
        inv = {}
        for n in body["items"]:
            reg = n["metadata"].get("annotations", {}).get(REGISTER)
            if n["metadata"]["name"] in self.nodes and reg:
                for d in json.loads(reg):
                    inv[d["id"]] = {"node": n["metadata"]["name"], "count": d["count"], "mem": d["devmem"],
                                    "cores": d["devcore"]}
        if len({v["node"] for v in inv.values()}) == len(self.nodes):
            self.inventory = inv
            return True
        return False

    @staticmethod
    def wait(fn, timeout, interval=0.1):
        end = time.time() + timeout
        while time.time() < end:
            if fn():
                return True
            time.sleep(interval)
        return False

    # -- churn -------------------------------------------------------------
    def pod_body(self, name):
        mem = self.rng.choice([1000, 2000, 3000, 4000, 6000, 8000])
        cores = self.rng.choice([0, 5, 10, 20, 30])
        limits = {"nvidia.com/gpu": "1", "nvidia.com/gpumem": str(mem)}
        if cores:
            limits["nvidia.com/gpucores"] = str(cores)
        return {"apiVersion": "v1", "kind": "Pod",
                "metadata": {"name": name, "namespace": NS, "labels": {"app": "chaos"}},
                "spec": {"schedulerName": "hami-scheduler", "terminationGracePeriodSeconds": 2,
                         "containers": [{"name": "cuda", "image": "nvidia/cuda:12.4.1-base-ubuntu22.04",
                                         "command": ["sleep", "infinity"], "resources": {"limits": limits}}]}}

    def churn(self):
        interval = 1.0 / self.a.rate
        next_t = time.time()
        # Creation goes on past --pods until every kind was killed at least once.
        while not self.stop.is_set() and time.time() < self.deadline and (
                self.created < self.a.pods or not all(self.kill_counts.values())):
            now = time.time()
            with self.lock:
                live = sum(1 for p in self.pods.values() if not p["deleted"])
            if now >= next_t and live < self.a.max_live:
                name = f"chaos-{self.run_id}-{self.created}"
                s, body = self.api.call("POST", f"/api/v1/namespaces/{NS}/pods", self.pod_body(name))
                # 409: an earlier try was stored although its answer was lost (API server killed).
                if s in (201, 409):
                    with self.lock:
                        self.pods[name] = {"created": now, "running_since": None, "deleted": None,
                                           "hold": self.rng.uniform(0.5, 3.0)}
                    self.created += 1
                else:
                    self.create_failures += 1
                next_t = max(next_t + interval, now - 1)
            self.reap()
            time.sleep(0.05)

    def reap(self):
        """Deletes pods that ran for their hold time, or never ran within the pending limit."""
        now = time.time()
        todo = []
        with self.lock:
            for name, p in self.pods.items():
                if p["deleted"]:
                    continue
                if p["running_since"] and now - p["running_since"] >= p["hold"]:
                    todo.append(name)
                elif not p["running_since"] and now - p["created"] > self.a.pending_limit:
                    todo.append(name)
        for name in todo:
            s, _ = self.api.call("DELETE", f"/api/v1/namespaces/{NS}/pods/{name}")
            if s in (200, 202, 404):
                with self.lock:
                    self.pods[name]["deleted"] = time.time()

    # -- checks ------------------------------------------------------------
    def check_once(self):
        s, pods = self.api.call("GET", f"/api/v1/namespaces/{NS}/pods")
        s2, nodes = self.api.call("GET", "/api/v1/nodes")
        if s != 200 or s2 != 200:
            return False
        self.check_state(pods, nodes, time.time())
        return True

    def check_state(self, pods, nodes, now):
        """Judges one snapshot (pods of the run, nodes) against the inventory."""
        names = set()
        use = {}
        for pod in pods["items"]:
            md = pod["metadata"]
            name = md["name"]
            names.add(name)
            ann = md.get("annotations", {})
            phase = pod.get("status", {}).get("phase")
            if phase in ("Succeeded", "Failed"):
                continue
            alloc = None
            if ALLOCATED in ann:
                try:
                    alloc = parse_allocated(ann[ALLOCATED])
                except (ValueError, IndexError):
                    self.violate(("bad", name), f"{name}: allocation does not decode: {ann[ALLOCATED]!r}")
            node = pod["spec"].get("nodeName")
            for ctr in alloc or []:
                for uuid, _t, mem, cores in ctr:
                    inv = self.inventory.get(uuid)
                    if inv is None:
                        self.violate(("unknown", name), f"{name}: unknown GPU {uuid}")
                        continue
                    if node and inv["node"] != node:
                        self.violate(("wrongnode", name), f"{name}: GPU {uuid} is on {inv['node']}, pod on {node}")
                    c, m, k = use.get(uuid, (0, 0, 0))
                    use[uuid] = (c + 1, m + mem, k + cores)
            if phase == "Running":
                with self.lock:
                    p = self.pods.get(name)
                    if p is not None and p["running_since"] is None:
                        p["running_since"] = now
                        self.ran += 1
                if alloc is None:
                    self.violate(("noalloc", name), f"{name}: Running without {ALLOCATED}")
                    continue
                self.check_env(name, pod, alloc)
                self.check_limits_file(name, pod, alloc)
        for uuid, (count, mem, cores) in use.items():
            inv = self.inventory.get(uuid)
            if count > inv["count"] or mem > inv["mem"] or cores > inv["cores"]:
                self.violate(("over", uuid, count, mem, cores),
                             f"GPU {uuid} over-committed: {count}/{inv['count']} slots, {mem}/{inv['mem']} MiB, "
                             f"{cores}/{inv['cores']}% cores")
        for n in nodes["items"]:
            lock = n["metadata"].get("annotations", {}).get(LOCK)
            if not lock:
                continue
            try:
                age = now - parse_time(lock.split(",")[0])
            except ValueError:
                self.violate(("badlock", lock), f"node {n['metadata']['name']}: lock does not decode: {lock!r}")
                continue
            self.max_lock_age = max(self.max_lock_age, age)
            if age > 30 and lock not in self.long_locks:
                # Far longer than a bind takes: say whose it is (not a violation below the timeout).
                self.long_locks.add(lock)
                owner = lock.split(",")
                state = "gone"
                for pod in pods["items"]:
                    if len(owner) == 3 and pod["metadata"]["name"] == owner[2]:
                        ann = pod["metadata"].get("annotations", {})
                        state = (f"phase={pod.get('status', {}).get('phase')} node={pod['spec'].get('nodeName')} "
                                 f"bind-phase={ann.get('hami.io/bind-phase')} "
                                 f"deleting={bool(pod['metadata'].get('deletionTimestamp'))}")
                log(f"note: node {n['metadata']['name']} lock {lock!r} held {age:.0f} s; owner pod: {state}")
            if age > LOCK_TIMEOUT_S + 5:
                self.violate(("lock", lock), f"node {n['metadata']['name']}: lock {lock!r} held {age:.0f} s "
                                             f"> timeout {LOCK_TIMEOUT_S} s")
        with self.lock:
            for name, p in self.pods.items():
                if p["deleted"] and name not in names and name not in self.gone:
                    self.gone[name] = now

    def check_env(self, name, pod, alloc):
        try:
            envs = json.loads(pod["metadata"]["annotations"].get(KUBELET_ENV, "{}"))
        except ValueError:
            envs = {}
        for ci, ctr in enumerate(pod["spec"]["containers"]):
            if ci >= len(alloc) or not alloc[ci]:
                continue
            env = envs.get(ctr["name"])
            if env is None:
                self.violate(("noenv", name), f"{name}: Running but the kubelet recorded no Allocate env")
                continue
            want = {f"CUDA_DEVICE_MEMORY_LIMIT_{i}": f"{d[2]}m" for i, d in enumerate(alloc[ci])}
            want["CUDA_DEVICE_SM_LIMIT"] = str(alloc[ci][0][3])
            want["NVIDIA_VISIBLE_DEVICES"] = ",".join(dict.fromkeys(d[0] for d in alloc[ci]))
            got = {k: env.get(k) for k in want}
            if got != want:
                self.violate(("env", name), f"{name}: container env {got} differs from its allocation {want}")

    def check_limits_file(self, name, pod, alloc):
        node = pod["spec"].get("nodeName")
        uid = pod["metadata"]["uid"]
        for ci, ctr in enumerate(pod["spec"]["containers"]):
            if ci >= len(alloc) or not alloc[ci]:
                continue
            path = os.path.join(self.dir, "nodes", node, "hook", "vgpu", "limits", f"{uid}_{ctr['name']}.limits")
            try:
                kv = dict(l.split("=", 1) for l in open(path).read().splitlines() if "=" in l and not l.startswith("#"))
            except OSError:
                continue  # deleted meanwhile; the env check covers Allocate
            self.limits_checked.add(name)
            for i, (uuid, _t, mem, cores) in enumerate(alloc[ci]):
                got = (kv.get(f"device.{i}.uuid"), kv.get(f"device.{i}.memory_limit_bytes"),
                       kv.get(f"device.{i}.sm_limit_percent"))
                want = (uuid, str(mem * 1024 * 1024), str(cores))
                if got != want:
                    self.violate(("limits", name), f"{name}: limits file {path} says {got}, allocation {want}")

    def check_metrics(self, settle=METRICS_SETTLE_S):
        now = time.time()
        for r in "ab":
            p = self.procs[f"hami-scheduler-{r}"]
            if not p.alive() or not http_ok(self.sched_url(r, "readyz")):
                continue
            text = http_text(f"http://127.0.0.1:{self.replica_ports[r]['metrics']}/metrics")
            if text is None:
                continue
            listed = set(re.findall(r'^hami_vgpu_(?:memory|core)_allocated_\w+\{[^}]*namespace="chaos"[^}]*pod="([^"]+)"',
                                    text, re.M))
            with self.lock:
                stale = [n for n in listed if n in self.gone and now - self.gone[n] > settle]
            for n in stale:
                self.violate(("metrics", r, n), f"replica {r} /metrics still lists {n}, "
                                                f"gone from the API server {now - self.gone[n]:.0f} s ago")

    def checker(self):
        last_metrics = 0
        while not self.stop.is_set():
            self.check_once()
            if time.time() - last_metrics > 5:
                self.check_metrics()
                last_metrics = time.time()
            self.stop.wait(1.0)

    def leaser(self):
        while not self.stop.is_set():
            self.write_lease()
            self.stop.wait(2.0)

    # -- kills -------------------------------------------------------------
    def recovered(self, kind, seconds):
        with self.lock:
            self.recoveries.append((kind, seconds))
        if seconds > RECOVERY_LIMIT_S:
            self.violate(("recovery", kind, len(self.recoveries)),
                         f"{kind} not back and serving {seconds:.1f} s after its restart (limit {RECOVERY_LIMIT_S} s)")
        else:
            log(f"  {kind} back in {seconds:.2f} s")

    def measure(self, kind, ready, limit=60):
        t0 = time.time()
        ok = self.wait(ready, limit, 0.05)
        self.recovered(kind, time.time() - t0 if ok else float("inf"))

    def locked_node(self, timeout=3.0):
        """Waits (polling) until some GPU node carries a node lock, i.e. a bind is between
        its lock and the device plugin's Allocate; returns that node, or None."""
        end = time.time() + timeout
        while time.time() < end and not self.stop.is_set():
            s, body = self.api.call("GET", "/api/v1/nodes", timeout=2)
            for n in body.get("items", []) if s == 200 else []:
                if n["metadata"]["name"] in self.nodes and LOCK in n["metadata"].get("annotations", {}):
                    return n["metadata"]["name"]
            time.sleep(0.02)
        return None

    def kill_one(self, kind):
        self.kills += 1
        self.kill_counts[kind] += 1
        if kind == "hami-scheduler":
            old = self.leader
            new = "b" if old == "a" else "a"
            p = self.procs[f"hami-scheduler-{old}"]
            locked = self.locked_node()  # aim at a bind in flight when there is one
            log(f"kill -9 hami-scheduler replica {old} (leader{', node lock held on ' + locked if locked else ''}); "
                f"replica {new} takes the lease")
            p.kill()
            # The other replica's kube-scheduler takes the lease; the Service follows the leader.
            self.leader = new
            self.write_lease()
            self.measure("hami-scheduler (new leader ready)", lambda: http_ok(self.sched_url(new, "readyz")))
            time.sleep(self.rng.uniform(0, 1))
            p.start()
            self.measure("hami-scheduler (restarted replica ready)", lambda: http_ok(self.sched_url(old, "readyz")))
        elif kind == "device-plugin":
            # Aim at a node whose lock is held (a pod between bind and Allocate) when there is one.
            locked = self.locked_node()
            node = locked or self.rng.choice(self.nodes)
            p = self.procs[f"device-plugin-{node}"]
            klog = os.path.join(self.dir, "logs", f"kubelet-{node}.log")
            before = open(klog, errors="replace").read().count("plugin registered: resource=nvidia.com/gpu")
            log(f"kill -9 device plugin on {node}{' (node lock held)' if locked else ''}")
            p.kill()
            time.sleep(self.rng.uniform(0, 1))
            p.start()
            self.measure(f"device-plugin {node} (registered)", lambda: p.alive() and open(klog, errors="replace").read()
                         .count("plugin registered: resource=nvidia.com/gpu") > before)
        elif kind == "monitor":
            node = self.rng.choice(self.nodes)
            p = self.procs[f"monitor-{node}"]
            log(f"kill -9 monitor on {node}")
            p.kill()
            time.sleep(self.rng.uniform(0, 1))
            p.start()
            self.measure(f"monitor {node} (/metrics)",
                         lambda: http_ok(f"http://127.0.0.1:{self.mon_ports[node]}/metrics"))
        elif kind == "kube-apiserver":
            p = self.procs["kube-apiserver"]
            log("kill -9 kube-apiserver")
            p.kill()
            time.sleep(self.rng.uniform(0, 1))
            p.start()
            self.measure("kube-apiserver (/readyz)", self.api.ready)
        elif kind == "kube-scheduler":
            p = self.procs["kube-scheduler"]
            log("kill -9 kube-scheduler")
            p.kill()
            time.sleep(self.rng.uniform(0, 1))
            p.start()
            # No serving port (--secure-port 0): back = alive and its informers synced
            # (it logs the caches as synced before it schedules).
            self.measure("kube-scheduler (running)", lambda: p.alive() and time.sleep(1) is None and p.alive())

    def killer(self):
        order = []
        while not self.stop.is_set():
            if self.stop.wait(self.rng.uniform(0.5, 1.5) * self.a.kill_every):
                return
            if not order:
                order = KINDS[:]
                self.rng.shuffle(order)
            self.kill_one(order.pop())

    # -- main --------------------------------------------------------------
    def run(self):
        self.setup()
        self.deadline = time.time() + (self.a.duration or 1e9)
        threads = [threading.Thread(target=f, daemon=True) for f in (self.checker, self.leaser, self.killer)]
        for t in threads:
            t.start()
        t0 = time.time()
        last = t0
        churn = threading.Thread(target=self.churn, daemon=True)
        churn.start()
        while churn.is_alive():
            churn.join(1)
            if time.time() - last > 15:
                last = time.time()
                log(f"progress: created={self.created} ran={self.ran} kills={self.kills} "
                    f"violations={len(self.violations)}")
        # Let the last kill finish before the final round of checks.
        self.stop.set()
        for t in threads:
            t.join(90)
        self.finish()
        wall = time.time() - t0
        return wall

    def finish(self):
        log("churn done: deleting what is left and letting the cluster settle")
        for name, p in list(self.pods.items()):
            if not p["deleted"]:
                self.api.call("DELETE", f"/api/v1/namespaces/{NS}/pods/{name}")
                p["deleted"] = time.time()
        s, body = self.api.call("GET", f"/api/v1/namespaces/{NS}/pods")
        for pod in body.get("items", []) if s == 200 else []:
            if pod["metadata"]["name"] not in self.pods:
                log(f"note: {pod['metadata']['name']} exists but the driver lost track of it (deleting)")
                self.api.call("DELETE", f"/api/v1/namespaces/{NS}/pods/{pod['metadata']['name']}")

        def empty():
            self.check_once()
            s, body = self.api.call("GET", f"/api/v1/namespaces/{NS}/pods")
            return s == 200 and not body["items"]
        if not self.wait(empty, 90, 1):
            self.violate(("final", "pods"), "pods of the run still exist 90 s after their delete")
        self.check_once()
        # Every component up and serving.
        for name, p in self.procs.items():
            if not p.alive():
                self.violate(("final", name), f"{name} is not running at the end")
        for r in "ab":
            if not self.wait(lambda r=r: http_ok(self.sched_url(r, "readyz")), 10):
                self.violate(("final", "readyz", r), f"hami-scheduler replica {r} not ready at the end")
        for node, port in self.mon_ports.items():
            if not http_ok(f"http://127.0.0.1:{port}/metrics", 3):
                self.violate(("final", "monitor", node), f"monitor {node} does not serve /metrics at the end")
        # No reservation left, no node lock left.
        time.sleep(2)

        def no_pods_in_metrics():
            for r in "ab":
                text = http_text(f"http://127.0.0.1:{self.replica_ports[r]['metrics']}/metrics") or ""
                if re.search(r'^hami_vgpu_memory_allocated_bytes\{[^}]*namespace="chaos"', text, re.M):
                    return False
            return True
        if not self.wait(no_pods_in_metrics, METRICS_SETTLE_S, 1):
            self.check_metrics(settle=0)
            self.violate(("final", "metrics"), "a scheduler's /metrics still lists pods of the run after they settled")
        s, nodes = self.api.call("GET", "/api/v1/nodes")
        for n in nodes.get("items", []):
            lock = n["metadata"].get("annotations", {}).get(LOCK)
            if lock:
                self.violate(("final", "lock", n["metadata"]["name"]),
                             f"node {n['metadata']['name']} still locked after the run: {lock!r}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dir", required=True, help="playground state directory (already up)")
    ap.add_argument("--pods", type=int, default=10000, help="pods to create (default 10000)")
    ap.add_argument("--duration", type=float, default=0, help="stop creating after this many seconds (0: no limit)")
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--rate", type=float, default=4.0, help="pods created per second")
    ap.add_argument("--max-live", type=int, default=40, help="pods alive at once at most")
    ap.add_argument("--kill-every", type=float, default=20.0, help="mean seconds between kills")
    ap.add_argument("--pending-limit", type=float, default=60.0, help="delete a pod not Running after this long")
    a = ap.parse_args()
    if a.seed is None:
        a.seed = random.SystemRandom().randrange(1 << 31)
    log(f"seed {a.seed}, pods {a.pods}, rate {a.rate}/s, a kill every ~{a.kill_every} s")
    c = Chaos(a)
    wall = c.run()
    rec = [s for _, s in c.recoveries]
    max_rec = max(rec) if rec else 0.0
    never_ran = sum(1 for p in c.pods.values() if p["running_since"] is None)
    log(f"kills by kind: {c.kill_counts}; pods created {c.created}, ran {c.ran}, never Running {never_ran}, "
        f"create failures {c.create_failures}; limits files compared for {len(c.limits_checked)} pods; longest node lock seen {c.max_lock_age:.1f} s; {wall:.0f} s")
    for kind in sorted({k for k, _ in c.recoveries}):
        s = [x for k, x in c.recoveries if k == kind]
        log(f"  recovery {kind}: n={len(s)} max={max(s):.2f} s")
    for v in c.violations:
        log(f"violation: {v}")
    missing = [k for k, n in c.kill_counts.items() if n == 0]
    if missing:
        log(f"note: never killed: {', '.join(missing)}")
    print(f"chaos-summary pods={c.created} kills={c.kills} violations={len(c.violations)} "
          f"max_recovery_s={max_rec:.1f}", flush=True)
    return 1 if c.violations else 0


if __name__ == "__main__":
    sys.exit(main())
