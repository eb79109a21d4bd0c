"""Every vendor through the real kube-scheduler (issue #24): for each vendor case
(a vendor may have several: Vastai card and die mode, Neuron devices and cores) one
simulated node publishing its inventory exactly as the vendor's device plugin
does (annotations and/or node capacity), one pod that fits and must be bound
there with the annotations the vendor's plugin reads (byte-exact), and one pod
that must stay Pending with HAMi's reason token in our FilteringFailed event.

Runs inside the `unschedulable` scenario's cluster (hami-scheduler started with
--enable-iluvatar --enable-ascend), so it costs no extra control plane.
"""
import re

from harness import check, log, wait_for

NUMERIC = r"[0-9]+"

# vendor, optional case name (default: the vendor; names the node), node
# annotations, optional node labels, node capacity, fitting limits, expected
# annotations (key -> exact value or re.Pattern), refused limits, refused pod
# annotations, accepted reason tokens (fit_annotations: pod annotations of the fitting pod).
CASES = [
    dict(vendor="DCU",
         node={"hami.io/node-dcu-register": "DCU-e2e-0,4,65520,100,DCU-Z100,0,true,0,hami-core:"},
         capacity={"hygon.com/dcunum": "4"},
         fit={"hygon.com/dcunum": "1", "hygon.com/dcumem": "2000", "hygon.com/dcucores": "60"},
         expect={"hami.io/dcu-devices-to-allocate": "DCU-e2e-0,DCU,2000,60:;",
                 "hami.io/dcu-devices-allocated": "DCU-e2e-0,DCU,2000,60:;"},
         refuse={"hygon.com/dcunum": "1", "hygon.com/dcumem": "900000"},
         reasons=("CardInsufficientMemory",)),
    dict(vendor="MLU",
         node={},
         capacity={"cambricon.com/vmlu": "1", "cambricon.com/mlu.smlu.vcore": "100",
                   "cambricon.com/mlu.smlu.vmemory": "64"},
         fit={"cambricon.com/vmlu": "1", "cambricon.com/mlu.smlu.vmemory": "10",
              "cambricon.com/mlu.smlu.vcore": "50"},
         expect={"hami.io/cambricon-mlu-devices-allocated": "v-mlu-cambricon-mlu-0,MLU,2560,50:;",
                 "hami.io/cambricon-mlu-devices-to-allocate": "v-mlu-cambricon-mlu-0,MLU,2560,50:;",
                 "CAMBRICON_DSMLU_ASSIGNED": "false", "CAMBRICON_DSMLU_PROFILE": "0_50_10"},
         refuse={"cambricon.com/vmlu": "1", "cambricon.com/mlu.smlu.vmemory": "1",
                 "cambricon.com/mlu.smlu.vcore": "1"},
         refuse_annotations={"cambricon.com/use-gpuuuid": "no-such-card"},
         reasons=("CardUuidMismatch",)),
    dict(vendor="MR-V100",
         node={"hami.io/node-MR-V100-register": "ilu-e2e-0,4,32768,100,MR-V100,0,true,0,hami-core:"},
         capacity={"iluvatar.ai/MR-V100-vgpu": "4"},
         fit={"iluvatar.ai/MR-V100-vgpu": "1", "iluvatar.ai/MR-V100.vMem": "8", "iluvatar.ai/MR-V100.vCore": "30"},
         expect={"hami.io/MR-V100-devices-allocated": "ilu-e2e-0,MR-V100,2048,30:;",
                 "hami.io/MR-V100-devices-to-allocate": "ilu-e2e-0,MR-V100,2048,30:;"},
         refuse={"iluvatar.ai/MR-V100-vgpu": "1", "iluvatar.ai/MR-V100.vMem": "1000"},
         reasons=("CardInsufficientMemory",)),
    dict(vendor="Mthreads",
         node={},
         capacity={"mthreads.com/vgpu": "8", "mthreads.com/sgpu-core": "16", "mthreads.com/sgpu-memory": "96"},
         fit={"mthreads.com/vgpu": "1", "mthreads.com/sgpu-memory": "8", "mthreads.com/sgpu-core": "4"},
         expect={"hami.io/mthreads-vgpu-devices-allocated": "v-mthreads-mthreads-0,Mthreads,4096,4:;",
                 "mthreads.com/gpu-index": "0", "mthreads.com/predicate-node": "v-mthreads",
                 "mthreads.com/predicate-time": re.compile(NUMERIC)},
         refuse={"mthreads.com/vgpu": "1", "mthreads.com/sgpu-memory": "2", "mthreads.com/sgpu-core": "1"},
         refuse_annotations={"mthreads.ai/use-gpuuuid": "no-such-gpu"},
         reasons=("CardUuidMismatch",)),
    dict(vendor="Metax-GPU",
         node={},
         capacity={"metax-tech.com/gpu": "1"},
         fit={"metax-tech.com/gpu": "1"},
         expect={"hami.io/metax-gpu-devices-allocated": "v-metax-gpu-metax-0,Metax-GPU,65536,100:;",
                 "hami.io/metax-gpu-devices-to-allocate": "v-metax-gpu-metax-0,Metax-GPU,65536,100:;"},
         refuse={"metax-tech.com/gpu": "2"},
         reasons=("NodeInsufficientDevice",)),
    dict(vendor="Metax-SGPU",
         node={"metax-tech.com/node-gpu-devices": '[{"uuid":"sgpu-e2e-0","model":"C500","totalDevCount":16,'
                                                  '"totalCompute":100,"totalVRam":65536,"healthy":true,'
                                                  '"qosPolicy":"best-effort","linkZone":1}]'},
         capacity={"metax-tech.com/sgpu": "16"},
         fit={"metax-tech.com/sgpu": "1", "metax-tech.com/vmemory": "4", "metax-tech.com/vcore": "30"},
         expect={"hami.io/metax-sgpu-devices-allocated": "sgpu-e2e-0,Metax-SGPU,4096,30:;",
                 "hami.io/metax-sgpu-devices-to-allocate": "sgpu-e2e-0,Metax-SGPU,4096,30:;",
                 "metax-tech.com/gpu-devices-allocated": '[[{"uuid":"sgpu-e2e-0","compute":30,"vRam":4096}]]',
                 "metax-tech.com/predicate-time": re.compile(NUMERIC),
                 "metax-tech.com/sgpu-qos-policy": "best-effort"},  # the webhook's default
         refuse={"metax-tech.com/sgpu": "1", "metax-tech.com/vmemory": "1"},
         refuse_annotations={"metax-tech.com/use-gpuuuid": "no-such-gpu"},
         reasons=("CardUuidMismatch",)),
    dict(vendor="GCU",
         node={},
         capacity={"enflame.com/gcu": "1"},
         fit={"enflame.com/gcu": "1"},
         expect={"hami.io/enflame-gcu-devices-allocated": "v-gcu-GCU-0,GCU,100,100:;",
                 "hami.io/enflame-gcu-devices-to-allocate": "v-gcu-GCU-0,GCU,100,100:;"},
         refuse={"enflame.com/gcu": "2"},
         reasons=("NodeInsufficientDevice",)),
    dict(vendor="Enflame",
         node={"enflame.com/gcu-drs-capacity": '{"devices":[{"index":"0","minor":"0","capacity":6}],'
                                               '"profiles":{"1g.6gb":"0","3g.20gb":"1","6g.40gb":"2"}}'},
         capacity={"enflame.com/drs-gcu": "6"},
         fit={"enflame.com/drs-gcu": "3"},
         expect={"hami.io/enflame-vgpu-devices-allocated": "v-enflame-enflame-drs-0,Enflame,20480,50:;",
                 "assigned-containers": '{"c":{"allocated":false,"request":3,"profileID":"1","profileName":"3g.20gb"}}',
                 "enflame.com/gcu-assigned": "false",
                 "enflame.com/gcu-assigned-time": re.compile(NUMERIC),
                 "enflame.com/gcu-assigned-index": "0",
                 "enflame.com/gcu-assigned-id": "0",
                 "enflame.com/gcu-assigned-minor": "0",
                 "enflame.com/gcu-request-size": "3"},
         refuse={"enflame.com/drs-gcu": "2"},  # no 2-slice profile
         reasons=("ModeNotFit",)),
    dict(vendor="kunlun",
         node={},
         capacity={"kunlunxin.com/xpu": "8"},
         fit={"kunlunxin.com/xpu": "2"},
         expect={"BAIDU_COM_DEVICE_IDX": re.compile(r"[0-7],[0-7]"),
                 "hami.io/kunlun-allocated": re.compile(r"(v-kunlun-kunlun-[0-7],kunlun,98304,100:){2};")},
         refuse={"kunlunxin.com/xpu": "3"},
         reasons=("NumaNotFit",)),
    dict(vendor="XPU",
         node={"hami.io/node-register-xpu": '[{"id":"XPU-e2e-0","index":0,"count":4,"devmem":98304,'
                                            '"devcore":100,"type":"P800","health":true}]'},
         capacity={"kunlunxin.com/vxpu": "4"},
         fit={"kunlunxin.com/vxpu": "1", "kunlunxin.com/vxpu-memory": "20000"},  # rounded to 24576
         expect={"hami.io/xpu-devices-allocated": "XPU-e2e-0,XPU,24576,25:;",
                 "hami.io/xpu-devices-to-allocate": "XPU-e2e-0,XPU,24576,25:;"},
         refuse={"kunlunxin.com/vxpu": "2", "kunlunxin.com/vxpu-memory": "24576"},
         reasons=("NumaNotFit", "NodeInsufficientDevice")),
    dict(vendor="AMD",
         node={"hami.io/node-amd-register": '[{"id":"amd-e2e-0","count":10,"devmem":196608,"devcore":304,'
                                            '"type":"AMD Instinct MI300X VF","mode":"hami-core","health":true}]'},
         capacity={"amd.com/gpu": "10"},
         fit={"amd.com/gpu": "1", "amd.com/gpumem": "4096", "amd.com/gpucores": "25"},
         expect={"hami.io/amd-devices-allocated": "amd-e2e-0,AMD Instinct MI300X VF,4096,76:;",
                 "hami.io/amd-devices-to-allocate": "amd-e2e-0,AMD Instinct MI300X VF,4096,76:;"},
         refuse={"amd.com/gpu": "1", "amd.com/gpumem": "900000"},
         reasons=("CardInsufficientMemory",)),
    dict(vendor="Biren",
         node={"hami.io/node-biren-register": '[{"id":"BR-e2e-0","count":1,"devmem":65536,"type":"BR104",'
                                             '"health":true}]'},
         capacity={"birentech.com/gpu": "1"},
         fit={"birentech.com/gpu": "1"},
         expect={"hami.io/Biren-devices-allocated": "BR-e2e-0,Biren,0,0:;",
                 "hami.io/Biren-devices-to-allocate": "BR-e2e-0,Biren,0,0:;"},
         refuse={"birentech.com/gpu": "1"},
         refuse_annotations={"birentech.com/use-gpuuuid": "no-such-card"},
         reasons=("CardUuidMismatch",)),
    dict(vendor="Vastai",
         node={"hami.io/node-va-register": '[{"id":"VA-e2e-0","count":1,"devmem":16384,"devcore":8,"type":"VA1",'
                                           '"health":true}]'},
         capacity={"vastaitech.com/va": "1"},
         fit={"vastaitech.com/va": "1"},
         expect={"hami.io/Vastai-devices-allocated": "VA-e2e-0,Vastai,0,0:;",
                 "hami.io/Vastai-devices-to-allocate": "VA-e2e-0,Vastai,0,0:;"},
         refuse={"vastaitech.com/va": "1"},
         refuse_annotations={"vastaitech.com/use-gpuuuid": "no-such-card"},
         reasons=("CardUuidMismatch",)),
    # Ascend (--enable-ascend): a 910B3 hard split (20000 MB rounds up to the
    # 32768 MB template vir10_3c_32g at admission) and a soft-split pod on a node
    # without hami-vnpu-core; a 310P soft split on a hami-vnpu-core node and a
    # pod refused by UUID.
    dict(vendor="Ascend910B3",
         node={"hami.io/node-register-Ascend910B3":
               '[{"id":"npu-e2e-0","index":0,"count":4,"devmem":65536,"devcore":20,"type":"Ascend910B3",'
               '"health":true,"custominfo":{"NetworkID":0}}]'},
         capacity={"huawei.com/Ascend910B3": "4"},
         fit={"huawei.com/Ascend910B3": "1", "huawei.com/Ascend910B3-memory": "20000"},
         expect={"hami.io/Ascend910B3-devices-allocated": "npu-e2e-0,Ascend910B3,32768,0:;",
                 "hami.io/Ascend910B3-devices-to-allocate": "npu-e2e-0,Ascend910B3,32768,0:;",
                 "huawei.com/Ascend910B3": '[{"UUID":"npu-e2e-0","temp":"vir10_3c_32g","memory":32768}]',
                 "predicate-time": re.compile(NUMERIC)},
         refuse={"huawei.com/Ascend910B3": "1", "huawei.com/Ascend910B3-memory": "1000",
                 "huawei.com/Ascend910B3-core": "10"},
         refuse_annotations={"huawei.com/vnpu-mode": "hami-core"},
         reasons=("ModeNotFit",)),
    dict(vendor="Ascend310P",
         node={"hami.io/node-register-Ascend310P":
               '[{"id":"npu310-e2e-0","index":0,"count":4,"devmem":21527,"devcore":8,"type":"Ascend310P",'
               '"health":true}]',
               "hami-vnpu-core": "true"},
         capacity={"huawei.com/Ascend310P": "4"},
         fit={"huawei.com/Ascend310P": "1", "huawei.com/Ascend310P-memory": "5000", "huawei.com/Ascend310P-core": "40"},
         fit_annotations={"huawei.com/vnpu-mode": "hami-core"},
         expect={"hami.io/Ascend310P-devices-allocated": "npu310-e2e-0,Ascend310P,5000,40:;",
                 "huawei.com/Ascend310P": '[{"UUID":"npu310-e2e-0","memory":5000,"core":40}]',
                 "predicate-time": re.compile(NUMERIC)},
         refuse={"huawei.com/Ascend310P": "1", "huawei.com/Ascend310P-memory": "3000"},
         refuse_annotations={"hami.io/use-Ascend310P-uuid": "no-such-npu"},
         reasons=("CardUuidMismatch",)),
    # Die mode: dies 0-2 on card A0, die 3 on A1; two dies come from A0.
    dict(vendor="Vastai", name="vastai-die",
         node={"hami.io/node-va-register": "[" + ",".join(
             f'{{"id":"VA-die-{i}","index":{i},"count":1,"devmem":8192,"type":"VA16","health":true,'
             f'"custominfo":{{"AIC":"A{0 if i < 3 else 1}","DeviceStrategy":"die"}}}}' for i in range(4)) + "]"},
         capacity={"vastaitech.com/va": "4"},
         fit={"vastaitech.com/va": "2"},
         expect={"hami.io/Vastai-devices-allocated": "VA-die-2,Vastai,0,0:VA-die-1,Vastai,0,0:;",
                 "hami.io/Vastai-devices-to-allocate": "VA-die-2,Vastai,0,0:VA-die-1,Vastai,0,0:;"},
         refuse={"vastaitech.com/va": "2"},
         refuse_annotations={"vastaitech.com/use-gpuuuid": "VA-die-3"},
         reasons=("AllocatedCardsInsufficientRequest",)),
    # AWS Neuron, Trainium (no Inferentia instance type): a whole device by
    # index; two devices are refused (only 4, 8 or 16 in a row).
    dict(vendor="AWSNeuron", name="neuron-count",
         node={},
         capacity={"aws.amazon.com/neuron": "2", "aws.amazon.com/neuroncore": "4"},
         fit={"aws.amazon.com/neuron": "1"},
         expect={"hami.io/aws-neuron-devices-allocated": "v-neuron-count-AWSNeuron-1,AWSNeuron,0,3:;",
                 "AWS_NEURON_IDS": "1", "NEURON_ALLOCATED": "false", "NEURON_ALLOC_TIME": re.compile(NUMERIC),
                 "aws.amazon.com/predicate-node": "v-neuron-count"},
         refuse={"aws.amazon.com/neuron": "2"},
         reasons=("NumaNotFit",)),
    # AWS Neuron, Inferentia: one NeuronCore as a global core index.
    dict(vendor="AWSNeuron", name="neuron-core",
         node={}, labels={"node.kubernetes.io/instance-type": "inf2.xlarge"},
         capacity={"aws.amazon.com/neuron": "2", "aws.amazon.com/neuroncore": "4"},
         fit={"aws.amazon.com/neuroncore": "1"},
         expect={"hami.io/aws-neuron-devices-allocated": "v-neuron-core-AWSNeuron-1,AWSNeuron,0,1:;",
                 "AWS_NEURON_IDS": "2", "NEURON_RESOURCE_TYPE": "aws.amazon.com/neuroncore",
                 "NEURON_ALLOCATED": "false", "aws.amazon.com/predicate-node": "v-neuron-core"},
         refuse={"aws.amazon.com/neuroncore": "1"},
         refuse_annotations={"aws.amazon.com/nouse-neuron-uuid": "v-neuron-core-AWSNeuron-0,v-neuron-core-AWSNeuron-1"},
         reasons=("CardUuidMismatch",)),
]


def case_name(case):
    return case.get("name", case["vendor"]).lower()


def node_name(case):
    return "v-" + case_name(case)


def vendor_pod(name, ns, case, limits, annotations=None):
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "namespace": ns, "annotations": dict(annotations or {}),
                         "labels": {"hami-e2e": "vendor"}},
            # Each pod stays on its case's node (a vendor may have several).
            "spec": {"terminationGracePeriodSeconds": 0, "nodeSelector": {"vendor-e2e": case_name(case)},
                     "containers": [{"name": "c", "image": "busybox", "resources": {"limits": limits}}]}}


def run(c, ns):
    nodes = []
    for case in CASES:
        cap = {"pods": "110", "cpu": "64", "memory": "512Gi", **case["capacity"]}
        nodes.append({"apiVersion": "v1", "kind": "Node",
                      "metadata": {"name": node_name(case), "annotations": case["node"],
                                   "labels": {"vendor-e2e": case_name(case), **case.get("labels", {})}},
                      "status": {"capacity": cap, "allocatable": cap}})
    c.create(nodes)
    time_for_inventory = 20

    pods = []
    for case in CASES:
        v = case_name(case)
        pods.append(vendor_pod(f"fit-{v}", ns, case, case["fit"], case.get("fit_annotations")))
        pods.append(vendor_pod(f"refuse-{v}", ns, case, case["refuse"], case.get("refuse_annotations")))
    c.create(pods)
    problems = []
    for case in CASES:
        v = case_name(case)
        name = f"fit-{v}"
        try:
            wait_for(f"{name} bound", lambda: c.get("pod", name, "-n", ns)["spec"].get("nodeName"),
                     time_for_inventory)
        except Exception as e:  # noqa: BLE001 - collect every vendor's outcome
            events = [f"{ev.get('reason')}: {ev.get('message')}" for ev in c.events(ns, name)]
            problems.append(f"{case_name(case)}: fitting pod not bound ({e}); events: {events[-2:]}")
            continue
        pod = c.get("pod", name, "-n", ns)
        if pod["spec"]["schedulerName"] != "hami-scheduler":
            problems.append(f"{case_name(case)}: the webhook did not take the pod ({pod['spec']['schedulerName']})")
        if pod["spec"]["nodeName"] != node_name(case):
            problems.append(f"{case_name(case)}: bound to {pod['spec']['nodeName']}, want {node_name(case)}")
        ann = pod["metadata"].get("annotations", {})
        for key, want in case["expect"].items():
            got = ann.get(key)
            ok = got is not None and (want.fullmatch(got) if isinstance(want, re.Pattern) else got == want)
            if not ok:
                problems.append(f"{case_name(case)}: annotation {key}={got!r}, want "
                                f"{want.pattern if isinstance(want, re.Pattern) else want!r}")
    for case in CASES:
        v = case_name(case)
        name = f"refuse-{v}"

        def refused():
            for ev in c.events(ns, name):
                if ev.get("reason") == "FilteringFailed":
                    return ev.get("message", "")
            return None

        try:
            message = wait_for(f"{name} refused", refused, time_for_inventory)
        except Exception as e:  # noqa: BLE001
            problems.append(f"{case_name(case)}: no FilteringFailed event on the refused pod ({e})")
            continue
        pod = c.get("pod", name, "-n", ns)
        if pod["spec"].get("nodeName"):
            problems.append(f"{case_name(case)}: the pod that must not fit was bound to {pod['spec']['nodeName']}")
        if not any(token in message for token in case["reasons"]):
            problems.append(f"{case_name(case)}: refusal {message!r} has none of {case['reasons']}")
    for p in problems:
        log("  " + p)
    check(not problems, f"{len(problems)} vendor expectation(s) failed (listed above)")
    log(f"vendors: {len(CASES)} vendor cases each placed and refused through kube-scheduler as HAMi does")
