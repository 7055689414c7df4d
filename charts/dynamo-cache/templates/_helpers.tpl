{{/*
dynamo-cache.name: the chart name, overridable with nameOverride.
Usage: {{ include "dynamo-cache.name" . }}
*/}}
{{- define "dynamo-cache.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/*
dynamo-cache.fullname: prefix for cluster-scoped objects (StorageClasses, PVs), so
two releases never collide. Usage: {{ include "dynamo-cache.fullname" . }}
*/}}
{{- define "dynamo-cache.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/*
dynamo-cache.chart: chart name and version for the helm.sh/chart label.
*/}}
{{- define "dynamo-cache.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/*
dynamo-cache.labels: labels on every object.
Usage: {{ include "dynamo-cache.labels" (dict "root" $ "component" "model-cache") }}
*/}}
{{- define "dynamo-cache.labels" -}}
app.kubernetes.io/name: {{ include "dynamo-cache.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
app.kubernetes.io/component: {{ .component }}
app.kubernetes.io/part-of: dynamo
helm.sh/chart: {{ include "dynamo-cache.chart" .root }}
{{- with .root.Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/*
dynamo-cache.lustreClassName: name of the Lustre StorageClass the chart creates (or
the existing one named by lustre.storageClass.name).
*/}}
{{- define "dynamo-cache.lustreClassName" -}}
{{- .Values.lustre.storageClass.name | default (printf "%s-lustre" (include "dynamo-cache.fullname" .)) -}}
{{- end -}}

{{/*
dynamo-cache.caches: every cache with preset and values merged, as JSON:
{"model": {"key", "name", "enabled", "size", "accessModes", "volumeMode", "storageClass",
"driver", "keep", "annotations", "labels", "existingClaim"}, ...}. One place decides
what each cache gets; the PVC template, the validation and NOTES all read it.
storageClass: null = preset, "" = omit storageClassName (cluster default), "-" = "".
Usage: {{ $caches := include "dynamo-cache.caches" . | fromJson }}
*/}}
{{- define "dynamo-cache.caches" -}}
{{- $catalog := include "dynamo-cache.catalog.json" . | fromJson -}}
{{- $tier := index $catalog.tiers .Values.tier -}}
{{- $result := dict -}}
{{- range $key, $meta := $catalog.caches -}}
{{- $preset := index $tier.caches $key -}}
{{- $v := index $.Values.caches $key -}}
{{- $class := $v.storageClass -}}
{{- $chartClass := false -}}
{{- if kindIs "invalid" $class -}}
{{- $class = $preset.class -}}
{{- if $preset.chartClass -}}
{{- $class = include "dynamo-cache.lustreClassName" $ -}}
{{- $chartClass = true -}}
{{- end -}}
{{- else if eq $class (include "dynamo-cache.lustreClassName" $) -}}
{{- $chartClass = true -}}
{{- end -}}
{{- $driver := "" -}}
{{- if $chartClass -}}
{{- $driver = "lustre" -}}
{{- else if hasKey $catalog.classes $class -}}
{{- $driver = (index $catalog.classes $class).driver -}}
{{- else if hasKey $catalog.notClasses $class -}}
{{- $driver = (index $catalog.notClasses $class).driver -}}
{{- end -}}
{{- $size := $v.size | default $preset.size -}}
{{- if and (not $size) (eq $driver "lustre") -}}
{{- $sku := index $catalog.lustre.skus $.Values.lustre.storageClass.skuName -}}
{{- $size = printf "%vTi" $sku.minTiB -}}
{{- end -}}
{{- $keep := $v.keep -}}
{{- if kindIs "invalid" $keep -}}{{- $keep = $preset.keep -}}{{- end -}}
{{- $_ := set $result $key (dict
  "key" $key
  "enabled" $v.enabled
  "name" ($v.name | default $meta.name)
  "size" $size
  "accessModes" ($v.accessModes | default $preset.accessModes)
  "volumeMode" ($v.volumeMode | default "Filesystem")
  "storageClass" $class
  "chartClass" $chartClass
  "driver" $driver
  "classInfo" (index $catalog.classes $class | default dict)
  "keep" $keep
  "annotations" ($v.annotations | default dict)
  "labels" ($v.labels | default dict)
  "existingClaim" ($v.existingClaim | default "")
) -}}
{{- end -}}
{{- toJson $result -}}
{{- end -}}

{{/*
dynamo-cache.storageClassName: the one storage-class rule.
"" -> omit (cluster default class), "-" -> storageClassName: "", else the name.
Usage: {{ include "dynamo-cache.storageClassName" $cache.storageClass }}
*/}}
{{- define "dynamo-cache.storageClassName" -}}
{{- if eq . "-" -}}
storageClassName: ""
{{- else if . -}}
storageClassName: {{ . | quote }}
{{- end -}}
{{- end -}}
