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
