{{/*
The chart name, overridable with nameOverride.
*/}}
{{- define "specd.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
A fully qualified app name, truncated to 63 characters (the DNS label limit some fields have).
When the release name already contains the chart name, it is used as is.
*/}}
{{- define "specd.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/*
Chart name and version, for the helm.sh/chart label.
*/}}
{{- define "specd.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Common labels.
*/}}
{{- define "specd.labels" -}}
helm.sh/chart: {{ include "specd.chart" . }}
{{ include "specd.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.image.tag | default .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/*
Selector labels: immutable once a Deployment exists, so they hold nothing that changes between upgrades.
*/}}
{{- define "specd.selectorLabels" -}}
app.kubernetes.io/name: {{ include "specd.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/*
The service account's name.
*/}}
{{- define "specd.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "specd.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
The image reference; the tag defaults to the chart's appVersion.
*/}}
{{- define "specd.image" -}}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion | toString) }}
{{- end }}

{{/*
The shared cache claim's name: an existing claim, or the one this chart creates.
*/}}
{{- define "specd.cacheClaimName" -}}
{{- if .Values.cache.shared.existingClaim }}
{{- .Values.cache.shared.existingClaim }}
{{- else }}
{{- printf "%s-cache" (include "specd.fullname" .) }}
{{- end }}
{{- end }}

{{/*
"true" when the cache is one claim that a single pod at a time can mount (shared, not ReadWriteMany): then
no two pods may run at once, neither replicas nor a rolling update's surge pod.
*/}}
{{- define "specd.cacheSingleAttach" -}}
{{- if and (eq .Values.cache.type "shared") (not (has "ReadWriteMany" .Values.cache.shared.accessModes)) }}true{{ end }}
{{- end }}

{{/*
The Deployment strategy: the values' own, else RollingUpdate that brings the new pod up before the old one
goes (its models load first), else Recreate where only one pod can mount the cache.
*/}}
{{- define "specd.strategy" -}}
{{- if .Values.strategy }}
{{- toYaml .Values.strategy }}
{{- else if include "specd.cacheSingleAttach" . }}
type: Recreate
{{- else }}
type: RollingUpdate
rollingUpdate:
  maxSurge: 1
  maxUnavailable: 0
{{- end }}
{{- end }}

{{/*
A storageClassName line for a claim the chart creates: "" in the values means the cluster default (no
line), "-" means storageClassName: "" (no dynamic provisioning).
*/}}
{{- define "specd.storageClass" -}}
{{- with .Values.cache.storageClass }}
{{- if eq "-" . }}
storageClassName: ""
{{- else }}
storageClassName: {{ . | quote }}
{{- end }}
{{- end }}
{{- end }}

{{/*
Decode threads for SPECD_ENGINE_THREADS, or empty when the variable should stay unset.
An explicit engine.threads wins; otherwise resources.limits.cpu ("4", 4, 2.5 or "3500m") rounded down to
whole CPUs, at least 1, because decode threads beyond the CPU quota only get throttled.
*/}}
{{- define "specd.engineThreads" -}}
{{- $explicit := int (default 0 .Values.engine.threads) }}
{{- if gt $explicit 0 }}
{{- $explicit }}
{{- else }}
{{- $cpu := toString (dig "limits" "cpu" "" (default dict .Values.resources)) }}
{{- if $cpu }}
{{- if hasSuffix "m" $cpu }}
{{- max 1 (div (atoi (trimSuffix "m" $cpu)) 1000) }}
{{- else }}
{{- max 1 (int (floor (float64 $cpu))) }}
{{- end }}
{{- end }}
{{- end }}
{{- end }}

{{/*
autoscaling.targetSaturation as a Kubernetes quantity in thousandths (0.75 -> 750m), as an HPA's averageValue.
*/}}
{{- define "specd.targetSaturation" -}}
{{- printf "%dm" (int (round (mulf .Values.autoscaling.targetSaturation 1000) 0)) | quote }}
{{- end }}

{{/*
The Secret holding the API keys: the existing one named in apiKeys.existingSecret, else the chart's.
*/}}
{{- define "specd.apiKeysSecret" -}}
{{- .Values.apiKeys.existingSecret | default (printf "%s-api-keys" (include "specd.fullname" .)) }}
{{- end }}
