{{/*
dynamo-cache.watchedCaches: what the alerts (prometheusrule.yaml), the dashboard and NOTES
know of each claim this release renders, as a JSON list in catalog order:
  key, name, title, whenFull: the cache, its claim, and what breaks when it is full
  claims: a regular expression of its claims' names, as written in a PromQL string (a
          node-local cache is also the per-pod ephemeral claims "<pod>-<name>" its workers
          get, see dynamo-cache.snippet.v1beta1)
  selector: the PromQL label matchers of its claims
  usage: its driver's volume usage, reported | unreported | unknown (catalog drivers.*.usage,
         from each driver's source), and usageWhy when not reported
  usageAlerts: whether the usage alerts are shipped (never for unreported, unless forced)
  waits: its class binds when a pod first uses it (Pending alone is normal), or is unknown
  pendingFor: how long Pending before the alert fires (the value, else its storage's: the
              driver's, or binding to a static volume's)
  expandable: a resize can be pending (expandable class, not a static volume)
Usage: {{ include "dynamo-cache.watchedCaches" . | fromJsonArray }}
*/}}
{{- define "dynamo-cache.watchedCaches" -}}
{{- include "dynamo-cache.load" . -}}
{{- if not (hasKey .dynamoCache "watched") -}}{{- /* once per render: the rules, the dashboard and NOTES ask */ -}}
{{- $catalog := .dynamoCache.catalog -}}
{{- $p := .Values.metrics.prometheusRule -}}
{{- $out := list -}}
{{- range $key := .dynamoCache.rendered -}}
{{- $c := index $.dynamoCache.caches $key -}}
{{- $driver := index $catalog.drivers ($c.driver | default "none") -}}
{{- $waits := $c.classInfo.waitForFirstConsumer | default false -}}
{{- if not $driver -}}
{{- $unknown := $catalog.unknownStorage -}}
{{- $class := get (dict "" "the cluster's default class" "-" "a volume without a class") $c.storageClass | default (printf "class %s" $c.storageClass) -}}
{{- $driver = dict "title" $class "usage" $unknown.usage "usageWhy" (replace "{class}" $class $unknown.usageWhy) "pendingAlertAfter" $unknown.pendingAlertAfter "expansion" $unknown.expansion -}}
{{- $waits = true -}}{{- /* its binding mode is unknown too: Pending counts only while a pod waits, right for both */ -}}
{{- end -}}
{{- $claims := regexQuoteMeta $c.name | replace "\\" "\\\\" -}}{{- /* in a PromQL string, \. is written \\. */ -}}
{{- $matchers := printf "namespace=%q, persistentvolumeclaim=%q" $.Release.Namespace $c.name -}}
{{- if eq $c.driver "local" -}}
{{- $claims = printf "%s|.+-%s" $claims $claims -}}
{{- $matchers = printf "namespace=%q, persistentvolumeclaim=~\"%s\"" $.Release.Namespace $claims -}}
{{- end -}}
{{- $pendingFor := $driver.pendingAlertAfter -}}
{{- with $c.static }}{{ $pendingFor = (index $catalog.staticVolumes .).pendingAlertAfter }}{{ end -}}
{{- $expandable := and $driver.expansion (not $c.static) -}}
{{- with $c.chartClass -}}
{{- $info := index $catalog.chartClasses . -}}
{{- $waits = eq $info.volumeBindingMode "WaitForFirstConsumer" -}}
{{- $expandable = $info.allowVolumeExpansion -}}
{{- end -}}
{{- $out = append $out (dict
  "key" $key
  "name" $c.name
  "title" (index $catalog.caches $key).title
  "whenFull" (index $catalog.caches $key).whenFull
  "driverTitle" $driver.title
  "claims" $claims
  "selector" $matchers
  "usage" $driver.usage
  "usageWhy" ($driver.usageWhy | default "")
  "usageAlerts" (or (ne $driver.usage "unreported") $p.forceUsageAlerts)
  "waits" $waits
  "pendingFor" ($p.alerts.pending.for | default $pendingFor)
  "expandable" $expandable
) -}}
{{- end -}}
{{- $_ := set .dynamoCache "watched" (toJson $out) -}}
{{- end -}}
{{- .dynamoCache.watched -}}
{{- end -}}

{{/*
dynamo-cache.alertRules: the PrometheusRule's rules (prometheusrule.yaml), as YAML list items
indented for its one group; empty when there is nothing to alert on.
*/}}
{{- define "dynamo-cache.alertRules" -}}
{{- include "dynamo-cache.load" . -}}
{{- if not (hasKey .dynamoCache "alertRules") -}}{{- /* once per render: the PrometheusRule and NOTES ask */ -}}
{{- $_ := set .dynamoCache "alertRules" (include "dynamo-cache.alertRules.render" .) -}}
{{- end -}}
{{- .dynamoCache.alertRules -}}
{{- end -}}

{{- define "dynamo-cache.alertRules.render" -}}
{{- $a := .Values.metrics.prometheusRule.alerts -}}
{{- $ns := .Release.Namespace -}}
{{- $watched := include "dynamo-cache.watchedCaches" . | fromJsonArray -}}
{{- range $c := $watched }}
{{- $where := printf "%s/%s (%s)" $ns $c.name $c.title }}
{{- $grow := ternary (printf "grow it in place: helm upgrade %s ... --reuse-values --set caches.%s.size=LARGER" $.Release.Name $c.key) (printf "%s cannot grow in place: free space, or move the cache to larger storage" $c.driverTitle) $c.expandable }}
{{- if $c.usageAlerts }}
{{- range $kind := list "usage" "inodes" }}
{{- $alert := index $a $kind }}
{{- if $alert.enabled }}
{{- $unit := ternary "bytes" "inodes" (eq $kind "usage") }}
{{- range $severity := list "warning" "critical" }}
        - alert: {{ ternary "DynamoCacheFillingUp" "DynamoCacheInodesFillingUp" (eq $kind "usage") }}
          expr: |-
            {{- if eq $kind "usage" }}
            max by (namespace, persistentvolumeclaim) (
              100 * (1 - kubelet_volume_stats_available_bytes{ {{- $c.selector -}} } / kubelet_volume_stats_capacity_bytes{ {{- $c.selector -}} })
            ) > {{ index $alert $severity }}
            {{- else }}
            max by (namespace, persistentvolumeclaim) (
              100 * (1 - kubelet_volume_stats_inodes_free{ {{- $c.selector -}} } / (kubelet_volume_stats_inodes{ {{- $c.selector -}} } > 0))
            ) > {{ index $alert $severity }}
            {{- end }}
          for: {{ $alert.for | default "0s" }}
          labels:
            severity: {{ $severity }}
            cache: {{ $c.key }}
          annotations:
            summary: {{ printf "The %s is {{ $value | humanize }}%% full (%s)" $c.title $unit | quote }}
            description: {{ printf "%s has used more than %v%% of its %s. %s %s." $where (index $alert $severity) $unit $c.whenFull $grow | quote }}
{{- end }}
{{- end }}
{{- end }}
{{- with $a.fullSoon }}{{ if .enabled }}
        - alert: DynamoCacheFullSoon
          expr: |-
            max by (namespace, persistentvolumeclaim) (
              predict_linear(kubelet_volume_stats_available_bytes{ {{- $c.selector -}} }[6h], {{ mul .hours 3600 }}) < 0
            )
          for: {{ .for | default "0s" }}
          labels:
            severity: warning
            cache: {{ $c.key }}
          annotations:
            summary: {{ printf "The %s fills within %v hours at its current growth" $c.title .hours | quote }}
            description: {{ printf "At the last 6 hours' growth, %s is full within %v hours. %s %s." $where .hours $c.whenFull $grow | quote }}
{{- end }}{{ end }}
{{- end }}
{{- if $a.pending.enabled }}
        - alert: DynamoCacheClaimPending
          expr: |-
            {{- if $c.waits }}
            max by (namespace, persistentvolumeclaim) (kube_persistentvolumeclaim_status_phase{ {{- $c.selector -}}, phase="Pending"} == 1)
              and on (namespace, persistentvolumeclaim)
            max by (namespace, persistentvolumeclaim) (kube_pod_spec_volumes_persistentvolumeclaims_info{ {{- $c.selector -}} })
            {{- else }}
            max by (namespace, persistentvolumeclaim) (kube_persistentvolumeclaim_status_phase{ {{- $c.selector -}}, phase="Pending"} == 1)
            {{- end }}
          for: {{ $c.pendingFor }}
          labels:
            severity: warning
            cache: {{ $c.key }}
          annotations:
            summary: {{ printf "The %s claim is still Pending after %s" $c.title $c.pendingFor | quote }}
            description: {{ printf "%s has been Pending for %s%s, longer than its storage normally takes. Its events say why: kubectl describe pvc -n %s %s; gen-values doctor says what the cluster lacks." $where $c.pendingFor (ternary " while a pod waits for it" "" $c.waits) $ns $c.name | quote }}
{{- end }}
{{- if and $c.expandable $a.resizePending.enabled }}
        - alert: DynamoCacheResizePending
          expr: |-
            max by (namespace, persistentvolumeclaim) (kube_persistentvolumeclaim_resource_requests_storage_bytes{ {{- $c.selector -}} })
              > on (namespace, persistentvolumeclaim)
            max by (namespace, persistentvolumeclaim) (
              kube_persistentvolume_capacity_bytes
                * on (persistentvolume) group_left (namespace, persistentvolumeclaim)
              label_replace(kube_persistentvolumeclaim_info{ {{- $c.selector -}} }, "persistentvolume", "$1", "volumename", "(.+)")
            )
            or
            max by (namespace, persistentvolumeclaim) (kube_persistentvolumeclaim_status_condition{ {{- $c.selector -}}, condition=~"Resizing|FileSystemResizePending", status="true"} == 1)
          for: {{ $a.resizePending.for | default "0s" }}
          labels:
            severity: warning
            cache: {{ $c.key }}
          annotations:
            summary: {{ printf "The %s claim's resize has not completed after %s" $c.title $a.resizePending.for | quote }}
            description: {{ printf "%s asks for more than its volume holds, or waits for its filesystem to grow, since more than %s. The resizer's events say why: kubectl describe pvc -n %s %s." $where $a.resizePending.for $ns $c.name | quote }}
{{- end }}
{{- end }}
{{- if .Values.modelDownload.enabled }}
{{- $job := include "dynamo-cache.downloadJobName" . }}
{{- $jobMatch := printf "namespace=%q, job_name=%q" $ns $job }}
{{- if $a.downloadFailed.enabled }}
        - alert: DynamoCacheDownloadFailed
          expr: |-
            max by (namespace, job_name) (kube_job_failed{ {{- $jobMatch -}}, condition="true"} == 1)
          for: {{ $a.downloadFailed.for | default "0s" }}
          labels:
            severity: critical
          annotations:
            summary: The model download Job failed
            description: {{ printf "Job %s/%s failed: the model cache is not filled, and Dynamo workers that read it will not start. Its log says why: kubectl logs -n %s job/%s. Exit code 3 is a failure no retry can fix (wrong model id, gated model, refused token, unknown revision): fix modelDownload and helm upgrade." $ns $job $ns $job | quote }}
{{- end }}
{{- if $a.downloadNotComplete.enabled }}
        - alert: DynamoCacheDownloadNotComplete
          expr: |-
            max by (namespace, job_name) (kube_job_status_start_time{ {{- $jobMatch -}} })
              unless on (namespace, job_name)
            (max by (namespace, job_name) (kube_job_complete{ {{- $jobMatch -}}, condition="true"} == 1) or max by (namespace, job_name) (kube_job_failed{ {{- $jobMatch -}}, condition="true"} == 1))
          for: {{ $a.downloadNotComplete.for | default "0s" }}
          labels:
            severity: warning
          annotations:
            summary: {{ printf "The model download Job has not completed after %s" $a.downloadNotComplete.for | quote }}
            description: {{ printf "Job %s/%s started more than %s ago and has not completed. Follow it: kubectl logs -n %s job/%s -f; a pod that stays Pending waits for its claim or a node." $ns $job $a.downloadNotComplete.for $ns $job | quote }}
{{- end }}
{{- end }}
{{- end -}}

{{/*
dynamo-cache.notes.metrics: what NOTES says of the alerts and the dashboard: where they are,
what Prometheus needs to load them, and each cache whose usage cannot be alerted on, and why.
*/}}
{{- define "dynamo-cache.notes.metrics" -}}
{{- $m := .Values.metrics -}}
{{- if or $m.prometheusRule.enabled $m.dashboard.enabled -}}
{{- if eq .Values.scope "cluster" }}

NOTE: metrics.prometheusRule and metrics.dashboard watch claims and a download Job, which a release
      with scope cluster does not have: nothing is rendered. Turn them on in the namespace releases.
{{- else }}
{{- $watched := include "dynamo-cache.watchedCaches" . | fromJsonArray }}

Monitoring:
{{- if not $m.prometheusRule.enabled }}
{{- else if not (include "dynamo-cache.alertRules" .) }}
   - No PrometheusRule: nothing to alert on (this release makes no claim and no download Job, or
     every alert is turned off).
{{- else }}
   - PrometheusRule {{ include "dynamo-cache.fullname" . }}: alerts on {{ range $i, $c := $watched }}{{ if $i }}, {{ end }}{{ $c.name }}{{ end }}{{ if .Values.modelDownload.enabled }} and the download Job{{ end }}.
     Prometheus loads it only if its ruleSelector matches its labels (kube-prometheus-stack:
     --set metrics.prometheusRule.labels.release=<its release name>). kubelet reports a claim's
     usage only while a pod mounts it; kube-state-metrics reports the claims and the Job.
{{- end }}
{{- if $m.dashboard.enabled }}
   - Grafana dashboard "Dynamo caches: {{ .Release.Name }} ({{ .Release.Namespace }})" in ConfigMap {{ include "dynamo-cache.fullname" . }}-dashboard,
     for a Grafana sidecar that watches this namespace for its labels (kube-prometheus-stack:
     grafana.sidecar.dashboards.searchNamespace=ALL).
{{- end }}
{{- range $c := $watched }}
{{- if eq $c.usage "unreported" }}

NOTE: {{ $c.name }} is on {{ $c.driverTitle }}: {{ $c.usageWhy }}, so kubelet has no usage for it.
{{- if $m.prometheusRule.enabled }}
      {{- if $m.prometheusRule.forceUsageAlerts }}
      Its usage alerts are shipped anyway (metrics.prometheusRule.forceUsageAlerts): they fire only if your driver reports usage.
      {{- else }}
      It gets no usage alerts; set metrics.prometheusRule.forceUsageAlerts=true if your driver reports usage.
      {{- end }}
{{- end }}
{{- else if eq $c.usage "unknown" }}

NOTE: {{ $c.name }}: {{ $c.usageWhy }}. If Prometheus has no kubelet_volume_stats_used_bytes for it
      while a pod mounts it, its usage alerts and panels stay empty.
{{- end }}
{{- end }}
{{- end }}
{{- end }}
{{- end -}}
