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
  waits: its class binds when a pod first uses it (Pending alone is normal)
  pendingFor: how long Pending before the alert fires (the value, else its storage's: the
              driver's, or binding to a static volume's)
  expandable: a resize can be pending (expandable class, not a static volume)
Usage: {{ include "dynamo-cache.watchedCaches" . | fromJsonArray }}
*/}}
{{- define "dynamo-cache.watchedCaches" -}}
{{- include "dynamo-cache.load" . -}}
{{- $catalog := .dynamoCache.catalog -}}
{{- $p := .Values.metrics.prometheusRule -}}
{{- $out := list -}}
{{- range $key := .dynamoCache.rendered -}}
{{- $c := index $.dynamoCache.caches $key -}}
{{- $driver := index $catalog.drivers ($c.driver | default "none") | default (dict "usage" "unknown" "usageWhy" (printf "class %s is not one the chart knows, so its driver is not known" $c.storageClass) "pendingAlertAfter" "5m" "expansion" false) -}}
{{- $claims := regexQuoteMeta $c.name | replace "\\" "\\\\" -}}{{- /* in a PromQL string, \. is written \\. */ -}}
{{- $matchers := printf "namespace=%q, persistentvolumeclaim=%q" $.Release.Namespace $c.name -}}
{{- if eq $c.driver "local" -}}
{{- $claims = printf "%s|.+-%s" $claims $claims -}}
{{- $matchers = printf "namespace=%q, persistentvolumeclaim=~\"%s\"" $.Release.Namespace $claims -}}
{{- end -}}
{{- $pendingFor := $driver.pendingAlertAfter -}}
{{- with $c.static }}{{ $pendingFor = (index $catalog.staticVolumes .).pendingAlertAfter }}{{ end -}}
{{- $waits := $c.classInfo.waitForFirstConsumer | default false -}}
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
  "driverTitle" ($driver.title | default $c.storageClass)
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
{{- toJson $out -}}
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
{{- if $m.prometheusRule.enabled }}
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
