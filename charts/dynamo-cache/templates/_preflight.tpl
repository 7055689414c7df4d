{{/*
dynamo-cache.preflight: before anything is created, check that the cluster has what
this release needs: the CSI driver of every class and static volume it makes, every
existing StorageClass it names, and the PrometheusRule kind when it renders alerts. Fails with what is missing, how to get it, and how to
skip the check. Skipped offline (helm template, --dry-run=client: lookup returns
nothing, detected by the kube-system namespace being invisible) and with scope namespace
(a team with rights in its namespace only cannot read cluster-scoped objects, and a
failed lookup cannot be caught). `gen-values doctor` makes the same checks from outside.
Usage: {{ include "dynamo-cache.preflight" . }}
*/}}
{{- define "dynamo-cache.preflight" -}}
{{- include "dynamo-cache.load" . -}}
{{- if and .Values.preflight.enabled (ne .Values.scope "namespace") (include "namespace-only user? install with --set scope=namespace (README: Shared clusters)" (list "v1" "Namespace" "kube-system") | fromJson) -}}
{{- $catalog := .dynamoCache.catalog -}}
{{- $missing := list -}}
{{- $drivers := list -}}
{{- range $profile := .dynamoCache.chartClassesMade -}}
{{- $drivers = append $drivers (index $catalog.chartClasses $profile).driver -}}
{{- end -}}
{{- range $key := .dynamoCache.rendered -}}
{{- $c := index $.dynamoCache.caches $key -}}
{{- if $c.static -}}
{{- $drivers = append $drivers (index $catalog.staticVolumes $c.static).driver -}}
{{- else if and (ne $.Values.scope "cluster") (not (has $c.storageClass (list "" "-"))) (not (and $c.chartClass (has $c.chartClass $.dynamoCache.chartClassesMade))) -}}
{{- if not (include "namespace-only user? install with --set scope=namespace (README: Shared clusters)" (list "storage.k8s.io/v1" "StorageClass" $c.storageClass) | fromJson) -}}
{{- $how := printf "create it, or name an existing class in caches.%s.storageClass" $key -}}
{{- with $c.driver -}}{{- $how = (index $catalog.drivers .).install -}}{{- end -}}
{{- $missing = append $missing (printf "StorageClass %s (caches.%s) does not exist: %s" $c.storageClass $key $how) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- range $driver := $drivers | uniq -}}
{{- $info := index $catalog.drivers $driver -}}
{{- if not (include "namespace-only user? install with --set scope=namespace (README: Shared clusters)" (list "storage.k8s.io/v1" "CSIDriver" $info.provisioner) | fromJson) -}}
{{- $missing = append $missing (printf "CSI driver %s (%s) is not installed: %s" $info.provisioner $info.title $info.install) -}}
{{- end -}}
{{- end -}}
{{- if and .Values.metrics.prometheusRule.enabled (ne .Values.scope "cluster") -}}{{- /* a lookup, not .Capabilities: Helm 3's template --dry-run=server has only the built-in kinds there */ -}}
{{- if not (include "namespace-only user? install with --set scope=namespace (README: Shared clusters)" (list "apiextensions.k8s.io/v1" "CustomResourceDefinition" "prometheusrules.monitoring.coreos.com") | fromJson) -}}
{{- $missing = append $missing "the PrometheusRule kind (CRD prometheusrules.monitoring.coreos.com) is not installed: install the Prometheus operator (such as kube-prometheus-stack) first, or set metrics.prometheusRule.enabled=false" -}}
{{- end -}}
{{- end -}}
{{- if $missing -}}
{{- fail (printf "\n\ndynamo-cache preflight: the cluster lacks what this release needs:\n- %s\n\nNothing was created. Skip this check with --set preflight.enabled=false." (join "\n- " $missing)) -}}
{{- end -}}
{{- end -}}
{{- end -}}
