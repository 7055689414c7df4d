{{/*
dynamo-cache.guard: before an install or upgrade touches a claim that already
exists, say in our own words what Kubernetes would refuse (PVC specs are immutable
except a size increase on a bound, expandable claim) and what to do instead.
`lookup` reads the live objects; it is empty under `helm template` and client
dry-runs, where this check cannot apply. It reads only the release's own claims (in
its namespace) and the StorageClasses the release itself makes: never another
cluster-scoped object, so a user with rights in one namespace only (scope namespace)
can install and upgrade. Whether a class allows expansion comes from what the
catalog knows of it (dynamo-cache.expandable), not from a cluster-scoped read.
Usage: {{ include "dynamo-cache.guard" . }}
*/}}
{{- define "dynamo-cache.guard" -}}
{{- include "dynamo-cache.load" . -}}
{{- $catalog := .dynamoCache.catalog -}}
{{- $errors := list -}}
{{- range $key := $catalog.cacheOrder -}}
{{- with index $.dynamoCache.live $key -}}
{{- $c := index $.dynamoCache.caches $key -}}
{{- $errors = concat $errors (include "dynamo-cache.guard.compare" (dict "root" $ "cache" $c "live" . "expandable" (include "dynamo-cache.expandable" (dict "root" $ "cache" $c)) "release" $.Release.Name "namespace" $.Release.Namespace) | fromJsonArray) -}}
{{- end -}}
{{- end -}}
{{- range $profile := .dynamoCache.chartClassesMade -}}
{{- $name := include "dynamo-cache.className" (dict "root" $ "profile" $profile) -}}
{{- $live := include "namespace-only user? install with --set scope=namespace (README: Shared clusters)" (list "storage.k8s.io/v1" "StorageClass" $name) | fromJson -}}
{{- if $live -}}
{{- $errors = concat $errors (include "dynamo-cache.guard.compareClass" (dict "root" $ "profile" $profile "live" $live) | fromJsonArray) -}}
{{- end -}}
{{- end -}}
{{- if $errors -}}
{{- fail (printf "\n\ndynamo-cache: this change cannot be applied to the existing claims:\n- %s\n\nNothing was changed." (join "\n- " $errors)) -}}
{{- end -}}
{{- end -}}

{{/*
dynamo-cache.guard.compare: the messages (JSON list) for one cache against its live
claim. Inputs: root, cache (from dynamo-cache.caches), live (the PVC), expandable ("true",
"false", or "" when unknown: the API server then decides), release, namespace. Kept
separate so tests can feed it simulated live objects. A change Kubernetes forbids is
worded by catalog.yaml ruleMessages.claimChange, as `gen-values --from` words it.
*/}}
{{- define "dynamo-cache.guard.compare" -}}
{{- $c := .cache -}}
{{- $live := .live -}}
{{- $path := printf "caches.%s" $c.key -}}
{{- $errors := list -}}
{{- $owner := index ($live.metadata.annotations | default dict) "meta.helm.sh/release-name" | default "" -}}
{{- $ownerNs := index ($live.metadata.annotations | default dict) "meta.helm.sh/release-namespace" | default "" -}}
{{- $fix := printf "give caches.%s a new name and copy the data across (a Job mounting both claims), or set the value back" $c.key -}}
{{- if not $owner -}}
{{- $errors = append $errors (printf "%s: claim %s already exists in namespace %s and was not created by Helm; to use it, set %s.existingClaim=%s" $path $c.name .namespace $path $c.name) -}}
{{- else if or (ne $owner .release) (ne $ownerNs .namespace) -}}
{{- $errors = append $errors (printf "%s: claim %s already exists and belongs to release %q (namespace %s), not %q; either install with that release name (helm upgrade --install %s ...) to adopt it with its data, or set %s.existingClaim=%s to use it from this release" $path $c.name $owner $ownerNs .release $owner $path $c.name) -}}
{{- else -}}
{{- $wantClass := $c.storageClass -}}
{{- if eq $wantClass "-" -}}{{- $wantClass = "" -}}{{- end -}}
{{- $liveClass := $live.spec.storageClassName | default "" -}}
{{- if and (ne $c.storageClass "") (ne $wantClass $liveClass) -}}
{{- $errors = append $errors (include "dynamo-cache.guard.change" (dict "args" . "leaf" "storageClass" "have" (printf "%q" $liveClass) "want" (printf "%q" $wantClass))) -}}
{{- end -}}
{{- if ne (toJson $c.accessModes) (toJson $live.spec.accessModes) -}}
{{- $errors = append $errors (include "dynamo-cache.guard.change" (dict "args" . "leaf" "accessModes" "have" (join "," $live.spec.accessModes) "want" (join "," $c.accessModes))) -}}
{{- end -}}
{{- if and $c.volumeName $live.spec.volumeName (ne $c.volumeName $live.spec.volumeName) -}}
{{- $errors = append $errors (printf "staticVolumes.%s.name: claim %s is bound to PersistentVolume %s, the values name %s; a claim's volume cannot change: set staticVolumes.%s.name=%s" $c.static $c.name $live.spec.volumeName $c.volumeName $c.static $live.spec.volumeName) -}}
{{- end -}}
{{- $liveMode := $live.spec.volumeMode | default "Filesystem" -}}
{{- if ne $c.volumeMode $liveMode -}}
{{- $errors = append $errors (include "dynamo-cache.guard.change" (dict "args" . "leaf" "volumeMode" "have" $liveMode "want" $c.volumeMode)) -}}
{{- end -}}
{{- $liveSize := $live.spec.resources.requests.storage -}}
{{- $want := include "dynamo-cache.bytes" $c.size | float64 -}}
{{- $have := include "dynamo-cache.bytes" $liveSize | float64 -}}
{{- if lt $want $have -}}
{{- $errors = append $errors (include "dynamo-cache.guard.change" (dict "args" . "leaf" "size" "have" $liveSize "want" $c.size)) -}}
{{- else if gt $want $have -}}
{{- $phase := ($live.status | default dict).phase | default "Pending" -}}
{{- if ne $phase "Bound" -}}
{{- $catalog := .root.dynamoCache.catalog -}}
{{- $mode := "" -}}{{- /* the class's binding mode where the catalog knows it */ -}}
{{- if $c.chartClass -}}{{- $mode = (index $catalog.chartClasses $c.chartClass).volumeBindingMode -}}
{{- else if hasKey $catalog.classes $liveClass -}}{{- $mode = ternary "WaitForFirstConsumer" "Immediate" ((index $catalog.classes $liveClass).waitForFirstConsumer | default false) -}}{{- end -}}
{{- $why := "it binds once its volume is provisioned, or, with a WaitForFirstConsumer class, when a pod first uses it" -}}
{{- if eq $mode "WaitForFirstConsumer" -}}{{- $why = printf "class %s binds it when a pod first uses it (WaitForFirstConsumer)" $liveClass -}}
{{- else if eq $mode "Immediate" -}}{{- $why = printf "class %s binds it once the driver has made the volume; kubectl describe pvc %s -n %s says what it waits for" $liveClass $c.name .namespace -}}{{- end -}}
{{- $errors = append $errors (printf "%s.size: claim %s is %s, and the API server refuses to resize a claim that is not Bound (%s); keep %s until it is Bound, then upgrade" $path $c.name $phase $why $liveSize) -}}
{{- else if eq .expandable "false" -}}
{{- $errors = append $errors (printf "%s.size: claim %s cannot grow from %s to %s: its class %q does not allow volume expansion; keep %s, or %s" $path $c.name $liveSize $c.size $liveClass $liveSize $fix) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- toJson $errors -}}
{{- end -}}

{{/*
dynamo-cache.guard.change: one change Kubernetes forbids on an existing claim, in the
words of ruleMessages.claimChange. Inputs: args (guard.compare's), leaf, have, want.
*/}}
{{- define "dynamo-cache.guard.change" -}}
{{- $c := .args.cache -}}
{{- $why := index .args.root.dynamoCache.catalog.ruleMessages.claimChange.why .leaf -}}
{{- include "dynamo-cache.say" (dict "root" .args.root "rule" "claimChange" "path" (printf "caches.%s.%s" $c.key .leaf) "fields" (dict "name" $c.name "leaf" .leaf "have" .have "want" .want "why" $why "cache" $c.key)) -}}
{{- end -}}

{{/*
dynamo-cache.guard.compareClass: the messages (JSON list) for a StorageClass the
chart makes against the live one: provisioner, parameters, reclaimPolicy and
volumeBindingMode of a StorageClass cannot change. Inputs: root, profile, live.
*/}}
{{- define "dynamo-cache.guard.compareClass" -}}
{{- $catalog := .root.dynamoCache.catalog -}}
{{- $sc := index .root.Values.storageClasses .profile -}}
{{- $info := index $catalog.chartClasses .profile -}}
{{- $path := printf "storageClasses.%s" .profile -}}
{{- $errors := list -}}
{{- $want := include "dynamo-cache.classParameters" $sc.parameters | fromJson -}}
{{- $have := .live.parameters | default dict -}}
{{- $fix := printf "set %s back to what the class has, or give the class a new name (%s.name) for new claims only: existing claims keep the class they were made with" $path $path -}}
{{- if ne (toJson $want) (toJson $have) -}}
{{- $errors = append $errors (printf "%s.parameters: class %s exists with parameters %s, the values ask for %s; Kubernetes cannot change a StorageClass's parameters: %s" $path .live.metadata.name (toJson $have) (toJson $want) $fix) -}}
{{- end -}}
{{- if ne (.live.reclaimPolicy | default "Delete") $sc.reclaimPolicy -}}
{{- $errors = append $errors (printf "%s.reclaimPolicy: class %s has %s, the values ask for %s; it cannot change: %s (an existing volume's policy can be changed with kubectl patch pv)" $path .live.metadata.name (.live.reclaimPolicy | default "Delete") $sc.reclaimPolicy $fix) -}}
{{- end -}}
{{- if ne .live.provisioner $info.provisioner -}}
{{- $errors = append $errors (printf "%s: class %s exists with provisioner %s, not %s; it is not this chart's class: choose another %s.name" $path .live.metadata.name .live.provisioner $info.provisioner $path) -}}
{{- end -}}
{{- toJson $errors -}}
{{- end -}}

{{/*
dynamo-cache.expandable: can a claim of this cache grow? "false" for a static volume
(only dynamically provisioned claims can be resized); "true" / "false" from the
class this release makes (its allowVolumeExpansion) or from the catalog's driver of an
AKS class; "" when the class is unknown here (the API server then answers).
Usage: {{ include "dynamo-cache.expandable" (dict "root" $ "cache" $c) }}
*/}}
{{- define "dynamo-cache.expandable" -}}
{{- $catalog := .root.dynamoCache.catalog -}}
{{- if .cache.static -}}
false
{{- else if .cache.chartClass -}}
{{- (index $catalog.chartClasses .cache.chartClass).allowVolumeExpansion | toString -}}
{{- else if hasKey $catalog.classes .cache.storageClass -}}
{{- (index $catalog.drivers (index $catalog.classes .cache.storageClass).driver).expansion | toString -}}
{{- end -}}
{{- end -}}
