#!/usr/bin/env bash
# Runs the built `hami` binary on the reference examples and malformed inputs;
# checks exact stdout, stderr and exit status. Usage: cli_test.sh <path/to/hami>
set -u
HAMI=${1:?usage: cli_test.sh <path/to/hami>}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
failures=0

fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}

# decode_roundtrip KEY VALUE EXPECTED_JSON: decode prints EXPECTED_JSON, and
# encode of that JSON gives back VALUE byte for byte.
decode_roundtrip() {
  local key=$1 value=$2 want=$3
  "$HAMI" decode "$key" "$value" >"$WORK/out" 2>"$WORK/err"
  local rc=$?
  [[ $rc == 0 ]] || fail "decode $key '$value': exit $rc: $(cat "$WORK/err")"
  printf '%s\n' "$want" | cmp -s - "$WORK/out" || fail "decode $key '$value': got $(cat "$WORK/out")"
  [[ -s $WORK/err ]] && fail "decode $key: unexpected stderr $(cat "$WORK/err")"
  "$HAMI" encode -n "$key" "$want" >"$WORK/back" 2>"$WORK/err"
  rc=$?
  [[ $rc == 0 ]] || fail "encode $key: exit $rc: $(cat "$WORK/err")"
  printf '%s' "$value" | cmp -s - "$WORK/back" || fail "encode $key: got '$(cat "$WORK/back")', want '$value'"
}

# rejects SUBCOMMAND KEY INPUT_FILE EXPECTED_STDERR: exit 1, no stdout, exactly
# the one expected stderr line.
rejects() {
  local sub=$1 key=$2 input=$3 want=$4
  "$HAMI" "$sub" "$key" - <"$input" >"$WORK/out" 2>"$WORK/err"
  local rc=$?
  [[ $rc == 1 ]] || fail "$sub $key: exit $rc, want 1"
  [[ -s $WORK/out ]] && fail "$sub $key: partial output $(head -c 200 "$WORK/out")"
  [[ $(wc -l <"$WORK/err") == 1 ]] || fail "$sub $key: stderr is not one line: $(head -c 300 "$WORK/err")"
  if [[ -n $want && $(cat "$WORK/err") != "$want" ]]; then
    fail "$sub $key: stderr '$(cat "$WORK/err")', want '$want'"
  fi
}

reject_text() {
  printf '%s' "$3" >"$WORK/in"
  rejects "$1" "$2" "$WORK/in" "$4"
}

# --- Reference examples (hami-protocol.md 4.1-4.6, 11.4) -----------------------
decode_roundtrip hami.io/vgpu-devices-to-allocate \
  'GPU-0fc3...,NVIDIA,3000,0:;GPU-0fc3...,NVIDIA,5000,0:;' \
  '[[{"uuid":"GPU-0fc3...","type":"NVIDIA","usedmem":3000,"usedcores":0}],[{"uuid":"GPU-0fc3...","type":"NVIDIA","usedmem":5000,"usedcores":0}]]'
decode_roundtrip hami.io/vgpu-devices-allocated \
  'GPU-a,NVIDIA,1024,30:GPU-b,NVIDIA,1024,30:;' \
  '[[{"uuid":"GPU-a","type":"NVIDIA","usedmem":1024,"usedcores":30},{"uuid":"GPU-b","type":"NVIDIA","usedmem":1024,"usedcores":30}]]'
decode_roundtrip hami.io/vgpu-devices-to-allocate ';;' '[[],[]]'
decode_roundtrip hami.io/vgpu-devices-to-allocate ';' '[[]]'
decode_roundtrip hami.io/node-nvidia-register \
  '[{"id":"GPU-0fc3...","count":10,"devmem":32768,"devcore":100,"type":"NVIDIA-Tesla V100-PCIE-32GB","mode":"hami-core","health":true},{"id":"GPU-0055...","index":1,"count":10,"devmem":32768,"devcore":100,"type":"NVIDIA-Tesla V100-PCIE-32GB","mode":"hami-core","health":true}]' \
  '[{"id":"GPU-0fc3...","index":0,"count":10,"devmem":32768,"devcore":100,"type":"NVIDIA-Tesla V100-PCIE-32GB","numa":0,"mode":"hami-core","migProfiles":[],"health":true,"devicevendor":"","custominfo":null},{"id":"GPU-0055...","index":1,"count":10,"devmem":32768,"devcore":100,"type":"NVIDIA-Tesla V100-PCIE-32GB","numa":0,"mode":"hami-core","migProfiles":[],"health":true,"devicevendor":"","custominfo":null}]'
decode_roundtrip hami.io/node-dcu-register \
  'GPU-a,10,32768,100,NVIDIA-Tesla V100,0,true,0,hami-core:GPU-b,10,32768,100,NVIDIA-Tesla V100,0,true,1,hami-core:' \
  '[{"id":"GPU-a","index":0,"count":10,"devmem":32768,"devcore":100,"type":"NVIDIA-Tesla V100","numa":0,"mode":"hami-core","migProfiles":[],"health":true,"devicevendor":"","custominfo":null},{"id":"GPU-b","index":1,"count":10,"devmem":32768,"devcore":100,"type":"NVIDIA-Tesla V100","numa":0,"mode":"hami-core","migProfiles":[],"health":true,"devicevendor":"","custominfo":null}]'
decode_roundtrip hami.io/mutex.lock '2025-10-20T03:07:02Z,jingyu-test,gputest-6c77bb77f8-gvtzc' \
  '{"time":"2025-10-20T03:07:02Z","namespace":"jingyu-test","pod":"gputest-6c77bb77f8-gvtzc","legacy":false}'
decode_roundtrip hami.io/node-handshake 'Requesting_2024-01-10 04:06:57' \
  '{"requesting":true,"requestedAt":"2024-01-10 04:06:57","raw":"Requesting_2024-01-10 04:06:57"}'
decode_roundtrip hami.io/bind-phase success '"success"'
decode_roundtrip hami.io/vgpu-time 1700000000 '{"unixSeconds":1700000000,"time":"2023-11-14T22:13:20Z"}'
decode_roundtrip hami.io/node-nvidia-score '[{"uuid":"GPU-a","score":{"GPU-b":200,"GPU-c":20}}]' \
  '[{"uuid":"GPU-a","score":{"GPU-b":200,"GPU-c":20}}]'
decode_roundtrip hami.io/vgpu-mig-allocations \
  '[{"containerIndex":0,"deviceIndex":0,"gpuUUID":"GPU-a","profile":"1g.10gb","placement":{"start":6,"size":1},"migUUID":"MIG-1","gpuInstanceID":13,"computeInstanceID":0}]' \
  '[{"containerIndex":0,"deviceIndex":0,"gpuUUID":"GPU-a","profile":"1g.10gb","placement":{"start":6,"size":1},"migUUID":"MIG-1","gpuInstanceID":13,"computeInstanceID":0}]'
decode_roundtrip quantity 1536Mi '{"canonical":"1536Mi","milli":1610612736000,"value":1610612736,"format":"BinarySI"}'

# --- Malformed inputs: exit 1, one line, no partial output ---------------------
reject_text decode hami.io/vgpu-devices-allocated 'GPU-a,NVIDIA,1024,30:GPU-b,NVIDIA,abc,30:;' \
  "hami decode: container 1, device 2: field 3 (usedmem) 'abc' is not an integer"
reject_text decode hami.io/vgpu-devices-allocated 'GPU-a,NVIDIA,1024' \
  "hami decode: container 1, device 1: 'GPU-a,NVIDIA,1024' has 3 fields, want 4 (uuid,type,usedmem,usedcores)"
reject_text decode hami.io/vgpu-devices-allocated 'GPU-a,NVIDIA,-5,0:;' ''
reject_text decode hami.io/vgpu-devices-allocated 'GPU-a,NVIDIA,99999999999,0:;' ''
reject_text decode hami.io/node-nvidia-register '[{"id":"GPU-a","devmem":"lots"}]' \
  "hami decode: node device registration: device 1: field 'devmem': expected an integer, got a string"
reject_text decode hami.io/node-nvidia-register '[{"id":"GPU-a"' ''
reject_text decode hami.io/node-dcu-register 'GPU-a,10,32768' ''
reject_text decode hami.io/mutex.lock '2025-10-20T03:07:02Z,ns' ''
reject_text decode hami.io/bind-phase 'done' \
  "hami decode: bind phase: 'done' is not one of allocating, success, failed"
reject_text decode hami.io/vgpu-mig-allocations '[{"gpuUUID":"GPU-a","profile":"1g.10gb"}]' ''
reject_text decode quantity '1KB' "hami decode: quantity '1KB': unexpected character at byte 2"
reject_text decode quantity '1K' "hami decode: quantity '1K': unknown suffix 'K'"
reject_text decode hami.io/vgpu-node 'node-1' ''
reject_text encode hami.io/vgpu-devices-allocated '[[{"uuid":"GPU-a;b","type":"NVIDIA"}]]' ''
reject_text encode hami.io/vgpu-devices-allocated '[[{"uuid":"GPU-a","usedmem":1' ''
printf 'GPU-\xff,NVIDIA,1,0:;' >"$WORK/in"
rejects decode hami.io/vgpu-devices-allocated "$WORK/in" \
  "hami decode: pod device list: invalid UTF-8 at byte 4"
head -c 1048576 /dev/zero | tr '\0' ';' >"$WORK/in"
rejects decode hami.io/vgpu-devices-allocated "$WORK/in" \
  "hami decode: pod device list: value is 1048576 bytes, more than the 262144-byte Kubernetes annotation limit"

# --- Vendors --------------------------------------------------------------------
decode_roundtrip CAMBRICON_DSMLU_PROFILE 1_50_10 '{"index":1,"cores":50,"memoryUnits":10}'
decode_roundtrip mthreads.com/gpu-index 0,1 '[0,1]'
decode_roundtrip metax-tech.com/gpu-devices-allocated '[[{"uuid":"GPU-a","compute":30,"vRam":4096}]]' \
  '[[{"uuid":"GPU-a","compute":30,"vRam":4096}]]'
decode_roundtrip hami.io/cambricon-mlu-devices-allocated 'n-cambricon-mlu-1,MLU,2560,50:;' \
  '[[{"uuid":"n-cambricon-mlu-1","type":"MLU","usedmem":2560,"usedcores":50}]]'
# Every vendor's device lists, from the registry (values from the golden tests
# and tests/e2e/vendor_cases.py).
decode_roundtrip hami.io/kunlun-allocated 'node-a-kunlun-0,kunlun,98304,100:;' \
  '[[{"uuid":"node-a-kunlun-0","type":"kunlun","usedmem":98304,"usedcores":100}]]'
decode_roundtrip hami.io/xpu-devices-allocated 'XPU-e2e-0,XPU,24576,25:;' \
  '[[{"uuid":"XPU-e2e-0","type":"XPU","usedmem":24576,"usedcores":25}]]'
decode_roundtrip hami.io/aws-neuron-devices-allocated 'node-a-AWSNeuron-3,AWSNeuron,0,3:;' \
  '[[{"uuid":"node-a-AWSNeuron-3","type":"AWSNeuron","usedmem":0,"usedcores":3}]]'
decode_roundtrip hami.io/Ascend910B3-devices-allocated 'npu-e2e-0,Ascend910B3,32768,0:;' \
  '[[{"uuid":"npu-e2e-0","type":"Ascend910B3","usedmem":32768,"usedcores":0}]]'
decode_roundtrip hami.io/amd-devices-to-allocate 'amd-e2e-0,AMD Instinct MI300X VF,4096,76:;' \
  '[[{"uuid":"amd-e2e-0","type":"AMD Instinct MI300X VF","usedmem":4096,"usedcores":76}]]'
decode_roundtrip hami.io/Biren-devices-allocated 'BR-e2e-0,Biren,0,0:;' \
  '[[{"uuid":"BR-e2e-0","type":"Biren","usedmem":0,"usedcores":0}]]'
decode_roundtrip hami.io/Vastai-devices-allocated 'VA-die-2,Vastai,0,0:VA-die-1,Vastai,0,0:;' \
  '[[{"uuid":"VA-die-2","type":"Vastai","usedmem":0,"usedcores":0},{"uuid":"VA-die-1","type":"Vastai","usedmem":0,"usedcores":0}]]'
decode_roundtrip hami.io/MR-V100-devices-allocated 'ilu-e2e-0,MR-V100,2048,30:;' \
  '[[{"uuid":"ilu-e2e-0","type":"MR-V100","usedmem":2048,"usedcores":30}]]'
decode_roundtrip hami.io/node-handshake-biren 'Requesting_2024-01-10 04:06:57' \
  '{"requesting":true,"requestedAt":"2024-01-10 04:06:57","raw":"Requesting_2024-01-10 04:06:57"}'
decode_roundtrip cambricon.com/dsmlu.lock '2025-10-20T03:07:02Z' \
  '{"time":"2025-10-20T03:07:02Z","namespace":"","pod":"","legacy":true}'
# Inventories.
decode_roundtrip hami.io/node-register-Ascend910B3 \
  '[{"id":"npu-e2e-0","count":4,"devmem":65536,"devcore":20,"type":"Ascend910B3","health":true,"custominfo":{"NetworkID":0}}]' \
  '[{"id":"npu-e2e-0","index":0,"count":4,"devmem":65536,"devcore":20,"type":"Ascend910B3","numa":0,"mode":"","migProfiles":[],"health":true,"devicevendor":"","custominfo":{"NetworkID":0}}]'
decode_roundtrip hami.io/node-va-register \
  '[{"id":"VA-die-0","count":1,"devmem":8192,"type":"VA16","health":true,"custominfo":{"AIC":"A0","DeviceStrategy":"die"}}]' \
  '[{"id":"VA-die-0","index":0,"count":1,"devmem":8192,"devcore":0,"type":"VA16","numa":0,"mode":"","migProfiles":[],"health":true,"devicevendor":"","custominfo":{"AIC":"A0","DeviceStrategy":"die"}}]'
decode_roundtrip hami.io/node-register-xpu \
  '[{"id":"XPU-e2e-0","count":4,"devmem":98304,"devcore":100,"type":"P800","health":true}]' \
  '[{"id":"XPU-e2e-0","index":0,"count":4,"devmem":98304,"devcore":100,"type":"P800","numa":0,"mode":"","migProfiles":[],"health":true,"devicevendor":"","custominfo":null}]'
decode_roundtrip hami.io/node-MR-V100-register 'ilu-e2e-0,4,32768,100,MR-V100,0,true,0,hami-core:' \
  '[{"id":"ilu-e2e-0","index":0,"count":4,"devmem":32768,"devcore":100,"type":"MR-V100","numa":0,"mode":"hami-core","migProfiles":[],"health":true,"devicevendor":"","custominfo":null}]'
decode_roundtrip enflame.com/gcu-drs-capacity \
  '{"devices":[{"index":"0","minor":"0","capacity":6},{"index":"1","minor":"3","capacity":6}],"profiles":{"1g.6gb":"0","3g.20gb":"1","6g.40gb":"2"}}' \
  '{"devices":[{"index":"0","minor":"0","capacity":6},{"index":"1","minor":"3","capacity":6}],"profiles":{"1g.6gb":"0","3g.20gb":"1","6g.40gb":"2"}}'
decode_roundtrip metax-tech.com/gpu.topology.losses '{"1":100,"2":300}' '{"1":100,"2":300}'
decode_roundtrip hami-vnpu-core true 'true'
# What the vendors' plugins read from the pod.
decode_roundtrip huawei.com/Ascend910B3 '[{"UUID":"npu-e2e-0","temp":"vir10_3c_32g","memory":32768}]' \
  '[{"UUID":"npu-e2e-0","temp":"vir10_3c_32g","memory":32768}]'
decode_roundtrip huawei.com/Ascend310P '[{"UUID":"npu310-e2e-0","memory":5000,"core":40}]' \
  '[{"UUID":"npu310-e2e-0","memory":5000,"core":40}]'
decode_roundtrip predicate-time 1700000000 '{"unixSeconds":1700000000,"time":"2023-11-14T22:13:20Z"}'
decode_roundtrip assigned-containers '{"c":{"allocated":false,"request":3,"profileID":"1","profileName":"3g.20gb"}}' \
  '{"c":{"allocated":false,"request":3,"profileID":"1","profileName":"3g.20gb"}}'
decode_roundtrip enflame.com/gcu-assigned false 'false'
decode_roundtrip enflame.com/gcu-assigned-time 1700000000123456789 \
  '{"unixNanos":1700000000123456789,"time":"2023-11-14T22:13:20Z"}'
decode_roundtrip enflame.com/gcu-assigned-index 1 '1'
decode_roundtrip enflame.com/gcu-assigned-id 1 '1'
decode_roundtrip enflame.com/gcu-assigned-minor 3 '"3"'
decode_roundtrip enflame.com/gcu-request-size 3 '3'
decode_roundtrip AWS_NEURON_IDS 4,5,6,7 '[4,5,6,7]'
decode_roundtrip NEURON_ALLOC_TIME 1700000000123456789 '{"unixNanos":1700000000123456789,"time":"2023-11-14T22:13:20Z"}'
decode_roundtrip NEURON_ALLOCATED false 'false'
decode_roundtrip NEURON_RESOURCE_TYPE aws.amazon.com/neuroncore '"aws.amazon.com/neuroncore"'
decode_roundtrip aws.amazon.com/predicate-node node-a '"node-a"'
decode_roundtrip BAIDU_COM_DEVICE_IDX 1,2 '[1,2]'
decode_roundtrip CAMBRICON_DSMLU_ASSIGNED false 'false'
decode_roundtrip mthreads.com/predicate-time 1700000000123456789 \
  '{"unixNanos":1700000000123456789,"time":"2023-11-14T22:13:20Z"}'
decode_roundtrip mthreads.com/predicate-node node-a '"node-a"'
decode_roundtrip mthreads.com/request-gpu-num 2 '2'
decode_roundtrip metax-tech.com/predicate-time 1700000000123456789 \
  '{"unixNanos":1700000000123456789,"time":"2023-11-14T22:13:20Z"}'
# Decode only: the plugin may write the capacity as a string; we write a number.
"$HAMI" decode enflame.com/gcu-drs-capacity '{"devices":[{"index":"1","minor":"3","capacity":"6"}],"profiles":{"1g.6gb":"0"}}' >"$WORK/out" 2>&1
[[ $(cat "$WORK/out") == '{"devices":[{"index":"1","minor":"3","capacity":6}],"profiles":{"1g.6gb":"0"}}' ]] ||
  fail "decode enflame.com/gcu-drs-capacity (string capacity): $(cat "$WORK/out")"
reject_text decode huawei.com/Ascend910B3 '[{"UUID":"a","memory":"1"}]' ''
reject_text decode NEURON_ALLOCATED 'False' "hami decode: boolean: 'False' is not true or false"
reject_text decode AWS_NEURON_IDS '1,,2' ''
reject_text decode enflame.com/gcu-request-size '3,4' ''
reject_text decode huawei.com/Ascend910B3-memory '1' ''
reject_text encode NEURON_RESOURCE_TYPE '7' "hami encode: text: expected a JSON string, got a number"

"$HAMI" vendors >"$WORK/vendors" 2>"$WORK/err" || fail "vendors: exit status $?"
[[ -s $WORK/err ]] && fail "vendors: unexpected stderr $(cat "$WORK/err")"
for word in NVIDIA MLU DCU Iluvatar Mthreads Ascend Metax-GPU Metax-SGPU kunlun XPU GCU Enflame AWSNeuron AMD Vastai Biren; do
  grep -q "^$word"$'\t' "$WORK/vendors" || fail "vendors: no line for $word"
done
[[ $(grep -c "^Iluvatar"$'\t' "$WORK/vendors") == 1 ]] || fail "vendors: the Iluvatar chips are not one line"
grep -q $'^Iluvatar\t.*iluvatar.ai/MR-V100-vgpu\t.*iluvatar.ai/BI-V100-vgpu' "$WORK/vendors" ||
  fail "vendors: Iluvatar line lacks a chip: $(grep '^Iluvatar' "$WORK/vendors")"
"$HAMI" vendors --by-keyword >"$WORK/keywords" || fail "vendors --by-keyword: exit status $?"
for word in MR-V100 MR-V50 BI-V150 BI-V100 Ascend910B3 Ascend310P; do
  grep -q "^$word"$'\t' "$WORK/keywords" || fail "vendors --by-keyword: no line for $word"
done
grep -qx $'DCU\thygon.com/dcunum\thygon.com/dcumem\thygon.com/dcucores' "$WORK/vendors" ||
  fail "vendors: DCU line: $(grep '^DCU' "$WORK/vendors")"
grep -qx $'MLU\tcambricon.com/vmlu\tcambricon.com/mlu.smlu.vmemory\tcambricon.com/mlu.smlu.vcore' "$WORK/vendors" ||
  fail "vendors: MLU line: $(grep '^MLU' "$WORK/vendors")"
grep -qx $'AWSNeuron\taws.amazon.com/neuron\taws.amazon.com/neuroncore' "$WORK/vendors" ||
  fail "vendors: AWSNeuron line: $(grep '^AWSNeuron' "$WORK/vendors")"

# --- Usage ----------------------------------------------------------------------
"$HAMI" version | grep -q '^hami .*HAMi v2.10' || fail "version output"
"$HAMI" >/dev/null 2>&1
[[ $? == 2 ]] || fail "no subcommand should exit 2"
"$HAMI" frobnicate >"$WORK/out" 2>"$WORK/err"
[[ $? == 2 ]] || fail "an unknown subcommand should exit 2"
grep -q "unknown subcommand 'frobnicate'" "$WORK/err" || fail "unknown subcommand not named: $(cat "$WORK/err")"
for sub in decode encode version bench playground; do
  grep -q "$sub" "$WORK/err" || fail "unknown subcommand: valid subcommand $sub not listed: $(cat "$WORK/err")"
done
[[ -s $WORK/out ]] && fail "unknown subcommand: unexpected stdout"

if [[ $failures != 0 ]]; then
  echo "$failures failure(s)" >&2
  exit 1
fi
echo "cli_test: all checks passed"
