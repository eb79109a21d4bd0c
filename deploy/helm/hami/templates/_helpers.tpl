{{/* Object name prefix: "<release>-hami", or the release name when it already contains "hami". */}}
{{- define "hami.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 50 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default "hami" .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 50 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 50 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "hami.scheduler" -}}{{ include "hami.fullname" . }}-scheduler{{- end -}}
{{- define "hami.devicePlugin" -}}{{ include "hami.fullname" . }}-device-plugin{{- end -}}
{{- define "hami.webhook" -}}{{ include "hami.fullname" . }}-webhook{{- end -}}
{{- define "hami.schedulerTlsSecret" -}}{{ include "hami.scheduler" . }}-tls{{- end -}}
{{- define "hami.deviceConfig" -}}{{ include "hami.scheduler" . }}-device{{- end -}}

{{- define "hami.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/name: {{ default "hami" .Values.nameOverride }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- with .Values.global.labels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{- define "hami.annotations" -}}
{{- with .Values.global.annotations }}
annotations:
{{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}

{{- define "hami.selectorLabels" -}}
app.kubernetes.io/name: {{ default "hami" .Values.nameOverride }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* Image reference for hami's own images: (dict "root" $ "image" .Values.x.image) */}}
{{- define "hami.image" -}}
{{- $tag := .image.tag | default .root.Values.global.imageTag | default .root.Chart.AppVersion -}}
{{- printf "%s%s:%s" .root.Values.global.imageRegistry .image.repository $tag -}}
{{- end -}}

{{/* Cluster version as vX.Y.Z (drops "+k3s1", "-eks-..." and the like). */}}
{{- define "hami.kubeVersion" -}}
{{- regexFind "^v?[0-9]+\\.[0-9]+\\.[0-9]+" .Capabilities.KubeVersion.Version | trimPrefix "v" | printf "v%s" -}}
{{- end -}}

{{- define "hami.kubeSchedulerImage" -}}
{{- $img := .Values.scheduler.kubeScheduler.image -}}
{{- printf "%s:%s" $img.repository (default (include "hami.kubeVersion" .) $img.tag) -}}
{{- end -}}

{{/* Extended resources kube-scheduler hands to the extender (HAMi v2.10 default list). */}}
{{- define "hami.managedResources" -}}
{{- $names := list .Values.resourceName .Values.resourceMem .Values.resourceCores .Values.resourceMemPercentage .Values.resourcePriority -}}
{{- $names = concat $names (list "cambricon.com/vmlu" "hygon.com/dcunum" "hygon.com/dcumem" "hygon.com/dcucores" "metax-tech.com/gpu" "metax-tech.com/sgpu" "metax-tech.com/vcore" "metax-tech.com/vmemory" "mthreads.com/vgpu" "enflame.com/drs-gcu" "enflame.com/gcu-memory" "enflame.com/gcu-core" "enflame.com/gcu" "kunlunxin.com/xpu" "kunlunxin.com/vxpu" "kunlunxin.com/vxpu-memory" "aws.amazon.com/neuron" "aws.amazon.com/neuroncore" "vastaitech.com/va" "birentech.com/gpu" "amd.com/gpu" "amd.com/gpumem" "amd.com/gpucores") -}}
{{- if .Values.devices.ascend.enabled -}}
{{- range .Values.devices.ascend.chips -}}
{{- $names = concat $names (list (printf "huawei.com/%s" .commonWord) (printf "huawei.com/%s-memory" .commonWord) (printf "huawei.com/%s-core" .commonWord)) -}}
{{- end -}}
{{- end -}}
{{- $names = concat $names .Values.extraManagedResources -}}
{{- range $names | uniq }}
- name: {{ . }}
  ignoredByScheduler: true
{{- end }}
{{- end -}}

{{/* Webhook serving certificate: reuse the existing Secret unless it expires within
renewBeforeDays, else issue a new self-signed CA + certificate. Returns a dict as YAML
with keys ca, crt, key (base64). Rendered once per release via a cached value. */}}
{{- define "hami.webhookCerts" -}}
{{- $secretName := include "hami.schedulerTlsSecret" . -}}
{{- $svc := include "hami.scheduler" . -}}
{{- $existing := lookup "v1" "Secret" .Release.Namespace $secretName -}}
{{- $renewAt := add (now | unixEpoch) (mul .Values.scheduler.certs.renewBeforeDays 86400) -}}
{{- $reuse := false -}}
{{- if and $existing $existing.data $existing.metadata.annotations -}}
{{- $expires := index $existing.metadata.annotations "hami.io/cert-expires-unix" | default "0" | atoi -}}
{{- if and (gt $expires $renewAt) (index $existing.data "ca.crt") -}}
{{- $reuse = true -}}
{{- end -}}
{{- end -}}
{{- if $reuse -}}
ca: {{ index $existing.data "ca.crt" }}
crt: {{ index $existing.data "tls.crt" }}
key: {{ index $existing.data "tls.key" }}
expires: {{ index $existing.metadata.annotations "hami.io/cert-expires-unix" | quote }}
{{- else -}}
{{- $days := int .Values.scheduler.certs.validityDays -}}
{{- $ca := genCA (printf "%s-ca" $svc) $days -}}
{{- $dns := list $svc (printf "%s.%s" $svc .Release.Namespace) (printf "%s.%s.svc" $svc .Release.Namespace) (printf "%s.%s.svc.cluster.local" $svc .Release.Namespace) -}}
{{- $cert := genSignedCert (printf "%s.%s.svc" $svc .Release.Namespace) (list "127.0.0.1") $dns $days $ca -}}
ca: {{ $ca.Cert | b64enc }}
crt: {{ $cert.Cert | b64enc }}
key: {{ $cert.Key | b64enc }}
expires: {{ add (now | unixEpoch) (mul $days 86400) | quote }}
{{- end -}}
{{- end -}}
