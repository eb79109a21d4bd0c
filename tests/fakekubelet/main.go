// fakekubelet plays the kubelet of one simulated node for hami's tests: it
// serves the device-plugin Registration service on <plugin-dir>/kubelet.sock,
// dials the plugin that registers, follows ListAndWatch, publishes the Node's
// capacity/allocatable, and admits pods bound to its node one at a time by
// calling GetPreferredAllocation/Allocate for every container and every
// registered resource it requests (several plugins may register, e.g. the
// simulated vendor plugins of tests/simvendor). The env each container got is recorded in the pod annotation
// hami.dev/fake-kubelet-env (JSON {container: {name: value}}) and the pod is
// marked Running (or Failed with UnexpectedAdmissionError, like kubelet).
// Deleted pods are terminated gracefully and removed as kubelet does
// (terminate.go), so `kubectl delete pod` returns.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	var cfg config
	flag.StringVar(&cfg.kubeconfig, "kubeconfig", "", "kubeconfig of the API server (empty: standalone mode)")
	flag.StringVar(&cfg.nodeName, "node-name", "", "name of the simulated node")
	flag.StringVar(&cfg.pluginDir, "plugin-dir", "/var/lib/kubelet/device-plugins", "device-plugin directory")
	flag.IntVar(&cfg.podsCapacity, "pods-capacity", 110, "node capacity for pods")
	flag.StringVar(&cfg.envAnnotation, "env-annotation", "hami.dev/fake-kubelet-env", "pod annotation recording the Allocate env")
	flag.StringVar(&cfg.standaloneAllocate, "allocate", "", "standalone: comma-separated device IDs to Allocate once, print the response as JSON and exit")
	flag.DurationVar(&cfg.standaloneWait, "wait", 20*time.Second, "standalone: how long to wait for registration and devices")
	flag.StringVar(&cfg.resourceName, "resource", "nvidia.com/gpu", "resource always published on the node (a pod asking for it fails admission until its plugin registers); standalone: the resource to allocate from. Every resource a plugin registers is published and allocated too")
	flag.BoolVar(&cfg.plainHTTP, "plain-http-client", false, "one connection per request, no gzip (for small test API servers)")
	flag.Parse()
	// Plain list+watch (no streaming watch-list): works with every API server,
	// including the in-memory test double.
	os.Setenv("KUBE_FEATURE_WatchListClient", "false")

	ctx, cancel := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer cancel()

	k, err := newKubelet(cfg)
	if err != nil {
		log.Fatalf("fakekubelet: %v", err)
	}
	if err := k.startRegistration(); err != nil {
		log.Fatalf("fakekubelet: %v", err)
	}
	defer k.stop()

	if cfg.kubeconfig == "" {
		if err := k.runStandalone(ctx); err != nil {
			fmt.Fprintf(os.Stderr, "fakekubelet: %v\n", err)
			os.Exit(1)
		}
		return
	}
	if cfg.nodeName == "" {
		log.Fatalf("fakekubelet: --node-name is required with --kubeconfig")
	}
	if err := k.runNode(ctx); err != nil && ctx.Err() == nil {
		log.Fatalf("fakekubelet: %v", err)
	}
}
