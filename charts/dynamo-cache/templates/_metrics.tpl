{{/*
dynamo-cache.watchedCaches: what the alerts (prometheusrule.yaml), the dashboard and NOTES
know of each claim this release renders, as a JSON list in catalog order:
  key, name, title, whenFull: the cache, its claim, and what breaks when it is full
  selector: the PromQL label matchers of its claims (a node-local cache is also the per-pod
            ephemeral claims "<pod>-<name>" its workers get, see dynamo-cache.snippet.v1beta1)
  usage: its driver's volume usage, reported | unreported | unknown (catalog drivers.*.usage,
         from each driver's source), and usageWhy when not reported
  usageAlerts: whether the usage alerts are shipped (never for unreported, unless forced)
  waits: its class binds when a pod first uses it (Pending alone is normal)
  pendingFor: how long Pending before the alert fires (the value, else the driver's)
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
{{- $matchers := printf "namespace=%q, persistentvolumeclaim=%q" $.Release.Namespace $c.name -}}
{{- if eq $c.driver "local" -}}{{- /* PromQL strings unescape once more: \. is written \\. */ -}}
{{- $quoted := regexQuoteMeta $c.name | replace "\\" "\\\\" -}}
{{- $matchers = printf "namespace=%q, persistentvolumeclaim=~\"%s|.+-%s\"" $.Release.Namespace $quoted $quoted -}}
{{- end -}}
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
  "selector" $matchers
  "usage" $driver.usage
  "usageWhy" ($driver.usageWhy | default "")
  "usageAlerts" (or (ne $driver.usage "unreported") $p.forceUsageAlerts)
  "waits" $waits
  "pendingFor" ($p.alerts.pending.for | default $driver.pendingAlertAfter)
  "expandable" $expandable
) -}}
{{- end -}}
{{- toJson $out -}}
{{- end -}}
