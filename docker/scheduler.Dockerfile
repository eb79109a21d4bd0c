# hami scheduler image: hami-scheduler (extender + webhook + metrics) and the hami CLI.
# Runs next to an upstream kube-scheduler container (see deploy/helm/hami).
# Build from the repository root:
#   docker build -f docker/scheduler.Dockerfile -t hami/hami-scheduler:0.1.0 .
FROM debian:bookworm AS build
WORKDIR /src
COPY . .
# The same steps CI runs (scripts/test.sh): set-up, then a CMake + Ninja release build.
RUN HAMI_SKIP_K8S=1 scripts/setup.sh \
 && cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release \
 && cmake --build build -j"$(nproc)" \
 && docker/stage.sh build /out hami-scheduler hami

FROM debian:bookworm-slim
RUN apt-get update -q \
 && apt-get install -y -q --no-install-recommends ca-certificates libssl3 libcurl4 \
      libyaml-cpp0.7 libcpp-httplib0.11 libgrpc++1.51 libprotobuf32 \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /out/ /usr/local/bin/
USER 65532:65532
EXPOSE 8443 9395
ENTRYPOINT ["hami-scheduler"]
