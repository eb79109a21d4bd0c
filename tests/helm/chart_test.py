#!/usr/bin/env python3
"""Checks of the Helm chart deploy/helm/hami with a real helm binary.

  chart_test.py --helm PATH [--chart DIR] [--case NAME]

Runs `helm lint` and `helm template` for several value sets and asserts on the
rendered objects (names, ports, selectors, certificates, the generated
KubeSchedulerConfiguration). Exit 0 when every case passes; prints one line per
failed assertion. Optional `--dump DIR` writes each case's rendered YAML there.
"""
import argparse
import base64
import json
import os
import subprocess
import sys
import tempfile

import yaml

FAILURES = []


def check(cond, what):
    if not cond:
        FAILURES.append(what)
        print(f"  FAIL: {what}")
    return cond


def helm(helm_bin, *args):
    proc = subprocess.run([helm_bin, *args], capture_output=True, text=True)
    return proc.returncode, proc.stdout, proc.stderr


def render(helm_bin, chart, values, kube_version="1.36.3", release="hami", ns="hami-system"):
    with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as f:
        yaml.safe_dump(values, f)
        vfile = f.name
    try:
        rc, out, err = helm(helm_bin, "template", release, chart, "-n", ns,
                            "--kube-version", kube_version, "-f", vfile)
    finally:
        os.unlink(vfile)
    if rc != 0:
        return None, err
    return out, None


def objects(text):
    return [o for o in yaml.safe_load_all(text) if o]


def find(objs, kind, name=None):
    for o in objs:
        if o["kind"] == kind and (name is None or o["metadata"]["name"] == name):
            return o
    return None


def container(deploy, name):
    for c in deploy["spec"]["template"]["spec"]["containers"]:
        if c["name"] == name:
            return c
    return None


def sched_config(objs, name="hami-scheduler"):
    cm = find(objs, "ConfigMap", name)
    return yaml.safe_load(cm["data"]["config.yaml"]) if cm else None


# ---------------------------------------------------------------------------
def case_defaults(objs, text):
    dep = find(objs, "Deployment", "hami-scheduler")
    if not check(dep is not None, "Deployment hami-scheduler rendered"):
        return
    ks = container(dep, "kube-scheduler")
    ext = container(dep, "vgpu-scheduler-extender")
    check(ks is not None and ext is not None, "scheduler pod has kube-scheduler + extender containers")
    check(ks["image"] == "registry.k8s.io/kube-scheduler:v1.36.3",
          f"kube-scheduler image follows the cluster version (got {ks['image']})")
    check("--config=/config/config.yaml" in ks["command"], "kube-scheduler reads /config/config.yaml")
    check("--https-bind=0.0.0.0:8443" in ext["command"], "extender serves HTTPS for the webhook")
    check("--cert-file=/tls/tls.crt" in ext["command"], "extender gets the TLS certificate")
    check("--scheduler-name=hami-scheduler" in ext["command"], "extender knows the scheduler name")
    check("--leader-elect=true" in ext["command"], "leader election on by default")
    labels = dep["spec"]["template"]["metadata"]["labels"]
    check(labels.get("hami.io/webhook") == "ignore", "scheduler pods are skipped by the webhook")
    check(dep["spec"]["replicas"] == 1, "one replica by default")

    cfg = sched_config(objs)
    check(cfg["apiVersion"] == "kubescheduler.config.k8s.io/v1", "KubeSchedulerConfiguration v1 on 1.36")
    check(cfg["profiles"] == [{"schedulerName": "hami-scheduler"}], "profile hami-scheduler")
    check(cfg["leaderElection"]["resourceNamespace"] == "hami-system", "lease in release namespace")
    ex = cfg["extenders"][0]
    check(ex["urlPrefix"] == "http://127.0.0.1:8080", "extender reached on loopback")
    check(ex["filterVerb"] == "filter" and ex["bindVerb"] == "bind", "filter + bind verbs")
    check(ex["nodeCacheCapable"] is True, "nodeCacheCapable")
    managed = {m["name"]: m for m in ex["managedResources"]}
    for r in ("nvidia.com/gpu", "nvidia.com/gpumem", "nvidia.com/gpucores",
              "nvidia.com/gpumem-percentage", "nvidia.com/priority", "hygon.com/dcunum",
              "amd.com/gpu", "kunlunxin.com/vxpu-memory"):
        check(r in managed and managed[r]["ignoredByScheduler"] is True, f"managedResources has {r}")

    svc = find(objs, "Service", "hami-scheduler")
    ports = {p["name"]: p for p in svc["spec"]["ports"]}
    check(ports["http"]["port"] == 443 and ports["http"]["nodePort"] == 31998, "webhook port 443/31998")
    check(ports["monitor"]["port"] == 31993 and ports["monitor"]["nodePort"] == 31993,
          "scheduler metrics 31993/31993")
    check("hami.io/scheduler-role" not in svc["spec"]["selector"], "single replica: no leader selector")
    mon = find(objs, "Service", "hami-device-plugin-monitor")
    check(mon and mon["spec"]["ports"][0]["nodePort"] == 31992, "monitor Service nodePort 31992")

    mwc = find(objs, "MutatingWebhookConfiguration", "hami-webhook")
    if check(mwc is not None, "MutatingWebhookConfiguration hami-webhook"):
        wh = mwc["webhooks"][0]
        check(wh["failurePolicy"] == "Ignore", "failurePolicy Ignore")
        check(wh["sideEffects"] == "None", "sideEffects None")
        check(wh["clientConfig"]["service"]["path"] == "/webhook", "path /webhook")
        for sel in ("namespaceSelector", "objectSelector"):
            exprs = wh[sel]["matchExpressions"]
            check({"key": "hami.io/webhook", "operator": "NotIn", "values": ["ignore"]} in exprs,
                  f"{sel} excludes hami.io/webhook=ignore")
        check(wh["rules"][0]["operations"] == ["CREATE"] and wh["rules"][0]["resources"] == ["pods"],
              "CREATE pods only")
        sec = find(objs, "Secret", "hami-scheduler-tls")
        if check(sec is not None, "TLS Secret rendered"):
            check(sec["data"]["ca.crt"] == wh["clientConfig"]["caBundle"], "caBundle is the Secret's CA")
            pem = base64.b64decode(sec["data"]["tls.crt"]).decode()
            check(pem.startswith("-----BEGIN CERTIFICATE-----"), "tls.crt is a PEM certificate")
            check(int(sec["metadata"]["annotations"]["hami.io/cert-expires-unix"]) > 0, "expiry recorded")

    ds = find(objs, "DaemonSet", "hami-device-plugin")
    if check(ds is not None, "DaemonSet hami-device-plugin"):
        spec = ds["spec"]["template"]["spec"]
        check(spec["nodeSelector"] == {"gpu": "on"}, "DaemonSet on gpu=on nodes")
        names = [c["name"] for c in spec["containers"]]
        check(names == ["device-plugin", "vgpu-monitor"], "device-plugin + vgpu-monitor containers")
        init = spec["initContainers"][0]
        check("libvgpu.so" in " ".join(init["args"]), "init container installs libvgpu.so")
        vols = {v["name"]: v for v in spec["volumes"]}
        check(vols["vgpu-lib"]["hostPath"]["path"] == "/usr/local/vgpu", "libvgpu.so on host /usr/local/vgpu")
        mon_c = spec["containers"][1]
        check("--metrics-bind-address=:9394" in mon_c["command"], "monitor on 9394")
        mounts = {m["name"]: m for m in mon_c.get("volumeMounts", [])}
        # The monitor writes into the regions (priority feedback) and removes what pods
        # that left the node leave behind: container dirs and the plugin's limits files.
        check("vgpu-containers" in mounts and not mounts["vgpu-containers"].get("readOnly"),
              "monitor mounts the containers dir read-write")
        check(vols.get("vgpu-limits", {}).get("hostPath", {}).get("path") == "/usr/local/vgpu/limits"
              and mounts.get("vgpu-limits", {}).get("mountPath") == "/usr/local/vgpu/limits"
              and not mounts["vgpu-limits"].get("readOnly"),
              "monitor mounts the limits dir read-write at the host's path")

    dcm = find(objs, "ConfigMap", "hami-scheduler-device")
    if check(dcm is not None, "device ConfigMap hami-scheduler-device"):
        dc = yaml.safe_load(dcm["data"]["device-config.yaml"])
        nv = dc["nvidia"]
        check(nv["resourceCountName"] == "nvidia.com/gpu", "device-config resourceCountName")
        check(nv["deviceSplitCount"] == 10, "device-config deviceSplitCount 10")
        check(nv["defaultGPUNum"] == 1, "device-config defaultGPUNum 1")
    ncm = find(objs, "ConfigMap", "hami-device-plugin")
    if check(ncm is not None, "per-node ConfigMap hami-device-plugin"):
        check(json.loads(ncm["data"]["config.json"]) == {"nodeconfig": []}, "empty node config")

    # Least privilege: no wildcard verbs or resources anywhere.
    for o in objs:
        if o["kind"] in ("ClusterRole", "Role"):
            for rule in o.get("rules", []):
                check("*" not in rule.get("verbs", []) and "*" not in rule.get("resources", []),
                      f"{o['kind']} {o['metadata']['name']} has no wildcard")
    cr = find(objs, "ClusterRole", "hami-scheduler")
    rules = {tuple(r["resources"]): r["verbs"] for r in cr["rules"]}
    check(rules.get(("pods/binding",)) == ["create"], "scheduler may create pods/binding")
    check("delete" not in sum(rules.values(), []), "scheduler deletes nothing")


def case_webhook_off(objs, text):
    check(find(objs, "MutatingWebhookConfiguration") is None, "no webhook configuration")
    check(find(objs, "Secret") is None, "no TLS secret")
    dep = find(objs, "Deployment", "hami-scheduler")
    ext = container(dep, "vgpu-scheduler-extender")
    check(not any(a.startswith("--https-bind") for a in ext["command"]), "no HTTPS listener")
    vols = [v["name"] for v in dep["spec"]["template"]["spec"]["volumes"]]
    check("tls" not in vols, "no TLS volume")
    svc = find(objs, "Service", "hami-scheduler")
    check([p["name"] for p in svc["spec"]["ports"]] == ["monitor"], "only the metrics port")


def case_cert_manager(objs, text):
    check(find(objs, "Secret") is None, "Helm issues no certificate with cert-manager")
    check(find(objs, "Issuer", "hami-scheduler-selfsigned") is not None, "self-signed Issuer")
    cert = find(objs, "Certificate", "hami-scheduler-serving")
    if check(cert is not None, "Certificate rendered"):
        check(cert["spec"]["secretName"] == "hami-scheduler-tls", "Certificate writes hami-scheduler-tls")
        check("hami-scheduler.hami-system.svc" in cert["spec"]["dnsNames"], "service DNS name in cert")
    mwc = find(objs, "MutatingWebhookConfiguration", "hami-webhook")
    check(mwc["metadata"]["annotations"]["cert-manager.io/inject-ca-from"]
          == "hami-system/hami-scheduler-serving", "cainjector annotation")
    check("caBundle" not in mwc["webhooks"][0]["clientConfig"], "caBundle left to cainjector")


def case_custom_names(objs, text):
    dep = find(objs, "Deployment", "gpu-hami-scheduler")
    if not check(dep is not None, "release-prefixed names (gpu-hami-scheduler)"):
        return
    ext = container(dep, "vgpu-scheduler-extender")
    check("--scheduler-name=my-gpu-scheduler" in ext["command"], "custom scheduler name passed")
    cfg = sched_config(objs, "gpu-hami-scheduler")
    check(cfg["profiles"][0]["schedulerName"] == "my-gpu-scheduler", "custom profile name")
    managed = [m["name"] for m in cfg["extenders"][0]["managedResources"]]
    for r in ("example.com/vgpu", "example.com/vgpu-mem", "example.com/vgpu-cores", "example.com/extra"):
        check(r in managed, f"custom resource {r} managed")
    check("nvidia.com/gpu" not in managed, "default NVIDIA name replaced")
    dc = yaml.safe_load(find(objs, "ConfigMap", "gpu-hami-scheduler-device")["data"]["device-config.yaml"])
    check(dc["nvidia"]["resourceCountName"] == "example.com/vgpu", "device-config has custom count name")
    check(dc["nvidia"]["resourceMemoryName"] == "example.com/vgpu-mem", "device-config has custom memory name")
    ncm = find(objs, "ConfigMap", "gpu-hami-device-plugin")
    nc = json.loads(ncm["data"]["config.json"])
    check(nc["nodeconfig"][0] == {"name": "node-a", "devicesplitcount": 4}, "per-node override rendered")
    mwc = find(objs, "MutatingWebhookConfiguration", "gpu-hami-webhook")
    exprs = mwc["webhooks"][0]["namespaceSelector"]["matchExpressions"]
    check({"key": "kubernetes.io/metadata.name", "operator": "NotIn", "values": ["kube-system"]} in exprs,
          "whitelisted namespace excluded")
    ds = find(objs, "DaemonSet", "gpu-hami-device-plugin")
    check(ds["spec"]["template"]["spec"]["nodeSelector"] == {"accelerator": "nvidia"}, "custom node selector")
    check(find(objs, "RuntimeClass", "nvidia") is not None, "RuntimeClass created")


def case_leader_election(objs, text):
    dep = find(objs, "Deployment", "hami-scheduler")
    check(dep["spec"]["replicas"] == 2, "two replicas")
    svc = find(objs, "Service", "hami-scheduler")
    check(svc["spec"]["selector"].get("hami.io/scheduler-role") == "leader", "Service routes to the leader")
    cfg = sched_config(objs)
    check(cfg["leaderElection"]["leaderElect"] is True, "kube-scheduler elects a leader")
    ext = container(dep, "vgpu-scheduler-extender")
    check("--leader-elect=true" in ext["command"], "extender elects a leader")
    role = find(objs, "Role", "hami-scheduler")
    check(any("leases" in r["resources"] for r in role["rules"]), "Role grants leases")


def case_old_cluster(objs, text):
    cfg = sched_config(objs)
    check(cfg["apiVersion"] == "kubescheduler.config.k8s.io/v1beta2", "v1beta2 on 1.24")
    ks = container(find(objs, "Deployment", "hami-scheduler"), "kube-scheduler")
    check(ks["image"].endswith(":v1.24.17"), "kube-scheduler image v1.24.17")


def case_ascend(objs, text):
    dep = find(objs, "Deployment", "hami-scheduler")
    ext = container(dep, "vgpu-scheduler-extender")
    check("--enable-ascend" in ext["command"], "--enable-ascend passed when devices.ascend.enabled")
    managed = [m["name"] for m in sched_config(objs)["extenders"][0]["managedResources"]]
    for r in ("huawei.com/Ascend910B3", "huawei.com/Ascend910B3-memory", "huawei.com/Ascend310P-core",
              "huawei.com/Ascend910C"):
        check(r in managed, f"Ascend resource {r} managed")
    dc = yaml.safe_load(find(objs, "ConfigMap", "hami-scheduler-device")["data"]["device-config.yaml"])
    chips = {c["commonWord"]: c for c in dc["vnpus"]["configs"]}
    check(list(chips) == ["Ascend910A", "Ascend910B2", "Ascend910B3", "Ascend910B4-1", "Ascend910B4",
                          "Ascend310P", "Ascend910C"], "vnpus lists HAMi's seven chips")
    check(chips["Ascend310P"]["templates"][0] == {"name": "vir01", "memory": 3072, "aiCore": 1, "aiCPU": 1},
          "310P3 template vir01")
    check(chips["Ascend910C"].get("superPod") is True, "910C is a superPod chip")
    check(chips["Ascend910B3"]["runtimeClassName"] == "ascend", "Ascend runtimeClassName from values")


CASES = {
    "defaults": ({}, "1.36.3", "hami", case_defaults),
    "webhook-off": ({"scheduler": {"admissionWebhook": {"enabled": False}}}, "1.36.3", "hami",
                    case_webhook_off),
    "cert-manager": ({"scheduler": {"certManager": {"enabled": True}}}, "1.36.3", "hami",
                     case_cert_manager),
    "custom-names": ({
        "schedulerName": "my-gpu-scheduler",
        "resourceName": "example.com/vgpu", "resourceMem": "example.com/vgpu-mem",
        "resourceCores": "example.com/vgpu-cores",
        "extraManagedResources": ["example.com/extra"],
        "scheduler": {"admissionWebhook": {"whitelistNamespaces": ["kube-system"]}},
        "devicePlugin": {"nvidiaNodeSelector": {"gpu": None, "accelerator": "nvidia"},
                         "nodeConfig": [{"name": "node-a", "devicesplitcount": 4}],
                         "runtimeClassName": "nvidia", "createRuntimeClass": True},
    }, "1.36.3", "gpu", case_custom_names),
    "leader-election": ({"scheduler": {"replicas": 2, "leaderElect": True}}, "1.36.3", "hami",
                        case_leader_election),
    "old-cluster": ({}, "1.24.17", "hami", case_old_cluster),
    "ascend": ({"devices": {"ascend": {"enabled": True, "runtimeClassName": "ascend"}}}, "1.36.3", "hami",
               case_ascend),
}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--helm", required=True)
    ap.add_argument("--chart", default=os.path.join(os.path.dirname(__file__), "../../deploy/helm/hami"))
    ap.add_argument("--case", action="append")
    ap.add_argument("--dump")
    args = ap.parse_args()

    print("== helm lint")
    for strict in (["--strict"],):
        rc, out, err = helm(args.helm, "lint", args.chart, *strict, "--kube-version", "1.36.3")
        check(rc == 0, f"helm lint passes:\n{out}{err}")

    for name, (values, kv, release, fn) in CASES.items():
        if args.case and name not in args.case:
            continue
        print(f"== helm template: {name}")
        text, err = render(args.helm, args.chart, values, kv, release)
        if not check(text is not None, f"{name}: helm template succeeds: {err}"):
            continue
        if args.dump:
            with open(os.path.join(args.dump, f"{name}.yaml"), "w") as f:
                f.write(text)
        fn(objects(text), text)

    # Invalid combinations must fail with a clear message.
    print("== helm template: invalid values")
    _, err = render(args.helm, args.chart, {"scheduler": {"replicas": 2, "leaderElect": False}})
    check(err is not None and "leaderElect" in err, "2 replicas without leader election is refused")
    _, err = render(args.helm, args.chart, {}, kube_version="1.21.0")
    check(err is not None, "Kubernetes 1.21 is refused")

    # Every value is documented in docs/configuration.md (by its full dotted path, or
    # by its parent's path for documented groups such as updateStrategy).
    print("== values documented in docs/configuration.md")
    doc_path = os.path.join(os.path.dirname(args.chart.rstrip("/")), "../../docs/configuration.md")
    if os.path.exists(doc_path):
        doc = open(doc_path).read()
        values = yaml.safe_load(open(os.path.join(args.chart, "values.yaml")))

        def leaves(d, p=""):
            for k, x in d.items():
                q = f"{p}.{k}" if p else k
                if isinstance(x, dict) and x:
                    yield from leaves(x, q)
                else:
                    yield q

        for key in leaves(values):
            parts = key.split(".")
            names = {".".join(parts[:i]) for i in range(1, len(parts) + 1)}
            short = ".".join(parts[:-1]) + "." if len(parts) > 1 else ""
            ok = (f"`{key}`" in doc or any(f"`{n}`" in doc for n in names if n.count(".") >= 1)
                  or (short and f"{short}" in doc and f"`{parts[-1]}`" in doc)
                  or f"/ `{parts[-1]}`" in doc or f"/ `.{parts[-1]}`" in doc)
            check(ok, f"value {key} documented in docs/configuration.md")

    if FAILURES:
        print(f"{len(FAILURES)} assertion(s) failed")
        return 1
    print("all chart checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
