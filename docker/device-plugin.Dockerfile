# hami device-plugin image: hami-device-plugin (kubelet device-plugin API, node
# registration), hami-monitor (per-container metrics, priority feedback) and
# libvgpu.so, which the DaemonSet's init container installs on the host at
# <gpuHookPath>/vgpu/libvgpu.so for GPU containers.
# Build from the repository root:
#   docker build -f docker/device-plugin.Dockerfile -t hami/hami-device-plugin:0.1.0 .
FROM debian:bookworm AS build
WORKDIR /src
COPY . .
# The same steps CI runs (scripts/test.sh): set-up, then a CMake + Ninja release build.
RUN HAMI_SKIP_K8S=1 scripts/setup.sh \
 && cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release \
 && cmake --build build -j"$(nproc)" \
 && docker/stage.sh build /out/bin hami-device-plugin hami-monitor hami \
 && docker/stage.sh build /out/vgpu libvgpu.so

FROM debian:bookworm-slim
RUN apt-get update -q \
 && apt-get install -y -q --no-install-recommends ca-certificates libssl3 libcurl4 \
      libyaml-cpp0.7 libcpp-httplib0.11 libgrpc++1.51 libprotobuf32 \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /out/bin/ /usr/local/bin/
COPY --from=build /out/vgpu/libvgpu.so /opt/hami/vgpu/libvgpu.so
# NVML (libnvidia-ml.so.1) comes from the host driver through the NVIDIA container
# runtime (NVIDIA_DRIVER_CAPABILITIES=utility in the DaemonSet).
ENV NVIDIA_VISIBLE_DEVICES=all NVIDIA_DRIVER_CAPABILITIES=utility
ENTRYPOINT ["hami-device-plugin"]
