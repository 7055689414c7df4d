{{/*
dynamo-cache.bytes: a Kubernetes quantity ("100Gi", "1.5Ti", "500G") as a float
number of bytes, for size comparisons. Quantities are schema-checked before this.
Usage: {{ include "dynamo-cache.bytes" "100Gi" | float64 }}
*/}}
{{- define "dynamo-cache.bytes" -}}
{{- $q := toString . -}}
{{- $num := regexFind "^[0-9.]+" $q -}}
{{- $suffix := trimPrefix $num $q -}}
{{- $mult := dict "" 1.0 "k" 1e3 "M" 1e6 "G" 1e9 "T" 1e12 "P" 1e15 "E" 1e18 "Ki" 1024.0 "Mi" 1048576.0 "Gi" 1073741824.0 "Ti" 1099511627776.0 "Pi" 1125899906842624.0 "Ei" 1152921504606846976.0 -}}
{{- mulf (float64 $num) (index $mult $suffix | default 1.0) -}}
{{- end -}}

{{/*
dynamo-cache.validate: every rule the schema cannot express (they depend on the
preset merge), collected and reported with one `fail`. The same rules, with the
same catalog data, run in `gen-values validate` before anything reaches helm.
Usage: {{ include "dynamo-cache.validate" . }}
*/}}
{{- define "dynamo-cache.validate" -}}
{{- include "dynamo-cache.load" . -}}
{{- $catalog := .dynamoCache.catalog -}}
{{- $caches := .dynamoCache.caches -}}
{{- $errors := list -}}
{{- $tier := index $catalog.tiers .Values.tier -}}
{{- if and .Values.variant (not (has .Values.variant $tier.variants)) -}}{{- /* rules._variant */ -}}
{{- $errors = append $errors (printf "variant: tier %s has no variant %q; allowed: %s" .Values.tier .Values.variant (join ", " $tier.variants)) -}}
{{- end -}}
{{- if not $errors -}}{{- /* the presets depend on the variant: nothing else can be checked without one */ -}}
{{- $claimNames := dict -}}
{{- $used := dict -}}
{{- $checkedClasses := dict -}}
{{- range $key := $catalog.cacheOrder -}}
{{- $c := index $caches $key -}}
{{- $path := printf "caches.%s" $key -}}
{{- if and $c.enabled (not $c.existingClaim) -}}
{{- if hasKey $claimNames $c.name -}}{{- /* rules.check: duplicate claim names */ -}}
{{- $errors = append $errors (printf "%s.name: claim name %q is already used by caches.%s; two caches cannot share one claim" $path $c.name (index $claimNames $c.name)) -}}
{{- end -}}
{{- $_ := set $claimNames $c.name $key -}}
{{- if $c.driver -}}
{{- $driver := index $catalog.drivers $c.driver -}}
{{- if and (eq $c.volumeMode "Block") (not $driver.blockAllowed) -}}
{{- $errors = append $errors (printf "%s.volumeMode: %s (%s) does not support volumeMode Block; use Filesystem" $path $c.storageClass $driver.title) -}}
{{- end -}}
{{- if and (eq $c.volumeMode "Block") (eq $c.driver "disk") -}}
{{- /* rules._access_modes: a shared raw disk needs maxShares >= 2 */ -}}
{{- $shared := list -}}
{{- range $mode := list "ReadOnlyMany" "ReadWriteMany" -}}{{- if has $mode $c.accessModes -}}{{- $shared = append $shared $mode -}}{{- end -}}{{- end -}}
{{- $shares := 1 -}}
{{- with $c.chartClass -}}{{- $shares = (index $.Values.storageClasses .).parameters.maxShares | default "1" | int -}}{{- end -}}
{{- if and $shared (or (hasKey $catalog.classes $c.storageClass) (and $c.chartClass (lt $shares 2))) -}}
{{- $errors = append $errors (printf "%s.accessModes: %s on Azure Disk needs a class with maxShares >= 2; %s has none" $path (first $shared) $c.storageClass) -}}
{{- end -}}
{{- end -}}
{{- if not (and (eq $c.volumeMode "Block") (eq $c.driver "disk")) -}}{{- /* a raw disk's modes: maxShares, above */ -}}
{{- range $i, $mode := $c.accessModes -}}
{{- if not (has $mode $driver.accessModes) -}}
{{- $why := ternary "a node-local volume lives on one node and is lost with it" "an Azure Disk in Filesystem mode attaches to one node" $driver.nodeLocal -}}
{{- $errors = append $errors (printf "%s.accessModes[%d]: %s (%s) cannot be %s: %s; use ReadWriteOnce, or tier files or lustre for a cache shared across nodes" $path $i $c.storageClass $driver.title $mode $why) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- with $driver.maxSize -}}
{{- /* rules._sizes: the storage's largest size */ -}}
{{- $limit := ternary ($driver.maxSizePremiumV2 | default .) . (hasPrefix "PremiumV2" $c.sku) -}}
{{- if gt (include "dynamo-cache.bytes" $c.size | float64) (include "dynamo-cache.bytes" $limit | float64) -}}
{{- $errors = append $errors (printf "%s.size: %s exceeds the %s maximum of %s" $path $c.size $driver.title $limit) -}}
{{- end -}}
{{- end -}}
{{- if eq $c.chartClass "lustre" -}}
{{- $skuName := index $.Values.storageClasses.lustre.parameters "sku-name" -}}
{{- $sku := index $catalog.lustre.skus $skuName -}}
{{- $max := mulf (float64 $sku.maxTiB) 1099511627776.0 -}}
{{- if gt (include "dynamo-cache.bytes" $c.size | float64) $max -}}
{{- $errors = append $errors (printf "%s.size: %s exceeds the %s maximum of %vTi" $path $c.size $skuName $sku.maxTiB) -}}
{{- end -}}
{{- end -}}
{{- if and $c.chartClass (not (hasKey $checkedClasses $c.chartClass)) -}}
{{- $_ := set $checkedClasses $c.chartClass true -}}{{- /* once per class, as rules._chart_class_setup */ -}}
{{- with $c.chartClass -}}
{{- $sc := index $.Values.storageClasses . -}}
{{- if and (eq $.Values.scope "namespace") (not $sc.name) -}}
{{- $errors = append $errors (printf "storageClasses.%s.name: scope is namespace, so this release makes no StorageClass: name the class the platform team installed (its NOTES print it)" .) -}}
{{- else if and (not $sc.create) (not $sc.name) -}}
{{- $errors = append $errors (printf "storageClasses.%s.name: create is false, so the class must already exist, but no name is given" .) -}}
{{- end -}}
{{- range $param, $range := (index $catalog.chartClasses .).ranges -}}
{{- /* rules._chart_class_setup: provisioned figures the disk accepts */ -}}
{{- $value := index $sc.parameters $param -}}
{{- if and $value (or (lt (int $value) (int (first $range))) (gt (int $value) (int (last $range)))) -}}
{{- $errors = append $errors (printf "storageClasses.%s.parameters.%s: %s is outside %v..%v" $c.chartClass $param $value (first $range) (last $range)) -}}
{{- end -}}
{{- end -}}
{{- range $param := (index $catalog.chartClasses .).premiumV2Only -}}
{{- if and (index $sc.parameters $param) (not (hasPrefix "PremiumV2_" (toString $sc.parameters.skuName))) -}}
{{- $errors = append $errors (printf "storageClasses.%s.parameters.%s: only Premium Files v2 has provisioned IOPS and bandwidth; skuName is %s" $c.chartClass $param $sc.parameters.skuName) -}}
{{- end -}}
{{- end -}}
{{- if and (eq . "blobFuse") $sc.blockCache.diskSizeMB -}}
{{- $errors = append $errors "storageClasses.blobFuse.blockCache.diskSizeMB: a blobfuse2 disk cache needs a directory of its own per volume, and a StorageClass gives all its volumes the same mount options; keep 0 (memory only) on this class, or bind existing storage with variant static, where each PersistentVolume gets its own directory" -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- if or (eq $c.chartClass "blobFuse") (and (eq $c.static "blob") (ne $.Values.staticVolumes.blob.protocol "nfs")) -}}
{{- $_ := set $used "blobfuse2" true -}}
{{- end -}}
{{- with $c.static -}}{{- /* rules._static_setup */ -}}
{{- $volume := index $.Values.staticVolumes . -}}
{{- if eq $.Values.scope "namespace" -}}
{{- if not $volume.name -}}
{{- $errors = append $errors (printf "staticVolumes.%s.name: scope is namespace, so this release makes no PersistentVolume: name the one the platform team installed for %s (its NOTES print it)" . $path) -}}
{{- end -}}
{{- else -}}
{{- range $field := (index $catalog.staticVolumes .).required -}}
{{- if not (index $volume $field) -}}
{{- $errors = append $errors (printf "staticVolumes.%s.%s: required: %s is bound to existing storage" $c.static $field $path) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- if and (eq $c.static "blob") (ne $.Values.scope "namespace") -}}
{{- $blob := $.Values.staticVolumes.blob -}}
{{- if and (ne $blob.protocol "nfs") (eq (empty $blob.secretName) (empty $blob.clientID)) -}}
{{- $errors = append $errors "staticVolumes.blob.secretName: blobfuse needs exactly one credential reference: secretName or clientID" -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- if $used.blobfuse2 -}}
{{- /* blobfuse2 refuses to mount when its pool cannot hold the blocks it prefetches (rules._block_cache_pool) */ -}}
{{- $bc := .Values.storageClasses.blobFuse.blockCache -}}
{{- $floor := mul (max 11 (mul 2 (int $bc.maxNodeVCPUs))) (int $bc.blockSizeMB) -}}
{{- if lt (int $bc.poolSizeMB) $floor -}}
{{- $errors = append $errors (printf "storageClasses.blobFuse.blockCache.poolSizeMB: %v MB cannot hold the blocks blobfuse2 prefetches on a %v-vCPU node (max(11, 2 x vCPUs) x %v MB = %v MB), so it would refuse to mount; set at least %v" (int $bc.poolSizeMB) (int $bc.maxNodeVCPUs) (int $bc.blockSizeMB) $floor $floor) -}}
{{- end -}}
{{- end -}}
{{- $d := .Values.modelDownload -}}{{- /* rules._download */ -}}
{{- if and $d.enabled (eq .Values.scope "cluster") -}}
{{- $errors = append $errors "modelDownload.enabled: scope cluster makes only StorageClasses and PersistentVolumes; the download Job belongs to the release that makes the claims (scope namespace or release)" -}}
{{- end -}}
{{- if $d.enabled -}}
{{- if not $d.model -}}
{{- $errors = append $errors "modelDownload.model: required when modelDownload.enabled is true (a Hugging Face id such as Qwen/Qwen3-0.6B)" -}}
{{- end -}}
{{- if and (not $caches.model.enabled) (not $caches.model.existingClaim) -}}
{{- $errors = append $errors "modelDownload.enabled: the model cache is disabled and has no existingClaim: nothing to download into" -}}
{{- end -}}
{{- if and $d.requireCommit (not (regexMatch "^[0-9a-f]{40}$" $d.revision)) -}}
{{- $errors = append $errors (printf "modelDownload.revision: %q is not a commit SHA and requireCommit is true" $d.revision) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- if $errors -}}
{{- fail (printf "\n\ndynamo-cache: the values are invalid:\n- %s\n\nRun `gen-values validate VALUES.yaml` for the full explanation and fixes." (join "\n- " $errors)) -}}
{{- end -}}
{{- end -}}
