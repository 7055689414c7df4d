{{/*
dynamo-cache.name: the chart name, overridable with nameOverride.
Usage: {{ include "dynamo-cache.name" . }}
*/}}
{{- define "dynamo-cache.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/*
dynamo-cache.fullname: the name of the release's namespaced objects (the download Job, the
helm test Jobs), as Helm's scaffold makes it. Usage: {{ include "dynamo-cache.fullname" . }}
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
dynamo-cache.clusterPrefix: what the names of the cluster-scoped objects this release makes
(StorageClasses, PersistentVolumes) start with: "<release>.<namespace>.", so no two
(release, namespace) pairs share a name (a namespace and a suffix hold no dot, so the name
says both); fullnameOverride replaces it with "<fullnameOverride>-". Python twin:
resolve.cluster_prefix. Usage: {{ include "dynamo-cache.clusterPrefix" . }}
*/}}
{{- define "dynamo-cache.clusterPrefix" -}}
{{- if .Values.fullnameOverride -}}
{{- include "dynamo-cache.fullname" . -}}-
{{- else -}}
{{- printf "%s.%s." .Release.Name .Release.Namespace -}}
{{- end -}}
{{- end -}}

{{/*
dynamo-cache.legacyPrefix: the prefix 0.2.0 gave the same objects (<fullname>-<namespace>-).
A release installed then keeps its names: dynamo-cache.load reads them from its live claims
(a claim's class and volume cannot change), so an upgrade never renames what exists.
*/}}
{{- define "dynamo-cache.legacyPrefix" -}}
{{- printf "%s-%s" (include "dynamo-cache.fullname" .) .Release.Namespace | trunc 200 | trimSuffix "-" -}}-
{{- end -}}

{{/*
dynamo-cache.chart: chart name and version for the helm.sh/chart label.
*/}}
{{- define "dynamo-cache.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/*
dynamo-cache.labels: labels on every object; all but the component's are the same on
every object, made once per render (dynamo-cache.commonLabels, kept by dynamo-cache.load).
Usage: {{ include "dynamo-cache.labels" (dict "root" $ "component" "model-cache") }}
*/}}
{{- define "dynamo-cache.labels" -}}
{{- include "dynamo-cache.load" .root -}}
{{- $labels := .root.dynamoCache.labels -}}
{{ $labels.before }}
app.kubernetes.io/component: {{ .component }}
{{ $labels.after }}
{{- end -}}

{{- define "dynamo-cache.commonLabels" -}}
{{- $before := printf "app.kubernetes.io/name: %s\napp.kubernetes.io/instance: %s\napp.kubernetes.io/version: %s\napp.kubernetes.io/managed-by: %s" (include "dynamo-cache.name" .) .Release.Name (.Chart.AppVersion | quote) .Release.Service -}}
{{- $after := printf "app.kubernetes.io/part-of: dynamo\nhelm.sh/chart: %s" (include "dynamo-cache.chart" .) -}}
{{- with .Values.commonLabels }}{{ $after = printf "%s\n%s" $after (toYaml .) }}{{ end -}}
{{- toJson (dict "before" $before "after" $after) -}}
{{- end -}}

{{/*
dynamo-cache.className: name of the StorageClass the chart makes for a profile of
storageClasses (or the existing one named there when create is false).
Usage: {{ include "dynamo-cache.className" (dict "root" $ "profile" "lustre") }}
*/}}
{{- define "dynamo-cache.className" -}}
{{- include "dynamo-cache.load" .root -}}
{{- index .root.dynamoCache.classNames .profile -}}
{{- end -}}

{{/*
dynamo-cache.load: computes, once per render, what the templates read, and keeps it in
the root context as .dynamoCache: catalog (the JSON parsed once), clusterPrefix, labels
(the common ones), classNames (profile -> class name), caches (presets and values
merged), rendered (the keys of the caches that render a claim, in catalog order),
chartClassesMade. Helm renders every
template of a chart, NOTES included, with one root map, so every later include is free:
parsing the catalog in each helper cost most of a render. Nothing may modify what it
holds (copy first, as pvc.yaml does with annotations).
Usage: {{- include "dynamo-cache.load" $ -}}{{- $caches := $.dynamoCache.caches -}}
*/}}
{{- define "dynamo-cache.load" -}}
{{- if not (hasKey . "dynamoCache") -}}
{{- $catalog := include "dynamo-cache.catalog.json" . | fromJson -}}
{{- $prefix := include "dynamo-cache.clusterPrefix" . -}}
{{- $live := dict -}}{{- /* the release's live claims, cache key -> object, one lookup each: the names below, the guard and NOTES read them */ -}}
{{- if ne .Values.scope "cluster" -}}{{- /* which renders no claims */ -}}
{{- range $key := $catalog.cacheOrder -}}
{{- $v := index $.Values.caches $key -}}
{{- if and $v.enabled (not $v.existingClaim) -}}{{- /* the caches that render a claim, named as mergeCaches names them */ -}}
{{- with lookup "v1" "PersistentVolumeClaim" $.Release.Namespace ($v.name | default (index $catalog.caches $key).name) -}}{{- $_ := set $live $key . -}}{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- $kept := include "dynamo-cache.keptNames" (dict "root" . "catalog" $catalog "live" $live) | fromJson -}}
{{- $names := dict -}}
{{- range $profile := $catalog.chartClassOrder -}}
{{- $suffix := (index $catalog.chartClasses $profile).nameSuffix -}}
{{- $name := (index $.Values.storageClasses $profile).name | default (index $kept (printf "class/%s" $profile)) -}}
{{- $_ := set $names $profile ($name | default (printf "%s%s" $prefix $suffix)) -}}
{{- end -}}
{{- $labels := include "dynamo-cache.commonLabels" . | fromJson -}}
{{- $_ := set . "dynamoCache" (dict "catalog" $catalog "classNames" $names "clusterPrefix" $prefix "kept" $kept "live" $live "labels" $labels) -}}
{{- include "dynamo-cache.mergeCaches" . -}}
{{- $rendered := list -}}{{- /* the caches that render a claim, in catalog order */ -}}
{{- range $key := $catalog.cacheOrder -}}
{{- $c := index $.dynamoCache.caches $key -}}
{{- if and $c.enabled (not $c.existingClaim) -}}{{- $rendered = append $rendered $key -}}{{- end -}}
{{- end -}}
{{- $_ := set .dynamoCache "rendered" $rendered -}}
{{- $downloads := list -}}{{- /* read once: the rules, the Job and NOTES use it */ -}}
{{- if .Values.modelDownload.enabled }}{{ $downloads = include "dynamo-cache.downloads" . | fromJsonArray }}{{ end -}}
{{- $_ := set .dynamoCache "downloads" $downloads -}}
{{- include "dynamo-cache.findClassesMade" . -}}
{{- end -}}
{{- end -}}

{{/*
dynamo-cache.mergeCaches: every cache with preset and values merged, into
.dynamoCache.caches (by dynamo-cache.load):
{"model": {"key", "name", "enabled", "size", "accessModes", "volumeMode", "storageClass",
"chartClass", "static", "volumeName", "driver", "classInfo", "keep", "sku", "annotations",
"labels", "existingClaim"}, ...}. One place decides what each cache gets; the
templates, the validation and NOTES all read it (generator/dynamo_cache/resolve.py
is its Python twin, held equal by the tests).
storageClass: null = preset, "" = omit storageClassName (cluster default), "-" = "".
*/}}
{{- define "dynamo-cache.mergeCaches" -}}
{{- $catalog := .dynamoCache.catalog -}}
{{- $tier := index $catalog.tiers .Values.tier -}}
{{- $variant := .Values.variant | default $tier.defaultVariant -}}
{{- $presets := index (index $catalog.presets .Values.tier) $variant | default dict -}}
{{- $nameOf := dict -}}{{- /* profile -> class name */ -}}
{{- $profileOf := dict -}}{{- /* class name -> profile */ -}}
{{- range $profile := $catalog.chartClassOrder -}}
{{- $className := index $.dynamoCache.classNames $profile -}}
{{- $_ := set $nameOf $profile $className -}}
{{- $_ := set $profileOf $className $profile -}}
{{- end -}}
{{- $result := dict -}}
{{- range $key, $meta := $catalog.caches -}}
{{- /* an unknown variant has no presets: dynamo-cache.validate reports it */ -}}
{{- $preset := index $presets $key | default (dict "accessModes" (list "ReadWriteOnce")) -}}
{{- $v := index $.Values.caches $key -}}
{{- $name := $v.name | default $meta.name -}}
{{- $class := $v.storageClass -}}
{{- $chartClass := "" -}}
{{- $static := "" -}}
{{- if kindIs "invalid" $class -}}
{{- if $preset.static -}}
{{- $static = $preset.static -}}
{{- $class = "-" -}}
{{- else if $preset.chartClass -}}
{{- $chartClass = $preset.chartClass -}}
{{- $class = index $nameOf $chartClass -}}
{{- else -}}
{{- $class = $preset.class | default "" -}}
{{- end -}}
{{- else -}}
{{- $chartClass = index $profileOf $class | default "" -}}
{{- end -}}
{{- $driver := "" -}}
{{- if $chartClass -}}
{{- $driver = (index $catalog.chartClasses $chartClass).driver -}}
{{- else if $static -}}
{{- $driver = (index $catalog.staticVolumes $static).driver -}}
{{- else if hasKey $catalog.classes $class -}}
{{- $driver = (index $catalog.classes $class).driver -}}
{{- else if hasKey $catalog.notClasses $class -}}
{{- $driver = (index $catalog.notClasses $class).driver -}}
{{- end -}}
{{- $size := $v.size | default $preset.size -}}
{{- if and (not $size) (eq $chartClass "lustre") -}}
{{- $sku := index $catalog.lustre.skus (index $.Values.storageClasses.lustre.parameters "sku-name") -}}
{{- $size = printf "%vTi" $sku.minTiB -}}
{{- end -}}
{{- $volumeName := "" -}}
{{- if $static -}}
{{- $volumeName = (index $.Values.staticVolumes $static).name | default (index $.dynamoCache.kept (printf "volume/%s" $key)) | default (printf "%s%s-cache" $.dynamoCache.clusterPrefix $key) -}}
{{- end -}}
{{- $keep := $v.keep -}}
{{- if kindIs "invalid" $keep -}}{{- $keep = $preset.keep | default false -}}{{- end -}}
{{- /* the disk or share SKU: the chart class's skuName, else what the catalog knows of the class */ -}}
{{- $sku := (index $catalog.classes $class | default dict).sku | default "" -}}
{{- with $chartClass -}}{{- $sku = (index $.Values.storageClasses .).parameters.skuName | default "" | toString -}}{{- end -}}
{{- $_ := set $result $key (dict
  "key" $key
  "enabled" $v.enabled
  "name" $name
  "size" ($size | default "1Gi")
  "accessModes" ($v.accessModes | default $preset.accessModes)
  "volumeMode" ($v.volumeMode | default "Filesystem")
  "storageClass" $class
  "chartClass" $chartClass
  "static" $static
  "volumeName" $volumeName
  "driver" $driver
  "classInfo" (index $catalog.classes $class | default dict)
  "keep" $keep
  "sku" $sku
  "annotations" ($v.annotations | default dict)
  "labels" ($v.labels | default dict)
  "existingClaim" ($v.existingClaim | default "")
) -}}
{{- end -}}
{{- $_ := set .dynamoCache "caches" $result -}}
{{- end -}}

{{/*
dynamo-cache.caches: the merged caches as JSON, for tests that feed helpers simulated
objects. Templates read $.dynamoCache.caches. Usage: {{ include "dynamo-cache.caches" . | fromJson }}
*/}}
{{- define "dynamo-cache.caches" -}}
{{- include "dynamo-cache.load" . -}}
{{- toJson .dynamoCache.caches -}}
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

{{/*
dynamo-cache.mountOptions: the mount options of a storageClasses profile, as a JSON
list: its mountOptions, then the blobfuse2 block-cache bounds where it has them. A
disk cache only for one volume (volume = its PersistentVolume name): blobfuse2 needs a
directory of its own per volume (catalog.yaml, chartClasses.blobFuse.blockCache).
Usage: {{ include "dynamo-cache.mountOptions" (dict "root" $ "profile" "blobFuse" "volume" "") | fromJsonArray }}
*/}}
{{- define "dynamo-cache.mountOptions" -}}
{{- $sc := index .root.Values.storageClasses .profile -}}
{{- $options := $sc.mountOptions | default list -}}
{{- with $sc.blockCache -}}
{{- $options = concat $options (list (printf "--block-cache-block-size=%v" (int .blockSizeMB)) (printf "--block-cache-pool-size=%v" (int .poolSizeMB))) -}}
{{- if and .diskSizeMB $.volume -}}
{{- $options = concat $options (list (printf "--block-cache-path=%s/%s" (trimSuffix "/" .path) $.volume) (printf "--block-cache-disk-size=%v" (int .diskSizeMB)) "--cleanup-on-start") -}}
{{- end -}}
{{- end -}}
{{- toJson $options -}}
{{- end -}}

{{/*
dynamo-cache.compilationMount: where the compilation cache is mounted: the value, or
the backend's default (catalog dynamo.backends.<backend>.mountPath).
Usage: {{ include "dynamo-cache.compilationMount" . }}
*/}}
{{- define "dynamo-cache.compilationMount" -}}
{{- include "dynamo-cache.load" . -}}
{{- $catalog := .dynamoCache.catalog -}}
{{- .Values.dynamo.mountPaths.compilation | default (index $catalog.dynamo.backends .Values.dynamo.backend).mountPath -}}
{{- end -}}

{{/*
dynamo-cache.compileEnv: the variables the backend's engine reads for its compile
cache under mount, less those the operator sets (operatorMounts: the cache is given
as compilationCache), as a JSON list. Twin of snippet.compile_env.
Usage: {{ include "dynamo-cache.compileEnv" (dict "root" $ "mount" "/path" "operatorMounts" true) | fromJsonArray }}
*/}}
{{- define "dynamo-cache.compileEnv" -}}
{{- $catalog := .root.dynamoCache.catalog -}}
{{- $info := index $catalog.dynamo.backends .root.Values.dynamo.backend -}}
{{- $env := list -}}
{{- if not (and .operatorMounts $info.operatorSets) -}}
{{- range $e := $info.env -}}
{{- if hasKey $e "value" -}}
{{- $env = append $env (dict "name" $e.name "value" $e.value) -}}
{{- else -}}
{{- $env = append $env (dict "name" $e.name "value" (trimSuffix "/" (printf "%s/%s" $.mount $e.path))) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- toJson $env -}}
{{- end -}}

{{/*
dynamo-cache.snippet.v1beta1: what a DynamoGraphDeployment (nvidia.com/v1beta1) needs
to use these caches, as YAML: `spec.components` entries for the frontend and each
worker; the same content as `gen-values snippet` (generator/dynamo_cache/snippet.py,
held equal by the tests). Workers get every cache, the frontend the model cache only
when the claim can be shared; node-local caches become per-pod ephemeral volumes.
*/}}
{{- define "dynamo-cache.snippet.v1beta1" -}}
{{- include "dynamo-cache.load" . -}}
{{- $catalog := .dynamoCache.catalog -}}
{{- $caches := .dynamoCache.caches -}}
{{- $d := .Values.dynamo -}}
{{- $paths := merge (dict "compilation" (include "dynamo-cache.compilationMount" .)) $d.mountPaths -}}
{{- $roles := dict "frontend" (dict "volumes" list "mounts" list "env" list "compilation" "") "worker" (dict "volumes" list "mounts" list "env" list "compilation" "") -}}
{{- range $key := $catalog.cacheOrder -}}
{{- $c := index $caches $key -}}
{{- if or $c.enabled $c.existingClaim -}}
{{- $claim := $c.existingClaim | default $c.name -}}
{{- $local := and (eq $c.driver "local") (not $c.existingClaim) -}}
{{- $path := index $paths $key -}}
{{- $volume := dict "name" $claim "persistentVolumeClaim" (dict "claimName" $claim) -}}
{{- if $local -}}
{{- $spec := dict "accessModes" (list "ReadWriteOnce") "resources" (dict "requests" (dict "storage" $c.size)) -}}
{{- if not (has $c.storageClass (list "" "-")) -}}{{- $_ := set $spec "storageClassName" $c.storageClass -}}{{- end -}}
{{- $template := dict "spec" $spec -}}
{{- with $c.classInfo.acceptEphemeralAnnotation -}}{{- $_ := set $template "metadata" (dict "annotations" (dict . "true")) -}}{{- end -}}
{{- $volume = dict "name" $c.name "ephemeral" (dict "volumeClaimTemplate" $template) -}}
{{- end -}}
{{- $takers := list "worker" -}}
{{- if and (eq $key "model") (not $local) (or (has "ReadWriteMany" $c.accessModes) (has "ReadOnlyMany" $c.accessModes)) -}}
{{- $takers = append $takers "frontend" -}}
{{- end -}}
{{- range $role := $takers -}}
{{- $r := index $roles $role -}}
{{- if and (eq $key "compilation") (not $local) -}}
{{- $_ := set $r "compilation" $claim -}}
{{- $_ := set $r "env" (concat $r.env (include "dynamo-cache.compileEnv" (dict "root" $ "mount" $path "operatorMounts" true) | fromJsonArray)) -}}
{{- else -}}
{{- $_ := set $r "volumes" (append $r.volumes $volume) -}}
{{- $_ := set $r "mounts" (append $r.mounts (dict "name" $volume.name "mountPath" $path)) -}}
{{- if eq $key "model" -}}{{- $_ := set $r "env" (append $r.env (dict "name" "HF_HOME" "value" $path)) -}}{{- end -}}
{{- if eq $key "compilation" -}}
{{- $_ := set $r "env" (concat $r.env (include "dynamo-cache.compileEnv" (dict "root" $ "mount" $path "operatorMounts" false) | fromJsonArray)) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- $components := list -}}
{{- $names := list (list $d.frontend "frontend") -}}
{{- range $name := ($d.workers | default (list $catalog.dynamo.worker.v1beta1)) -}}{{- $names = append $names (list $name "worker") -}}{{- end -}}
{{- range $pair := $names -}}
{{- $r := index $roles (index $pair 1) -}}
{{- $component := dict "name" (index $pair 0) -}}
{{- with $r.compilation -}}{{- $_ := set $component "compilationCache" (dict "pvcName" . "mountPath" $paths.compilation) -}}{{- end -}}
{{- if or $r.mounts $r.env -}}
{{- $container := dict "name" "main" -}}
{{- with $r.env -}}{{- $_ := set $container "env" . -}}{{- end -}}
{{- with $r.mounts -}}{{- $_ := set $container "volumeMounts" . -}}{{- end -}}
{{- $podSpec := dict "containers" (list $container) -}}
{{- with $r.volumes -}}{{- $_ := set $podSpec "volumes" . -}}{{- end -}}
{{- $_ := set $component "podTemplate" (dict "spec" $podSpec) -}}
{{- end -}}
{{- if gt (len $component) 1 -}}{{- $components = append $components $component -}}{{- end -}}
{{- end -}}
{{- toYaml (dict "spec" (dict "components" $components)) -}}
{{- end -}}

{{/*
dynamo-cache.findClassesMade: the storageClasses profiles whose class this release
makes (a rendered cache uses it, its create is true, and the scope is not namespace),
in catalog order, into .dynamoCache.chartClassesMade (by dynamo-cache.load); those a
kept cache uses into .dynamoCache.chartClassesKept: a kept claim keeps its class, so a
claim still Pending at uninstall can be provisioned and a Bound one can grow.
*/}}
{{- define "dynamo-cache.findClassesMade" -}}
{{- $catalog := .dynamoCache.catalog -}}
{{- $caches := .dynamoCache.caches -}}
{{- $made := list -}}
{{- $kept := list -}}
{{- if ne .Values.scope "namespace" -}}
{{- range $profile := $catalog.chartClassOrder -}}
{{- range $key := $.dynamoCache.rendered -}}
{{- $c := index $caches $key -}}
{{- if and (eq $c.chartClass $profile) (index $.Values.storageClasses $profile).create -}}
{{- if not (has $profile $made) -}}{{- $made = append $made $profile -}}{{- end -}}
{{- if and $c.keep (not (has $profile $kept)) -}}{{- $kept = append $kept $profile -}}{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- $_ := set .dynamoCache "chartClassesMade" $made -}}
{{- $_ := set .dynamoCache "chartClassesKept" $kept -}}
{{- end -}}

{{/*
dynamo-cache.classParameters: a storageClasses profile's parameters without the empty
ones, every value a string, as JSON: what the class carries, and what the upgrade guard
compares with a live class. Usage: {{ include "dynamo-cache.classParameters" $sc.parameters | fromJson }}
*/}}
{{- define "dynamo-cache.classParameters" -}}
{{- $out := dict -}}
{{- range $k, $v := . -}}
{{- if ne (toString $v) "" -}}{{- $_ := set $out $k (toString $v) -}}{{- end -}}
{{- end -}}
{{- toJson $out -}}
{{- end -}}

{{/*
dynamo-cache.keepAnnotations: the annotations that keep an object on uninstall, added to
annotations (a dict, changed in place): helm.sh/resource-policy: keep, and, unless
gitops.argocdKeep is false, Argo CD's Prune=false,Delete=false sync options (Argo CD reads
Helm's keep only on Application deletion, and prunes an object that left the rendered
set), merged into sync options the user set there.
Usage: {{- include "dynamo-cache.keepAnnotations" (dict "root" $ "annotations" $annotations) -}}
*/}}
{{- define "dynamo-cache.keepAnnotations" -}}
{{- $_ := set .annotations "helm.sh/resource-policy" "keep" -}}
{{- if .root.Values.gitops.argocdKeep -}}
{{- $key := "argocd.argoproj.io/sync-options" -}}
{{- $options := splitList "," (index .annotations $key | default "") | compact -}}
{{- range $option := list "Prune=false" "Delete=false" -}}
{{- if not (has $option $options) -}}{{- $options = append $options $option -}}{{- end -}}
{{- end -}}
{{- $_ := set .annotations $key (join "," $options) -}}
{{- end -}}
{{- end -}}

{{/*
dynamo-cache.expectedMBps: what the planner (`gen-values plan`, generator/dynamo_cache/
plan.py) expects one reader to get from a cache's storage, for the helm test to print
beside what it measured; "" where the catalog has no figure. Same catalog numbers:
Premium Files 100 + ceil(0.04 x GiB) + ceil(0.06 x GiB) MiB/s, Lustre MB/s per TiB x TiB,
Premium SSD v2 its provisioned MB/s.
Usage: {{ include "dynamo-cache.expectedMBps" (dict "root" $ "cache" $c) }}
*/}}
{{- define "dynamo-cache.expectedMBps" -}}
{{- $catalog := .root.dynamoCache.catalog -}}
{{- $c := .cache -}}
{{- $gib := divf (include "dynamo-cache.bytes" $c.size | float64) 1073741824.0 | ceil | int -}}
{{- if eq $c.chartClass "lustre" -}}
{{- $lustre := index $catalog.lustre.skus (index .root.Values.storageClasses.lustre.parameters "sku-name") -}}
{{- $tib := divf $gib 1024.0 | ceil | int -}}
{{- $ost := mul $lustre.mbpsPerTiB $lustre.incrementTiB -}}{{- /* one OST per SKU increment: gen-values plan --layout */ -}}
{{- printf "%d MB/s striped over all OSTs (%v MB/s per TiB x %d TiB), %d MB/s for a file on one OST (unstriped)" (mul $lustre.mbpsPerTiB $tib) $lustre.mbpsPerTiB $tib $ost -}}
{{- else if eq $c.chartClass "diskPremiumV2" -}}
{{- printf "%s MB/s (provisioned)" .root.Values.storageClasses.diskPremiumV2.parameters.DiskMBpsReadWrite -}}
{{- else if and (eq $c.driver "files") (hasPrefix "Premium_" $c.sku) -}}
{{- $f := $catalog.performance.filesPremium -}}
{{- printf "%d MiB/s (Premium Files, %d GiB)" (add $f.baseMiBps (mulf $f.ingressPerGiB $gib | ceil | int) (mulf $f.egressPerGiB $gib | ceil | int)) $gib -}}
{{- end -}}
{{- end -}}

{{/*
Every cluster-scoped read (lookup of a StorageClass, CSIDriver or Namespace) goes through
this define, whose name is the advice: a template cannot catch a failed lookup, but Helm
names the define whose action failed, so a user with rights in one namespace only reads
the way forward beside Kubernetes' "forbidden". Returns the object as JSON ({} if absent).
Usage: {{ include "namespace-only user? install with --set scope=namespace (README: Shared clusters)" (list "storage.k8s.io/v1" "StorageClass" "name") | fromJson }}
*/}}
{{- define "namespace-only user? install with --set scope=namespace (README: Shared clusters)" -}}
{{- lookup (index . 0) (index . 1) "" (index . 2) | toJson -}}
{{- end -}}

{{/*
dynamo-cache.keptNames: the 0.2.0-style names (dynamo-cache.legacyPrefix) an installed release
already uses, as JSON {"class/<profile>": name, "volume/<cache>": name}: read from the
release's live claims (`live`, their class and volume), and for scope cluster, which has no
claims, from the classes and volumes this release owns. Empty offline (lookup returns nothing).
*/}}
{{- define "dynamo-cache.keptNames" -}}
{{- $root := .root -}}
{{- $catalog := .catalog -}}
{{- $kept := dict -}}
{{- if not $root.Values.fullnameOverride -}}
{{- if ne $root.Values.scope "cluster" -}}{{- /* offline there is no live claim: nothing else is computed */ -}}
{{- range $key, $claim := .live -}}
{{- $legacy := include "dynamo-cache.legacyPrefix" $root -}}
{{- $class := $claim.spec.storageClassName | default "" -}}
{{- range $profile := $catalog.chartClassOrder -}}
{{- if eq $class (printf "%s%s" $legacy (index $catalog.chartClasses $profile).nameSuffix) -}}{{- $_ := set $kept (printf "class/%s" $profile) $class -}}{{- end -}}
{{- end -}}
{{- if eq ($claim.spec.volumeName | default "") (printf "%s%s" $legacy $claim.metadata.name) -}}{{- $_ := set $kept (printf "volume/%s" $key) $claim.spec.volumeName -}}{{- end -}}
{{- end -}}
{{- else -}}{{- /* the platform release: the objects it owns under the old names */ -}}
{{- $legacy := include "dynamo-cache.legacyPrefix" $root -}}
{{- $owned := dict -}}
{{- range $profile := $catalog.chartClassOrder -}}
{{- $_ := set $owned (printf "%s%s" $legacy (index $catalog.chartClasses $profile).nameSuffix) (list "StorageClass" (printf "class/%s" $profile)) -}}
{{- end -}}
{{- range $key := $catalog.cacheOrder -}}
{{- $name := (index $root.Values.caches $key).name | default (index $catalog.caches $key).name -}}
{{- $_ := set $owned (printf "%s%s" $legacy $name) (list "PersistentVolume" (printf "volume/%s" $key)) -}}
{{- end -}}
{{- range $old, $what := $owned -}}
{{- $api := ternary "storage.k8s.io/v1" "v1" (eq (index $what 0) "StorageClass") -}}
{{- $live := include "namespace-only user? install with --set scope=namespace (README: Shared clusters)" (list $api (index $what 0) $old) | fromJson -}}
{{- if and $live (eq (index ($live.metadata.annotations | default dict) "meta.helm.sh/release-name" | default "") $root.Release.Name) -}}
{{- $_ := set $kept (index $what 1) $old -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- toJson $kept -}}
{{- end -}}

{{/*
dynamo-cache.downloads: the models the download Job warms, in order, as JSON: modelDownload.model
(when set), then each of modelDownload.models, each {model, revision, include, exclude, path}.
The Python twin: resolve.downloads (generator/dynamo_cache/resolve.py).
*/}}
{{- define "dynamo-cache.downloads" -}}
{{- $d := .Values.modelDownload -}}
{{- $out := list -}}
{{- if $d.model -}}
{{- $out = append $out (dict "model" $d.model "revision" ($d.revision | default "") "include" ($d.include | default list) "exclude" ($d.exclude | default list) "path" "modelDownload") -}}
{{- end -}}
{{- range $i, $m := $d.models | default list -}}
{{- $out = append $out (dict "model" $m.model "revision" ($m.revision | default "") "include" ($m.include | default list) "exclude" ($m.exclude | default list) "path" (printf "modelDownload.models[%d]" $i)) -}}
{{- end -}}
{{- toJson $out -}}
{{- end -}}

{{/*
dynamo-cache.downloadJobName: the download Job's name, with a hash of what it downloads (a
Job's pod template cannot change: a new model or revision is a new Job). The Job and the
alerts on it (prometheusrule.yaml) both use it. Usage: {{ include "dynamo-cache.downloadJobName" . }}
*/}}
{{- define "dynamo-cache.downloadJobName" -}}
{{- $d := .Values.modelDownload -}}
{{- $model := .dynamoCache.caches.model -}}
{{- $what := dict "model" $d.model "revision" $d.revision "include" $d.include "exclude" $d.exclude "claim" ($model.existingClaim | default $model.name) "mount" .Values.dynamo.mountPaths.model "image" $d.image "pip" $d.pipPackages -}}
{{- with $d.models }}{{ $_ := set $what "models" . }}{{ end -}}
{{- printf "%s-model-download-%s" (include "dynamo-cache.fullname" . | trunc 38 | trimSuffix "-") (toJson $what | sha256sum | trunc 8) -}}
{{- end -}}
