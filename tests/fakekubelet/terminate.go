package main

import (
	"context"
	"encoding/json"
	"log"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"
)

// Graceful deletion as kubelet does it. When a pod bound to this node gets a
// deletionTimestamp, kubelet runs the containers' preStop hooks, stops the
// containers within the pod's grace period, releases what the pod held, writes
// the final container statuses and deletes the pod object with grace period 0
// (guarded by the pod's UID). The API server only removes a bound pod after
// that last delete: a node that never sends it leaves the pod Terminating
// forever.
//
// This node has no container runtime: a preStop `sleep` action is honoured
// (capped by the grace period), exec and HTTP hooks cannot run and are logged,
// and the simulated processes exit as soon as they are told to stop.

// startTermination runs the termination of pod in its own goroutine (kubelet
// has one worker per pod), once per pod UID.
func (k *kubelet) startTermination(ctx context.Context, cs kubernetes.Interface, pod *corev1.Pod) {
	k.mu.Lock()
	if k.terminating[pod.UID] {
		k.mu.Unlock()
		return
	}
	k.terminating[pod.UID] = true
	admitted := k.admitted[string(pod.UID)]
	k.mu.Unlock()
	// The UID stays in k.terminating until the pod's DELETED event (node.go), so
	// the events our own status patch causes do not start a second termination.
	go func() {
		if admitted && !k.runPreStop(ctx, pod) {
			return
		}
		// Like kubelet's pod workers, retry until the pod is gone (API errors,
		// a restarting API server) rather than leave it Terminating.
		backoff := 200 * time.Millisecond
		for {
			err := k.finishTermination(ctx, cs, pod, admitted)
			if err == nil || ctx.Err() != nil {
				return
			}
			log.Printf("pod %s/%s: termination: %v (retrying in %s)", pod.Namespace, pod.Name, err, backoff)
			select {
			case <-ctx.Done():
				return
			case <-time.After(backoff):
			}
			if backoff *= 2; backoff > 5*time.Second {
				backoff = 5 * time.Second
			}
		}
	}()
}

// runPreStop waits for the containers' preStop sleep actions within the grace
// period; false when the node is shutting down meanwhile.
func (k *kubelet) runPreStop(ctx context.Context, pod *corev1.Pod) bool {
	grace := gracePeriod(pod)
	wait := preStopWait(pod, grace)
	if wait <= 0 {
		return true
	}
	log.Printf("pod %s/%s: preStop sleep %s (grace period %s)", pod.Namespace, pod.Name, wait, grace)
	select {
	case <-ctx.Done():
		return false
	case <-time.After(wait):
		return true
	}
}

// finishTermination writes the final status of a started pod, releases its
// devices and deletes the pod object with grace period 0 and its UID.
func (k *kubelet) finishTermination(ctx context.Context, cs kubernetes.Interface, pod *corev1.Pod, admitted bool) error {
	podKey := pod.Namespace + "/" + pod.Name
	if admitted {
		if err := k.writeStopped(ctx, cs, pod); err != nil && !apierrors.IsNotFound(err) {
			return err
		}
	}
	k.release(podKey)
	zero := int64(0)
	err := cs.CoreV1().Pods(pod.Namespace).Delete(ctx, pod.Name, metav1.DeleteOptions{
		GracePeriodSeconds: &zero,
		Preconditions:      &metav1.Preconditions{UID: &pod.UID},
	})
	if err != nil && !apierrors.IsNotFound(err) && !apierrors.IsConflict(err) {
		return err
	}
	log.Printf("pod %s: terminated and deleted", podKey)
	return nil
}

func gracePeriod(pod *corev1.Pod) time.Duration {
	if pod.DeletionGracePeriodSeconds != nil {
		return time.Duration(*pod.DeletionGracePeriodSeconds) * time.Second
	}
	if pod.Spec.TerminationGracePeriodSeconds != nil {
		return time.Duration(*pod.Spec.TerminationGracePeriodSeconds) * time.Second
	}
	return 30 * time.Second
}

// preStopWait: the hooks of all containers run in parallel, so the pod waits
// for the longest sleep action, never past the grace period.
func preStopWait(pod *corev1.Pod, grace time.Duration) time.Duration {
	var longest time.Duration
	for _, c := range pod.Spec.Containers {
		if c.Lifecycle == nil || c.Lifecycle.PreStop == nil {
			continue
		}
		h := c.Lifecycle.PreStop
		switch {
		case h.Sleep != nil:
			if d := time.Duration(h.Sleep.Seconds) * time.Second; d > longest {
				longest = d
			}
		case h.Exec != nil || h.HTTPGet != nil:
			log.Printf("pod %s/%s container %s: preStop exec/httpGet hook skipped (no container runtime)",
				pod.Namespace, pod.Name, c.Name)
		}
	}
	if longest > grace {
		return grace
	}
	return longest
}

// writeStopped records every container as terminated and the pod as
// Succeeded, as kubelet's final status update does.
func (k *kubelet) writeStopped(ctx context.Context, cs kubernetes.Interface, pod *corev1.Pod) error {
	now := metav1.Now()
	var statuses []corev1.ContainerStatus
	for _, c := range pod.Spec.Containers {
		st := corev1.ContainerStatus{Name: c.Name, Image: c.Image, ImageID: c.Image}
		st.State.Terminated = &corev1.ContainerStateTerminated{ExitCode: 0, Reason: "Completed",
			Message: "stopped by the simulated node", FinishedAt: now}
		statuses = append(statuses, st)
	}
	patch, _ := json.Marshal(map[string]any{"status": map[string]any{
		"phase":             corev1.PodSucceeded,
		"containerStatuses": statuses,
		"conditions": []corev1.PodCondition{
			{Type: corev1.ContainersReady, Status: corev1.ConditionFalse, LastTransitionTime: now},
			{Type: corev1.PodReady, Status: corev1.ConditionFalse, LastTransitionTime: now},
		},
	}})
	_, err := cs.CoreV1().Pods(pod.Namespace).Patch(ctx, pod.Name, types.StrategicMergePatchType, patch,
		metav1.PatchOptions{}, "status")
	return err
}
