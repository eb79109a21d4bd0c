package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/client-go/util/workqueue"
)

// runNode plays the kubelet of cfg.nodeName against the API server.
func (k *kubelet) runNode(ctx context.Context) error {
	rc, err := clientcmd.BuildConfigFromFlags("", k.cfg.kubeconfig)
	if err != nil {
		return err
	}
	rc.QPS, rc.Burst = 200, 400
	if k.cfg.plainHTTP {
		rc.WrapTransport = func(rt http.RoundTripper) http.RoundTripper {
			if t, ok := rt.(*http.Transport); ok {
				t = t.Clone()
				t.DisableKeepAlives = true
				t.DisableCompression = true
				return t
			}
			return rt
		}
	}
	rc.ContentType = "application/json"
	rc.AcceptContentTypes = "application/json"
	cs, err := kubernetes.NewForConfig(rc)
	if err != nil {
		return err
	}
	if err := k.ensureNode(ctx, cs); err != nil {
		return err
	}
	go k.syncNodeLoop(ctx, cs)

	queue := workqueue.NewTypedRateLimitingQueue(workqueue.NewTypedItemExponentialFailureRateLimiter[string](
		50*time.Millisecond, 2*time.Second))
	defer queue.ShutDown()
	var mu sync.Mutex
	pods := map[string]*corev1.Pod{}
	w := &podWatcher{cs: cs, nodeName: k.cfg.nodeName,
		onPod: func(p *corev1.Pod) {
			key := p.Namespace + "/" + p.Name
			mu.Lock()
			pods[key] = p
			mu.Unlock()
			queue.Add(key)
		},
		onDelete: func(p *corev1.Pod) {
			key := p.Namespace + "/" + p.Name
			mu.Lock()
			delete(pods, key)
			mu.Unlock()
			k.release(key)
			k.mu.Lock()
			delete(k.admitted, string(p.UID))
			delete(k.owed, string(p.UID))
			delete(k.terminating, p.UID)
			k.mu.Unlock()
		}}
	go w.run(ctx)
	go func() { <-ctx.Done(); queue.ShutDown() }()
	log.Printf("node %s: watching pods", k.cfg.nodeName)
	// One worker: kubelet admits pods one at a time.
	for {
		key, shutdown := queue.Get()
		if shutdown {
			return nil
		}
		mu.Lock()
		pod := pods[key]
		mu.Unlock()
		var err error
		switch {
		case pod == nil:
		case pod.DeletionTimestamp != nil:
			k.startTermination(ctx, cs, pod)
		default:
			err = k.admit(ctx, cs, pod)
		}
		if err != nil {
			log.Printf("pod %s: %v (retrying)", key, err)
			queue.AddRateLimited(key)
		} else {
			queue.Forget(key)
		}
		queue.Done(key)
		if ctx.Err() != nil {
			return nil
		}
	}
}

func logf(format string, args ...any) { log.Printf(format, args...) }

// requests lists the device-plugin resources a container asks for (limits,
// else requests), sorted: the followed resource (--resource) and every
// resource a plugin has registered. Like kubelet, other extended resources
// (those a scheduler extender manages, e.g. nvidia.com/gpumem) are dropped;
// a known resource whose plugin is gone fails the admission in allocate.
func (k *kubelet) requests(c *corev1.Container) []resourceRequest {
	k.mu.Lock()
	defer k.mu.Unlock()
	var out []resourceRequest
	seen := map[string]bool{}
	for _, list := range []corev1.ResourceList{c.Resources.Limits, c.Resources.Requests} {
		for name, q := range list {
			r := string(name)
			known := r == k.cfg.resourceName || k.plugins[r] != nil || k.devices[r] != nil
			if seen[r] || !known || q.Value() <= 0 {
				continue
			}
			seen[r] = true
			out = append(out, resourceRequest{resource: r, count: int(q.Value())})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].resource < out[j].resource })
	return out
}

type resourceRequest struct {
	resource string
	count    int
}

// admit allocates devices for every container of a pending pod and marks the
// pod Running (or Failed when Allocate fails, like kubelet's admission).
func (k *kubelet) admit(ctx context.Context, cs kubernetes.Interface, pod *corev1.Pod) error {
	if pod.Status.Phase != corev1.PodPending && pod.Status.Phase != "" {
		return nil
	}
	if pod.DeletionTimestamp != nil {
		return nil
	}
	podKey := pod.Namespace + "/" + pod.Name
	// Admit each pod once (by UID), like kubelet: later events of the same pod
	// (our own annotation patch) must not allocate again.
	uid := string(pod.UID)
	k.mu.Lock()
	if k.admitted[uid] {
		owed := k.owed[uid]
		k.mu.Unlock()
		if owed == nil {
			return nil
		}
		// An earlier try allocated but could not write the outcome (API server down):
		// write it now, as kubelet's status manager does, instead of leaving the pod Pending.
		return k.settle(ctx, cs, pod, owed)
	}
	k.admitted[uid] = true
	k.mu.Unlock()
	envs := map[string]map[string]string{}
	var admitErr error
	containers := append(append([]corev1.Container{}, pod.Spec.InitContainers...), pod.Spec.Containers...)
	for i := range containers {
		c := &containers[i]
		reqs := k.requests(c)
		if len(reqs) == 0 {
			continue
		}
		env := map[string]string{}
		for _, r := range reqs {
			resp, ids, err := k.allocate(ctx, r.resource, podKey, r.count)
			if err != nil {
				admitErr = fmt.Errorf("container %s: %w", c.Name, err)
				break
			}
			for key, v := range resp.Envs {
				env[key] = v
			}
			// The followed resource keeps the historical key; others are named.
			idsKey := "_DEVICE_IDS"
			if r.resource != k.cfg.resourceName {
				idsKey += " " + r.resource
			}
			env[idsKey] = fmt.Sprint(ids)
			for _, m := range resp.Mounts {
				ro := "rw"
				if m.ReadOnly {
					ro = "ro"
				}
				env["_MOUNT "+m.ContainerPath] = m.HostPath + ":" + ro
			}
		}
		if admitErr != nil {
			break
		}
		envs[c.Name] = env
	}
	if admitErr != nil {
		k.release(podKey)
		log.Printf("pod %s: admission failed: %v", podKey, admitErr)
		message := "Allocate failed due to " + admitErr.Error()
		return k.settle(ctx, cs, pod, func(ctx context.Context, cs kubernetes.Interface, pod *corev1.Pod) error {
			return k.setStatus(ctx, cs, pod, corev1.PodFailed, "UnexpectedAdmissionError", message)
		})
	}
	return k.settle(ctx, cs, pod, func(ctx context.Context, cs kubernetes.Interface, pod *corev1.Pod) error {
		if len(envs) > 0 {
			raw, _ := json.Marshal(envs)
			patch, _ := json.Marshal(map[string]any{"metadata": map[string]any{
				"annotations": map[string]string{k.cfg.envAnnotation: string(raw)}}})
			if _, err := cs.CoreV1().Pods(pod.Namespace).Patch(ctx, pod.Name, types.MergePatchType, patch,
				metav1.PatchOptions{}); err != nil {
				return err
			}
		}
		return k.setStatus(ctx, cs, pod, corev1.PodRunning, "", "")
	})
}

// statusWrite writes an admission's outcome (env annotation and status).
type statusWrite func(context.Context, kubernetes.Interface, *corev1.Pod) error

// settle writes an admission's outcome; when that fails it stays owed and the
// worker's retry writes it again (admit), never allocating a second time.
func (k *kubelet) settle(ctx context.Context, cs kubernetes.Interface, pod *corev1.Pod,
	write statusWrite) error {
	uid := string(pod.UID)
	if err := write(ctx, cs, pod); err != nil {
		k.mu.Lock()
		if k.admitted[uid] { // not deleted meanwhile
			k.owed[uid] = write
		}
		k.mu.Unlock()
		return err
	}
	k.mu.Lock()
	delete(k.owed, uid)
	k.mu.Unlock()
	return nil
}

func (k *kubelet) setStatus(ctx context.Context, cs kubernetes.Interface, pod *corev1.Pod,
	phase corev1.PodPhase, reason, message string) error {
	now := metav1.Now()
	ready := corev1.ConditionFalse
	if phase == corev1.PodRunning {
		ready = corev1.ConditionTrue
	}
	status := corev1.PodStatus{
		Phase:     phase,
		Reason:    reason,
		Message:   message,
		HostIP:    "127.0.0.1",
		PodIP:     "10.0.0.1",
		StartTime: &now,
		Conditions: []corev1.PodCondition{
			{Type: corev1.PodScheduled, Status: corev1.ConditionTrue, LastTransitionTime: now},
			{Type: corev1.PodInitialized, Status: corev1.ConditionTrue, LastTransitionTime: now},
			{Type: corev1.ContainersReady, Status: ready, LastTransitionTime: now},
			{Type: corev1.PodReady, Status: ready, LastTransitionTime: now},
		},
	}
	for _, c := range pod.Spec.Containers {
		cst := corev1.ContainerStatus{Name: c.Name, Image: c.Image, ImageID: c.Image, Ready: phase == corev1.PodRunning}
		if phase == corev1.PodRunning {
			cst.State.Running = &corev1.ContainerStateRunning{StartedAt: now}
		} else {
			cst.State.Waiting = &corev1.ContainerStateWaiting{Reason: reason, Message: message}
		}
		status.ContainerStatuses = append(status.ContainerStatuses, cst)
	}
	patch, _ := json.Marshal(map[string]any{"status": status})
	_, err := cs.CoreV1().Pods(pod.Namespace).Patch(ctx, pod.Name, types.MergePatchType, patch,
		metav1.PatchOptions{}, "status")
	if err == nil {
		log.Printf("pod %s/%s: %s", pod.Namespace, pod.Name, phase)
	}
	return err
}

// nodeResources returns (capacity, allocatable): the fixed CPU, memory and
// pods plus every device-plugin resource (the followed one even before its
// plugin registers), as kubelet publishes them.
func (k *kubelet) nodeResources() (corev1.ResourceList, corev1.ResourceList) {
	allocatable := corev1.ResourceList{
		corev1.ResourceCPU:    resource.MustParse("64"),
		corev1.ResourceMemory: resource.MustParse("512Gi"),
		corev1.ResourcePods:   *resource.NewQuantity(int64(k.cfg.podsCapacity), resource.DecimalSI),
	}
	capacity := allocatable.DeepCopy()
	k.mu.Lock()
	defer k.mu.Unlock()
	names := []string{k.cfg.resourceName}
	for r := range k.devices {
		if r != k.cfg.resourceName {
			names = append(names, r)
		}
	}
	for _, r := range names {
		total, healthy := k.counts(r)
		capacity[corev1.ResourceName(r)] = *resource.NewQuantity(int64(total), resource.DecimalSI)
		allocatable[corev1.ResourceName(r)] = *resource.NewQuantity(int64(healthy), resource.DecimalSI)
	}
	return capacity, allocatable
}

// ensureNode creates the Node if it does not exist (no taints, Ready).
func (k *kubelet) ensureNode(ctx context.Context, cs kubernetes.Interface) error {
	_, err := cs.CoreV1().Nodes().Get(ctx, k.cfg.nodeName, metav1.GetOptions{})
	if err == nil {
		return k.patchNodeStatus(ctx, cs)
	}
	if !apierrors.IsNotFound(err) {
		return err
	}
	node := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: k.cfg.nodeName,
		Labels: map[string]string{"kubernetes.io/hostname": k.cfg.nodeName, "gpu": "on"}}}
	if _, err := cs.CoreV1().Nodes().Create(ctx, node, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		return err
	}
	return k.patchNodeStatus(ctx, cs)
}

func (k *kubelet) patchNodeStatus(ctx context.Context, cs kubernetes.Interface) error {
	capacity, res := k.nodeResources()
	now := metav1.Now()
	status := map[string]any{"status": map[string]any{
		"capacity":    capacity,
		"allocatable": res,
		"conditions": []corev1.NodeCondition{{Type: corev1.NodeReady, Status: corev1.ConditionTrue,
			Reason: "KubeletReady", Message: "fake kubelet", LastHeartbeatTime: now, LastTransitionTime: now}},
		"addresses": []corev1.NodeAddress{{Type: corev1.NodeInternalIP, Address: "127.0.0.1"}},
	}}
	patch, _ := json.Marshal(status)
	_, err := cs.CoreV1().Nodes().Patch(ctx, k.cfg.nodeName, types.StrategicMergePatchType, patch,
		metav1.PatchOptions{}, "status")
	return err
}

// syncNodeLoop republishes the node status when the device list changes, and
// every 20 s as a heartbeat.
func (k *kubelet) syncNodeLoop(ctx context.Context, cs kubernetes.Interface) {
	seen := -1
	for ctx.Err() == nil {
		k.mu.Lock()
		v := k.version
		k.mu.Unlock()
		if v != seen {
			if err := k.patchNodeStatus(ctx, cs); err != nil {
				log.Printf("node status: %v", err)
			} else {
				seen = v
				capacity, allocatable := k.nodeResources()
				for r, q := range capacity {
					if strings.Contains(string(r), "/") {
						a := allocatable[r]
						log.Printf("node %s: %s capacity=%s allocatable=%s", k.cfg.nodeName, r, q.String(), a.String())
					}
				}
			}
		}
		k.waitFor(ctx, 20*time.Second, func() bool { return k.version != seen })
	}
}
