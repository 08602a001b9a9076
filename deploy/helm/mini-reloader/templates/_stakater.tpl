{{/*
Stakater Reloader's chart values (chart 2.2.x: `reloader.*`, `global.*`, `image.name`,
`image.digest`, `kubernetes.host`), read as this chart's own. Every template includes
this first; it rewrites .Values once per render, so the templates below it see only
this chart's keys.

- A Stakater key at Stakater's default changes nothing: `config.stakaterDefaults`
  (set here unless the file sets it) already gives Stakater's defaults.
- A Stakater key set to something else wins over the key of ours it maps to.
- A key this chart cannot honour fails the render, naming it and what to do instead;
  a key the schema does not know fails validation. Nothing is dropped.
`mini-reloader migrate-values` writes the same mapping out as a values file of ours.
*/}}
{{- define "mini-reloader.fromStakater" -}}
{{- if not (hasKey .Values "_fromStakaterApplied") }}
{{- $_ := set .Values "_fromStakaterApplied" true }}
{{- include "mini-reloader.stakaterImage" . }}
{{- if kindIs "map" .Values.reloader }}
{{- $r := .Values.reloader }}
{{- $c := .Values.config }}
{{- $d := $r.deployment | default dict }}
{{- if not (include "mini-reloader.isSet" $c.stakaterDefaults) }}{{ $_ := set $c "stakaterDefaults" true }}{{ end }}

{{- /* Refused: what this chart cannot do, and what to do instead. */}}
{{- if include "mini-reloader.isTrue" $r.isOpenshift }}
{{- fail "reloader.isOpenshift: mini-reloader does not roll OpenShift DeploymentConfigs; remove the key (convert them to Deployments, or keep Stakater Reloader for them)" }}
{{- end }}
{{- if and (include "mini-reloader.isTrue" $r.ignoreSecrets) (include "mini-reloader.isTrue" $r.ignoreConfigMaps) }}
{{- fail "reloader.ignoreSecrets and reloader.ignoreConfigMaps together leave nothing to watch; keep at most one" }}
{{- end }}
{{- if and (include "mini-reloader.isTrue" $r.enableCSIIntegration) (not (hasKey $c "enableCsiIntegration")) }}
{{- fail "reloader.enableCSIIntegration: this chart version has no CSI SecretProviderClass integration; remove the key (workloads that mount a SecretProviderClass are then not rolled for it)" }}
{{- end }}
{{- if or (include "mini-reloader.isSet" $d.gomaxprocsOverride) (include "mini-reloader.isSet" $d.gomemlimitOverride) }}
{{- fail "reloader.deployment.gomaxprocsOverride and gomemlimitOverride tune Go's runtime and mini-reloader is no Go program; remove them and size it with reloader.deployment.resources.limits.memory (the V8 heap gets 60% of it)" }}
{{- end }}
{{- if and (hasKey $d "automountServiceAccountToken") (include "mini-reloader.isFalse" $d.automountServiceAccountToken) }}
{{- fail "reloader.deployment.automountServiceAccountToken false leaves mini-reloader without its credentials; remove the key" }}
{{- end }}
{{- if include "mini-reloader.isTrue" ($r.podMonitor | default dict).enabled }}
{{- fail "reloader.podMonitor: this chart renders a ServiceMonitor, not a PodMonitor; use reloader.serviceMonitor (the same labels, interval and relabelings) and set reloader.podMonitor.enabled false" }}
{{- end }}
{{- if include "mini-reloader.isTrue" ($r.netpol | default dict).enabled }}
{{- fail "reloader.netpol: this chart renders no NetworkPolicy; set reloader.netpol.enabled false and write your own (mini-reloader needs egress to the API server and its alert receiver, and ingress on its metrics port 9090)" }}
{{- end }}
{{- if include "mini-reloader.isTrue" ($r.verticalPodAutoscaler | default dict).enabled }}
{{- fail "reloader.verticalPodAutoscaler: this chart renders no VerticalPodAutoscaler; set reloader.verticalPodAutoscaler.enabled false and create one for the Deployment yourself" }}
{{- end }}

{{- /* Scope. Stakater's KUBERNETES_NAMESPACE mode is a watch list of the release namespace alone. */}}
{{- $global := not (include "mini-reloader.isFalse" $r.watchGlobally) }}
{{- $namespaces := list }}
{{- $given := $r.namespaces | default list }}
{{- if kindIs "string" $given }}{{ $given = splitList "," $given }}{{ end }}
{{- range $given }}{{ $n := trim (toString .) }}{{ if $n }}{{ $namespaces = append $namespaces $n }}{{ end }}{{ end }}
{{- if $global }}
{{- if $namespaces }}
{{- fail "reloader.namespaces is set but reloader.watchGlobally is true; set reloader.watchGlobally false to watch only those namespaces" }}
{{- end }}
{{- if include "mini-reloader.isSet" $r.ignoreNamespaces }}{{ $_ := set $c "namespacesToIgnore" (toString $r.ignoreNamespaces) }}{{ end }}
{{- if include "mini-reloader.isSet" $r.namespaceSelector }}{{ $_ := set $c "namespaceSelector" (toString $r.namespaceSelector) }}{{ end }}
{{- else }}
{{- $_ := set .Values "watchNamespaces" (concat (list .Release.Namespace) $namespaces | uniq | sortAlpha) }}
{{- if include "mini-reloader.isSet" $r.ignoreNamespaces }}
{{- fail "reloader.ignoreNamespaces applies only with reloader.watchGlobally true (Stakater ignores it otherwise); remove it, or leave those namespaces out of reloader.namespaces" }}
{{- end }}
{{- if include "mini-reloader.isSet" $r.namespaceSelector }}
{{- fail "reloader.namespaceSelector applies only with reloader.watchGlobally true (Stakater ignores it otherwise); remove it, or list the namespaces in reloader.namespaces" }}
{{- end }}
{{- end }}
{{- if include "mini-reloader.isSet" $r.resourceLabelSelector }}{{ $_ := set $c "resourceLabelSelector" (toString $r.resourceLabelSelector) }}{{ end }}
{{- if include "mini-reloader.isTrue" $r.ignoreSecrets }}{{ $_ := set $c "resourcesToIgnore" "secrets" }}{{ end }}
{{- if include "mini-reloader.isTrue" $r.ignoreConfigMaps }}{{ $_ := set $c "resourcesToIgnore" "configmaps" }}{{ end }}
{{- $ignoredKinds := list }}
{{- if include "mini-reloader.isTrue" $r.ignoreJobs }}{{ $ignoredKinds = append $ignoredKinds "jobs" }}{{ end }}
{{- if include "mini-reloader.isTrue" $r.ignoreCronJobs }}{{ $ignoredKinds = append $ignoredKinds "cronjobs" }}{{ end }}
{{- with $ignoredKinds }}{{ $_ := set $c "ignoredWorkloadTypes" . }}{{ end }}

{{- /* Behaviour. */}}
{{- range $from, $to := dict "autoReloadAll" "autoReloadAll" "isArgoRollouts" "argoRollouts" "reloadOnCreate" "reloadOnCreate" "reloadOnDelete" "reloadOnDelete" "syncAfterRestart" "syncAfterRestart" "enablePProf" "enablePprof" }}
{{- if include "mini-reloader.isTrue" (get $r $from) }}{{ $_ := set $c $to true }}{{ end }}
{{- end }}
{{- if include "mini-reloader.isTrue" $r.enableCSIIntegration }}{{ $_ := set $c "enableCsiIntegration" true }}{{ end }}
{{- if include "mini-reloader.isTrue" $r.enableMetricsByNamespace }}{{ $_ := set $c "metricsCountByNamespace" "enabled" }}{{ end }}
{{- $strategy := toString ($r.reloadStrategy | default "default") }}
{{- if ne $strategy "default" }}{{ $_ := set $c "reloadStrategy" $strategy }}
{{- else if include "mini-reloader.isFalse" $c.stakaterDefaults }}{{ $_ := set $c "reloadStrategy" "env-vars" }}
{{- end }}
{{- if include "mini-reloader.isSet" $r.logFormat }}{{ $_ := set $c "logFormat" (toString $r.logFormat) }}{{ end }}
{{- if and (include "mini-reloader.isSet" $r.logLevel) (ne (toString $r.logLevel) "info") }}{{ $_ := set $c "logLevel" (toString $r.logLevel) }}{{ end }}
{{- if and (include "mini-reloader.isSet" $r.pprofAddr) (ne (toString $r.pprofAddr) ":6060") }}{{ $_ := set $c "pprofAddr" (toString $r.pprofAddr) }}{{ end }}
{{- if include "mini-reloader.isSet" $r.webhookUrl }}{{ $_ := set $c "webhookUrl" (toString $r.webhookUrl) }}{{ end }}
{{- $annotationFlags := dict "configmap" "configMapAnnotation" "secret" "secretAnnotation" "auto" "autoAnnotation" "secret_auto" "secretAutoAnnotation" "configmap_auto" "configMapAutoAnnotation" "search" "autoSearchAnnotation" "match" "searchMatchAnnotation" "ignore" "ignoreAnnotation" "pausePeriod" "pauseDeploymentAnnotation" "pauseTime" "pauseDeploymentTimeAnnotation" }}
{{- range $from, $value := $r.custom_annotations }}
{{- if include "mini-reloader.isSet" $value }}{{ $_ := set $c (get $annotationFlags $from) (toString $value) }}{{ end }}
{{- end }}

{{- /* Replicas and leader election: Stakater elects a leader whenever it runs more than one replica, and runs one without enableHA. */}}
{{- $replicas := int (hasKey $d "replicas" | ternary $d.replicas 1) }}
{{- $ha := or (include "mini-reloader.isTrue" $r.enableHA) (gt $replicas 1) }}
{{- if $ha }}
{{- $_ := set .Values.ha "enabled" true }}
{{- $_ := set .Values.ha "replicas" (ternary $replicas 1 (include "mini-reloader.isTrue" $r.enableHA | eq "true")) }}
{{- else }}
{{- $_ := set .Values "replicaCount" (min $replicas 1) }}
{{- end }}
{{- $pdb := $r.podDisruptionBudget | default dict }}
{{- $_ := set .Values.ha.podDisruptionBudget "enabled" (include "mini-reloader.isTrue" $pdb.enabled | eq "true") }}
{{- if and (include "mini-reloader.isTrue" $pdb.enabled) (not $ha) }}
{{- fail "reloader.podDisruptionBudget.enabled on a single replica blocks every node drain; set reloader.enableHA true (and reloader.deployment.replicas 2), or set podDisruptionBudget.enabled false" }}
{{- end }}
{{- if hasKey $pdb "maxUnavailable" }}{{ $_ := set .Values.ha.podDisruptionBudget "maxUnavailable" $pdb.maxUnavailable }}{{ end }}
{{- if hasKey $pdb "minAvailable" }}{{ $_ := set .Values.ha.podDisruptionBudget "minAvailable" $pdb.minAvailable }}{{ end }}

{{- /* The pod. */}}
{{- if hasKey $d "revisionHistoryLimit" }}{{ $_ := set .Values "revisionHistoryLimit" $d.revisionHistoryLimit }}{{ end }}
{{- if kindIs "bool" $d.hostUsers }}{{ $_ := set .Values "hostUsers" $d.hostUsers }}{{ end }}
{{- range $from, $to := dict "dnsConfig" "dnsConfig" "nodeSelector" "nodeSelector" "affinity" "affinity" "tolerations" "tolerations" "topologySpreadConstraints" "topologySpreadConstraints" "volumes" "volumes" "volumeMounts" "volumeMounts" "resources" "resources" "annotations" "deploymentAnnotations" "priorityClassName" "priorityClassName" "runtimeClassName" "runtimeClassName" "schedulerName" "schedulerName" }}
{{- with get $d $from }}
{{- if kindIs "map" . }}{{ $_ := set $.Values $to (mergeOverwrite (deepCopy (get $.Values $to | default dict)) .) }}{{ else }}{{ $_ := set $.Values $to . }}{{ end }}
{{- end }}
{{- end }}
{{- if and $ha (not $d.affinity) }}
{{- $_ := set .Values "affinity" (dict "podAntiAffinity" (dict "preferredDuringSchedulingIgnoredDuringExecution" (list (dict "weight" 100 "podAffinityTerm" (dict "topologyKey" "kubernetes.io/hostname" "labelSelector" (dict "matchExpressions" (list (dict "key" "app.kubernetes.io/instance" "operator" "In" "values" (list .Release.Name))))))))) }}
{{- end }}
{{- with ($d.pod | default dict).annotations }}{{ $_ := set $.Values "podAnnotations" (merge (dict) . $.Values.podAnnotations) }}{{ end }}
{{- /* Stakater's own default labels name Stakater's image; only labels of the user's own count. */}}
{{- $stakaterLabels := dict "provider" "stakater" "group" "com.stakater.platform" "version" "v1.4.21" }}
{{- if and $d.labels (ne (toJson $d.labels) (toJson $stakaterLabels)) }}
{{- $_ := set .Values "deploymentLabels" (merge (dict) $d.labels .Values.deploymentLabels) }}
{{- $_ := set .Values "podLabels" (merge (dict) $d.labels .Values.podLabels) }}
{{- end }}
{{- with $r.matchLabels }}{{ $_ := set $.Values "commonLabels" (merge (dict) . $.Values.commonLabels) }}{{ end }}
{{- $stakaterPodSecurity := dict "runAsNonRoot" true "runAsUser" 65534 "seccompProfile" (dict "type" "RuntimeDefault") }}
{{- /* Laid over ours, as Helm lays a values file over the chart's defaults. */}}
{{- if and $d.securityContext (ne (toJson $d.securityContext) (toJson $stakaterPodSecurity)) }}{{ $_ := set .Values "podSecurityContext" (mergeOverwrite (deepCopy .Values.podSecurityContext) $d.securityContext) }}{{ end }}
{{- with $d.containerSecurityContext }}{{ $_ := set $.Values "securityContext" (mergeOverwrite (deepCopy $.Values.securityContext) .) }}{{ end }}
{{- if include "mini-reloader.isTrue" $r.readOnlyRootFileSystem }}{{ $_ := set .Values.securityContext "readOnlyRootFilesystem" true }}{{ end }}
{{- with $d.livenessProbe }}{{ $_ := set $.Values "livenessProbe" (mergeOverwrite (deepCopy $.Values.livenessProbe) .) }}{{ end }}
{{- with $d.readinessProbe }}{{ $_ := set $.Values "readinessProbe" (mergeOverwrite (deepCopy $.Values.readinessProbe) .) }}{{ end }}

{{- /* Environment: open values, a Secret the chart makes, the pod's fields, and existing Secrets. */}}
{{- $envValues := $d.env | default dict }}
{{- $env := .Values.env | default list }}
{{- range $name, $value := $envValues.open }}{{ if include "mini-reloader.isSet" $value }}{{ $env = append $env (dict "name" $name "value" (toString $value)) }}{{ end }}{{ end }}
{{- $secretEnv := dict }}
{{- range $name, $value := $envValues.secret }}{{ if include "mini-reloader.isSet" $value }}{{ $_ := set $secretEnv $name (toString $value) }}{{ end }}{{ end }}
{{- if $secretEnv }}{{ $_ := set .Values "secretEnv" (merge $secretEnv .Values.secretEnv) }}{{ end }}
{{- range $name, $path := $envValues.field }}{{ if include "mini-reloader.isSet" $path }}{{ $env = append $env (dict "name" $name "valueFrom" (dict "fieldRef" (dict "fieldPath" (toString $path)))) }}{{ end }}{{ end }}
{{- range $secret, $keys := $envValues.existing }}
{{- range $name, $key := $keys }}{{ $env = append $env (dict "name" $name "valueFrom" (dict "secretKeyRef" (dict "name" $secret "key" (toString $key)))) }}{{ end }}
{{- end }}
{{- $_ := set .Values "env" $env }}

{{- /* The objects around the pod. */}}
{{- $service := $r.service | default dict }}
{{- range $key := list "labels" "annotations" "port" "ipFamilyPolicy" "ipFamilies" }}
{{- if hasKey $service $key }}{{ $_ := set $.Values.service $key (get $service $key) }}{{ end }}
{{- end }}
{{- $rbac := $r.rbac | default dict }}
{{- if hasKey $rbac "enabled" }}{{ $_ := set .Values.rbac "create" (include "mini-reloader.isTrue" $rbac.enabled | eq "true") }}{{ end }}
{{- with $rbac.labels }}{{ $_ := set $.Values.rbac "labels" . }}{{ end }}
{{- $account := $r.serviceAccount | default dict }}
{{- if hasKey $account "create" }}{{ $_ := set .Values.serviceAccount "create" (include "mini-reloader.isTrue" $account.create | eq "true") }}{{ end }}
{{- range $key := list "labels" "annotations" "name" }}
{{- with get $account $key }}{{ $_ := set $.Values.serviceAccount $key . }}{{ end }}
{{- end }}
{{- $monitor := $r.serviceMonitor | default dict }}
{{- if include "mini-reloader.isTrue" $monitor.enabled }}
{{- range $from, $to := dict "enabled" "enabled" "namespace" "namespace" "interval" "interval" "timeout" "scrapeTimeout" "scheme" "scheme" "tlsConfig" "tlsConfig" "bearerTokenFile" "bearerTokenFile" "labels" "labels" "annotations" "annotations" "honorLabels" "honorLabels" "metricRelabelings" "metricRelabelings" "relabelings" "relabelings" "targetLabels" "targetLabels" }}
{{- if hasKey $monitor $from }}{{ $_ := set $.Values.serviceMonitor $to (get $monitor $from) }}{{ end }}
{{- end }}
{{- end }}

{{- end }}
{{- end }}
{{- end }}

{{/* Stakater's image values: global.imageRegistry with image.name (as Stakater's chart joins them), and global.imagePullSecrets as names or objects. */}}
{{- define "mini-reloader.stakaterImage" -}}
{{- $global := .Values.global | default dict }}
{{- with $global.imageRegistry }}{{ $_ := set $.Values.image "repository" (printf "%s/%s" . (required "global.imageRegistry needs image.name, the image's path in that registry" $.Values.image.name)) }}{{ end }}
{{- with $global.imagePullSecrets }}
{{- $secrets := list }}
{{- range . }}{{ $secrets = append $secrets (kindIs "string" . | ternary (dict "name" .) .) }}{{ end }}
{{- $_ := set $.Values "imagePullSecrets" (concat $.Values.imagePullSecrets $secrets) }}
{{- end }}
{{- end }}
