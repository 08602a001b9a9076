{{/* Chart name, at most 63 characters. */}}
{{- define "mini-reloader.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Full name of the release's objects: the release name, prefixed with the chart name unless it already holds it. */}}
{{- define "mini-reloader.fullname" -}}
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

{{- define "mini-reloader.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "mini-reloader.selectorLabels" -}}
app.kubernetes.io/name: {{ include "mini-reloader.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "mini-reloader.labels" -}}
helm.sh/chart: {{ include "mini-reloader.chart" . }}
{{ include "mini-reloader.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{- define "mini-reloader.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "mini-reloader.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "mini-reloader.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{/* True ("true") when a config value is set: not null, not "", not an empty list. */}}
{{- define "mini-reloader.isSet" -}}
{{- if kindIs "invalid" . }}{{ else if kindIs "slice" . }}{{ if gt (len .) 0 }}true{{ end }}{{ else if ne (toString .) "" }}true{{ end }}
{{- end }}

{{/* A config value as the flag takes it: lists comma-joined, whole numbers without an exponent. */}}
{{- define "mini-reloader.flagValue" -}}
{{- if kindIs "slice" . }}{{ join "," . }}
{{- else if and (kindIs "float64" .) (eq (float64 (int64 .)) .) }}{{ int64 . }}
{{- else }}{{ toString . }}
{{- end }}
{{- end }}

{{/* Go's strconv.ParseBool, which the controller uses: "true" when the value parses as true. */}}
{{- define "mini-reloader.isTrue" -}}
{{- if has (lower (toString .)) (list "true" "t" "1") }}true{{ end }}
{{- end }}

{{- define "mini-reloader.isFalse" -}}
{{- if has (lower (toString .)) (list "false" "f" "0") }}true{{ end }}
{{- end }}

{{/* A comma list value (string or YAML list) as a list of trimmed, lower-case entries. */}}
{{- define "mini-reloader.lowerList" -}}
{{- $items := list }}
{{- if kindIs "slice" . }}{{ $items = . }}{{ else if include "mini-reloader.isSet" . }}{{ $items = splitList "," (toString .) }}{{ end }}
{{- $out := list }}
{{- range $items }}{{ $v := lower (trim (toString .)) }}{{ if $v }}{{ $out = append $out $v }}{{ end }}{{ end }}
{{- toJson $out }}
{{- end }}

{{/* The port of config.metricsAddress (":9090" by default). */}}
{{- define "mini-reloader.metricsPort" -}}
{{- $address := ":9090" }}
{{- if include "mini-reloader.isSet" .Values.config.metricsAddress }}{{ $address = toString .Values.config.metricsAddress }}{{ end }}
{{- regexReplaceAll "^.*:" $address "" }}
{{- end }}

{{- define "mini-reloader.leaseName" -}}
{{- default (include "mini-reloader.fullname" .) .Values.ha.leaseName }}
{{- end }}

{{/* Refuses values the controller would refuse at start, and values that would run it unsafely. */}}
{{- define "mini-reloader.validate" -}}
{{- $config := .Values.config }}
{{- if ne (base (toString .Values.image.repository)) "mini-reloader" }}
{{- fail (printf "image %s is not mini-reloader: the chart passes mini-reloader's arguments, which no other binary understands. Remove image.repository, image.name and image.tag (the default is ghcr.io/pelabs/mini-reloader), or point image.repository at your mirror of it" .Values.image.repository) }}
{{- end }}
{{- if .Values.watchNamespaces }}
{{- if include "mini-reloader.isSet" $config.namespaceSelector }}
{{- fail "config.namespaceSelector needs a ClusterRole to read Namespaces: it cannot be combined with watchNamespaces" }}
{{- end }}
{{- if include "mini-reloader.isSet" $config.namespacesToIgnore }}
{{- fail "config.namespacesToIgnore is for cluster-wide mode: leave those namespaces out of watchNamespaces instead" }}
{{- end }}
{{- end }}
{{- if and (not .Values.ha.enabled) (gt (int .Values.replicaCount) 1) }}
{{- fail "replicaCount above 1 needs ha.enabled: without leader election every replica would write" }}
{{- end }}
{{- end }}

{{/*
The container's args: `run`, then every config value that is set, then the
ones from watchNamespaces and ha. A config key is the flag name in camelCase,
with ConfigMap and CronJob spelled as the kinds.
*/}}
{{- define "mini-reloader.args" -}}
- run
{{- range $key, $value := .Values.config }}
{{- if include "mini-reloader.isSet" $value }}
{{- $flag := $key | replace "onfigMap" "onfigmap" | replace "ronJob" "ronjob" }}
- {{ printf "--%s=%s" (regexReplaceAll "([a-z0-9])([A-Z])" $flag "${1}-${2}" | lower) (include "mini-reloader.flagValue" $value) | quote }}
{{- end }}
{{- end }}
{{- with .Values.watchNamespaces }}
- {{ printf "--namespaces=%s" (join "," .) | quote }}
{{- end }}
{{- range .Values.workloadKinds }}
- {{ printf "--workload-kind=%s" (trim (toString .)) | quote }}
{{- end }}
{{- if .Values.ha.enabled }}
- --enable-ha=true
- {{ printf "--leader-election-id=%s" (include "mini-reloader.leaseName" .) | quote }}
- {{ printf "--leader-election-lease-duration=%s" (toString .Values.ha.leaseDuration) | quote }}
- {{ printf "--leader-election-renew-deadline=%s" (toString .Values.ha.renewDeadline) | quote }}
- {{ printf "--leader-election-retry-period=%s" (toString .Values.ha.retryPeriod) | quote }}
{{- end }}
{{- end }}

{{/*
The resource of each declared workload kind, as a JSON list of
{"group", "resource"}: a preset's from its table, a declaration's from its
resource= option, which the chart needs (only the controller can ask discovery).
*/}}
{{- define "mini-reloader.declaredResources" -}}
{{- $presets := dict "openkruise-cloneset" "apps.kruise.io/clonesets" "openkruise-advanced-statefulset" "apps.kruise.io/statefulsets" "openkruise-advanced-daemonset" "apps.kruise.io/daemonsets" "knative-service" "serving.knative.dev/services" "argo-rollout-workloadref" "argoproj.io/rollouts" }}
{{- $out := list }}
{{- range .Values.workloadKinds }}
{{- $declaration := trim (toString .) }}
{{- $parts := splitList "," $declaration }}
{{- $gvk := splitList "/" (first $parts) }}
{{- if eq (len $gvk) 1 }}
{{- $preset := get $presets $declaration }}
{{- if not $preset }}{{ fail (printf "workloadKinds: %q is not a preset (%s)" $declaration (keys $presets | sortAlpha | join ", ")) }}{{ end }}
{{- $gr := splitList "/" $preset }}
{{- $out = append $out (dict "group" (first $gr) "resource" (last $gr)) }}
{{- else }}
{{- $resource := "" }}
{{- range rest $parts }}{{ $option := trim . }}{{ if hasPrefix "resource=" $option }}{{ $resource = trim (trimPrefix "resource=" $option) }}{{ end }}{{ end }}
{{- if not $resource }}{{ fail (printf "workloadKinds: %q needs resource=PLURAL, so that the chart can grant access to it" $declaration) }}{{ end }}
{{- $out = append $out (dict "group" (first $gvk) "resource" $resource) }}
{{- end }}
{{- end }}
{{- toJson $out }}
{{- end }}

{{/*
The RBAC rules for namespaced resources, from the enabled features (least
privilege): read access to the configs watched and the workload kinds rolled,
patch on workloads (every roll and record is a patch), Job create/delete only
where a roll needs them, and create on core Events, the only Events the
controller writes. Never a write verb on ConfigMaps or Secrets.
*/}}
{{- define "mini-reloader.rules" -}}
{{- $config := .Values.config }}
{{- $ignoredConfigs := include "mini-reloader.lowerList" $config.resourcesToIgnore | fromJsonArray }}
{{- $ignoredKinds := include "mini-reloader.lowerList" $config.ignoredWorkloadTypes | fromJsonArray }}
{{- $stakaterNoRollouts := and (include "mini-reloader.isTrue" $config.stakaterDefaults) (not (include "mini-reloader.isSet" $config.argoRollouts)) }}
{{- if or (include "mini-reloader.isFalse" $config.argoRollouts) $stakaterNoRollouts }}{{ $ignoredKinds = append $ignoredKinds "rollouts" }}{{ end }}
{{- $writes := not (include "mini-reloader.isTrue" $config.dryRun) }}
{{- $rolls := and $writes (not (include "mini-reloader.isSet" $config.webhookUrl)) }}
{{- $read := list "get" "list" "watch" }}
{{- $workloadVerbs := $read }}
{{- if $writes }}{{ $workloadVerbs = append $read "patch" }}{{ end }}
{{- $configs := list }}
{{- range list "configmaps" "secrets" }}
{{- if not (has . $ignoredConfigs) }}{{ $configs = append $configs . }}{{ end }}
{{- end }}
{{- $apps := list }}
{{- range list "deployment" "statefulset" "daemonset" }}
{{- if not (or (has . $ignoredKinds) (has (printf "%ss" .) $ignoredKinds)) }}{{ $apps = append $apps (printf "%ss" .) }}{{ end }}
{{- end }}
{{- $cronJobs := not (or (has "cronjobs" $ignoredKinds) (has "cronjob" $ignoredKinds)) }}
{{- $jobs := not (or (has "jobs" $ignoredKinds) (has "job" $ignoredKinds)) }}
{{- $rollouts := not (or (has "rollouts" $ignoredKinds) (has "rollout" $ignoredKinds)) }}
{{- $declared := list }}
{{- range include "mini-reloader.declaredResources" . | fromJsonArray }}
{{- if eq (printf "%s/%s" .group .resource) "argoproj.io/rollouts" }}{{ $rollouts = true }}{{ else }}{{ $declared = append $declared . }}{{ end }}
{{- end }}
{{- $jobVerbs := list }}
{{- if $jobs }}{{ $jobVerbs = $workloadVerbs }}{{ end }}
{{- if and $rolls (or $jobs (and $cronJobs (not (include "mini-reloader.isFalse" $config.startCronJobRuns)))) }}{{ $jobVerbs = append $jobVerbs "create" }}{{ end }}
{{- if and $rolls $jobs }}{{ $jobVerbs = append $jobVerbs "delete" }}{{ end }}
{{- with $configs }}
- apiGroups: [""]
  resources: {{ toJson . }}
  verbs: {{ toJson $read }}
{{- end }}
- apiGroups: [""]
  resources: ["events"]
  verbs: ["create"]
{{- with $apps }}
- apiGroups: ["apps"]
  resources: {{ toJson . }}
  verbs: {{ toJson $workloadVerbs }}
{{- end }}
{{- if $cronJobs }}
- apiGroups: ["batch"]
  resources: ["cronjobs"]
  verbs: {{ toJson $workloadVerbs }}
{{- end }}
{{- with $jobVerbs }}
- apiGroups: ["batch"]
  resources: ["jobs"]
  verbs: {{ toJson . }}
{{- end }}
{{- if $rollouts }}
- apiGroups: ["argoproj.io"]
  resources: ["rollouts"]
  verbs: {{ toJson $workloadVerbs }}
{{- end }}
{{- if include "mini-reloader.isTrue" $config.enableCsiIntegration }}
- apiGroups: ["secrets-store.csi.x-k8s.io"]
  resources: ["secretproviderclasspodstatuses", "secretproviderclasses"]
  verbs: {{ toJson $read }}
{{- end }}
{{- range $declared }}
- apiGroups: [{{ .group | quote }}]
  resources: [{{ .resource | quote }}]
  verbs: {{ toJson $workloadVerbs }}
{{- end }}
{{- end }}
