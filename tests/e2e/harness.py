"""End-to-end harness: the real control plane (tests/cluster/cluster.sh), our
hami-scheduler as kube-scheduler extender and admission webhook, and simulated
GPU nodes created through the API (Node objects with the HAMi registration
annotation and nvidia.com/gpu in status). Without a kubelet, placed pods keep
phase Pending with spec.nodeName set and the HAMi allocation annotations.

Every cluster lives in its own temporary directory with free ports and is torn
down on exit, also when a test fails.
"""
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, "../.."))
CLUSTER_SH = os.path.join(REPO, "tests/cluster/cluster.sh")
K8S_BIN = os.environ.get("HAMI_K8S_BIN_DIR", os.path.expanduser("~/.cache/hami/k8s-v1.36.3"))
BUILD = os.environ.get("HAMI_BUILD_DIR", os.path.join(REPO, "build"))
SKIP = 77

ALLOCATED = "hami.io/vgpu-devices-allocated"
VGPU_NODE = "hami.io/vgpu-node"
REGISTER = "hami.io/node-nvidia-register"
HANDSHAKE = "hami.io/node-handshake"


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def log(msg):
    print(f"[e2e {time.strftime('%H:%M:%S')}] {msg}", flush=True)


class Failure(Exception):
    pass


def check(cond, msg):
    if not cond:
        raise Failure(msg)


def wait_for(what, fn, timeout, interval=0.25):
    """Polls fn() until it returns a truthy value; raises Failure on timeout."""
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        last = fn()
        if last:
            return last
        time.sleep(interval)
    raise Failure(f"timed out after {timeout} s waiting for {what} (last: {last!r})")


def gpu_devices(node, gpus, mem_mib=16000, split=10, model="NVIDIA A100-SXM4-80GB"):
    return [{"id": f"GPU-{node}-{i}", "index": i, "count": split, "devmem": mem_mib, "devcore": 100,
             "type": model, "numa": i % 2, "mode": "hami-core", "health": True} for i in range(gpus)]


def parse_allocated(value):
    """Pod device list -> [[(uuid, type, mem, cores), ...] per container]."""
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


class Cluster:
    """Control plane + hami-scheduler + hami-sim-device-plugin. Use as a
    context manager.

    hami-sim-device-plugin (tests/fakes) is a TEST DOUBLE for the device
    plugin on the simulated nodes: it finishes the Allocate hand-off of bound
    pods (bind-phase success, node lock released). Without it only one pod per
    node could bind until the lock expires, as in a cluster whose device plugin
    is down."""

    def __init__(self, name, scheduler_args=(), webhook=True, extender=True, sim_plugin=True):
        self.name = name
        self.dir = tempfile.mkdtemp(prefix=f"hami-e2e-{name}-")
        self.scheduler_args = list(scheduler_args)
        self.webhook = webhook
        self.extender = extender
        self.sim_plugin = sim_plugin
        self.plugin = None
        self.ext_port = free_port()
        self.wh_port = free_port()
        self.metrics_port = free_port()
        self.sched = None
        self.sched_env = {}
        self.kubeconfig = None
        self.sched_log = os.path.join(self.dir, "hami-scheduler.log")

    # -- lifecycle ---------------------------------------------------------
    @staticmethod
    def available():
        need = [os.path.join(K8S_BIN, b) for b in ("etcd", "kube-apiserver", "kube-scheduler", "kubectl")]
        need.append(os.path.join(BUILD, "src/cmd/hami-scheduler/hami-scheduler"))
        need.append(os.path.join(BUILD, "tests/fakes/hami-sim-device-plugin"))
        missing = [p for p in need if not os.access(p, os.X_OK)]
        return missing

    def __enter__(self):
        try:
            self._up()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, exc_type, exc, tb):
        if self.plugin is not None:
            self.plugin.terminate()
            try:
                self.plugin.wait(10)
            except subprocess.TimeoutExpired:
                self.plugin.kill()
        self.stop_scheduler()
        subprocess.run([CLUSTER_SH, "down", "--dir", os.path.join(self.dir, "cluster")],
                       capture_output=True)
        if exc_type is not None or os.environ.get("HAMI_E2E_KEEP"):
            self.dump_logs()
        shutil.rmtree(self.dir, ignore_errors=True)
        return False

    def dump_logs(self):
        for path in [self.sched_log, os.path.join(self.dir, "cluster/logs/scheduler.log")]:
            if os.path.exists(path):
                lines = open(path, errors="replace").read().splitlines()
                print(f"---- last lines of {os.path.basename(path)} ----")
                for line in lines[-40:]:
                    print("   ", line)

    def _certs(self):
        d = os.path.join(self.dir, "certs")
        os.makedirs(d)
        run = lambda *a: subprocess.run(list(a), check=True, capture_output=True)
        run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
            "/CN=hami-e2e-ca", "-keyout", f"{d}/ca.key", "-out", f"{d}/ca.crt")
        with open(f"{d}/ext", "w") as f:
            f.write("subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n")
        run("openssl", "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=hami-scheduler",
            "-keyout", f"{d}/tls.key", "-out", f"{d}/tls.csr")
        run("openssl", "x509", "-req", "-in", f"{d}/tls.csr", "-CA", f"{d}/ca.crt", "-CAkey",
            f"{d}/ca.key", "-CAcreateserial", "-days", "1", "-extfile", f"{d}/ext", "-out", f"{d}/tls.crt")
        return d

    def _up(self):
        args = [CLUSTER_SH, "up", "--dir", os.path.join(self.dir, "cluster")]
        if self.extender:
            args += ["--extender-url", f"http://127.0.0.1:{self.ext_port}"]
        if self.webhook:
            self.certs = self._certs()
            args += ["--webhook-url", f"https://127.0.0.1:{self.wh_port}/webhook",
                     "--webhook-ca", f"{self.certs}/ca.crt"]
        t = time.time()
        p = subprocess.run(args, capture_output=True, text=True)
        if p.returncode != 0:
            raise Failure(f"cluster.sh up failed:\n{p.stderr}")
        self.kubeconfig = p.stdout.strip().splitlines()[-1]
        log(f"{self.name}: control plane up in {time.time() - t:.1f} s")
        if self.sim_plugin:
            self.plugin = subprocess.Popen(
                [os.path.join(BUILD, "tests/fakes/hami-sim-device-plugin"), "--kubeconfig", self.kubeconfig],
                stdout=open(os.path.join(self.dir, "sim-device-plugin.log"), "w"), stderr=subprocess.STDOUT)
        self.start_scheduler()

    def start_scheduler(self, extra_env=None):
        binary = os.path.join(BUILD, "src/cmd/hami-scheduler/hami-scheduler")
        args = [binary, "--kubeconfig", self.kubeconfig, "--http-bind", f"127.0.0.1:{self.ext_port}",
                "--metrics-bind-address", f"127.0.0.1:{self.metrics_port}",
                "--scheduler-name", "hami-scheduler", "--registration-period", "2s"]
        if self.webhook:
            args += ["--https-bind", f"127.0.0.1:{self.wh_port}", "--cert-file", f"{self.certs}/tls.crt",
                     "--key-file", f"{self.certs}/tls.key"]
        args += self.scheduler_args
        env = dict(os.environ)
        env.update(self.sched_env)
        env.update(extra_env or {})
        logf = open(self.sched_log, "a")
        self.sched = subprocess.Popen(args, stdout=logf, stderr=subprocess.STDOUT, env=env,
                                      start_new_session=True)
        wait_for("hami-scheduler /readyz", self._ready, 30)

    def _ready(self):
        if self.sched.poll() is not None:
            raise Failure(f"hami-scheduler exited with {self.sched.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.ext_port}/readyz", timeout=2) as r:
                return r.status == 200
        except Exception:
            return False

    def scheduler_alive(self):
        return self.sched is not None and self.sched.poll() is None

    def stop_scheduler(self, sig=signal.SIGTERM):
        if self.sched is None:
            return
        if self.sched.poll() is None:
            os.killpg(self.sched.pid, sig)
            try:
                self.sched.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.sched.pid, signal.SIGKILL)
                self.sched.wait()
        self.sched = None

    def metrics(self):
        with urllib.request.urlopen(f"http://127.0.0.1:{self.metrics_port}/metrics", timeout=5) as r:
            return r.read().decode()

    # -- kubectl -------------------------------------------------------------
    def kubectl(self, *args, stdin=None, check_rc=True):
        p = subprocess.run([os.path.join(K8S_BIN, "kubectl"), "--kubeconfig", self.kubeconfig, *args],
                           input=stdin, capture_output=True, text=True)
        if check_rc and p.returncode != 0:
            raise Failure(f"kubectl {' '.join(args)}: {p.stderr.strip()}")
        return p

    def get(self, *args):
        return json.loads(self.kubectl("get", *args, "-o", "json").stdout)

    def create(self, objs):
        """Creates objects (a dict or a list of dicts) in one kubectl call."""
        items = objs if isinstance(objs, list) else [objs]
        return self.kubectl("create", "-f", "-", stdin=json.dumps({"apiVersion": "v1", "kind": "List",
                                                                    "items": items}))

    def add_gpu_nodes(self, names, gpus=4, mem_mib=16000, split=10, annotations=None):
        nodes = []
        for n in names:
            ann = {REGISTER: json.dumps(gpu_devices(n, gpus, mem_mib, split))}
            ann.update((annotations or {}).get(n, {}))
            nodes.append({"apiVersion": "v1", "kind": "Node",
                          "metadata": {"name": n, "annotations": ann, "labels": {"gpu": "on"}},
                          "status": {"capacity": {"pods": "250", "cpu": "64", "memory": "512Gi",
                                                  "nvidia.com/gpu": str(gpus * split)}}})
        self.create(nodes)

    def pods(self, ns):
        return self.get("pods", "-n", ns)["items"]

    def events(self, ns, name):
        ev = self.get("events", "-n", ns, "--field-selector", f"involvedObject.name={name}")
        return ev["items"]


def gpu_pod(name, ns, mem_mib=None, cores=None, gpus=1, extra_limits=None, privileged=False):
    limits = {"nvidia.com/gpu": str(gpus)}
    if mem_mib is not None:
        limits["nvidia.com/gpumem"] = str(mem_mib)
    if cores is not None:
        limits["nvidia.com/gpucores"] = str(cores)
    limits.update(extra_limits or {})
    ctr = {"name": "c", "image": "busybox", "resources": {"limits": limits}}
    if privileged:
        ctr["securityContext"] = {"privileged": True}
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": ns},
            "spec": {"containers": [ctr], "terminationGracePeriodSeconds": 0}}


def placed(pod):
    ann = pod["metadata"].get("annotations", {})
    return bool(pod["spec"].get("nodeName")) and ALLOCATED in ann


def check_no_overcommit(pods, node_gpus):
    """node_gpus: uuid -> (mem_mib, split). Raises Failure on any over-commit;
    returns {uuid: (count, mem, cores)}."""
    use = {}
    for pod in pods:
        ann = pod["metadata"].get("annotations", {})
        if ALLOCATED not in ann:
            continue
        node = pod["spec"].get("nodeName") or ann.get(VGPU_NODE)
        for ctr in parse_allocated(ann[ALLOCATED]):
            for uuid, _t, mem, cores in ctr:
                check(uuid in node_gpus, f"{pod['metadata']['name']}: unknown GPU {uuid}")
                check(uuid.startswith(f"GPU-{node}-"),
                      f"{pod['metadata']['name']}: GPU {uuid} is not on its node {node}")
                c, m, k = use.get(uuid, (0, 0, 0))
                use[uuid] = (c + 1, m + mem, k + cores)
    for uuid, (count, mem, cores) in use.items():
        cap_mem, split = node_gpus[uuid]
        check(count <= split, f"GPU {uuid} shared by {count} > {split} pods")
        check(mem <= cap_mem, f"GPU {uuid} memory over-committed: {mem} > {cap_mem} MiB")
        check(cores <= 100, f"GPU {uuid} cores over-committed: {cores}% > 100%")
    return use


def main(tests):
    """Runs the named test function from argv[1]; exit 0 pass, 1 fail, 77 skip."""
    import sys
    name = sys.argv[1] if len(sys.argv) > 1 else ""
    if name not in tests:
        print(f"usage: {sys.argv[0]} {'|'.join(tests)}")
        return 2
    missing = Cluster.available()
    if missing:
        # On CI the set-up script must have built them: missing is a failure there.
        print(("FAIL" if os.environ.get("CI") else "SKIP") + ": missing " + ", ".join(missing))
        return 1 if os.environ.get("CI") else SKIP
    t = time.time()
    try:
        tests[name]()
    except Failure as e:
        print(f"FAIL {name}: {e}")
        return 1
    print(f"PASS {name} ({time.time() - t:.1f} s)")
    return 0
