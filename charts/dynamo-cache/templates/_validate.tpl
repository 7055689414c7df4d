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
dynamo-cache.say: one problem as "path: message (hint: hint)", the words of catalog.yaml
ruleMessages.<rule> with their {fields} filled: gen-values (rules._say) prints the same.
Usage: {{ include "dynamo-cache.say" (dict "root" $ "rule" "blockMode" "path" "caches.model.volumeMode" "fields" (dict "storageClass" "x")) }}
*/}}
{{- define "dynamo-cache.say" -}}
{{- $words := index .root.dynamoCache.catalog.ruleMessages .rule -}}
{{- $text := printf "%s: %s" .path $words.message -}}
{{- with $words.hint -}}{{- $text = printf "%s (hint: %s)" $text . -}}{{- end -}}
{{- range $field, $value := .fields -}}{{- $text = replace (printf "{%s}" $field) (toString $value) $text -}}{{- end -}}
{{- $text -}}
{{- end -}}

{{/*
dynamo-cache.validate: every rule the schema cannot express (they depend on the
preset merge), collected and reported with one `fail`. Each rule is a template named
after its twin in generator/dynamo_cache/rules.py (dynamo-cache.rules.access_modes is
rules._access_modes), returns its problems as a JSON list, and words them with
dynamo-cache.say: `gen-values validate` runs the same rules before anything reaches helm.
Usage: {{ include "dynamo-cache.validate" . }}
*/}}
{{- define "dynamo-cache.validate" -}}
{{- include "dynamo-cache.load" . -}}
{{- $errors := include "dynamo-cache.rules.variant" . | fromJsonArray -}}
{{- if not $errors -}}{{- /* the presets depend on the variant: nothing else can be checked without one */ -}}
{{- range $rule := .dynamoCache.catalog.chartRules -}}
{{- $errors = concat $errors (include (printf "dynamo-cache.rules.%s" $rule) $ | fromJsonArray) -}}
{{- end -}}
{{- end -}}
{{- if $errors -}}
{{- fail (printf "\n\ndynamo-cache: the values are invalid:\n- %s\n\nRun `gen-values validate VALUES.yaml` for the full explanation and fixes." (join "\n- " $errors)) -}}
{{- end -}}
{{- end -}}

{{- define "dynamo-cache.rules.variant" -}}
{{- $errors := list -}}
{{- $tier := index .dynamoCache.catalog.tiers .Values.tier -}}
{{- if and .Values.variant (not (has .Values.variant $tier.variants)) -}}
{{- $errors = append $errors (include "dynamo-cache.say" (dict "root" $ "rule" "variant" "path" "variant" "fields" (dict "tier" .Values.tier "variant" .Values.variant "allowed" (join ", " $tier.variants) "default" $tier.defaultVariant))) -}}
{{- end -}}
{{- toJson $errors -}}
{{- end -}}

{{- define "dynamo-cache.rules.duplicate_claims" -}}
{{- $errors := list -}}
{{- $claimNames := dict -}}
{{- range $key := .dynamoCache.rendered -}}
{{- $c := index $.dynamoCache.caches $key -}}
{{- if hasKey $claimNames $c.name -}}{{- /* named after the first cache that has the name */ -}}
{{- $errors = append $errors (include "dynamo-cache.say" (dict "root" $ "rule" "duplicateClaim" "path" (printf "caches.%s.name" $key) "fields" (dict "name" $c.name "other" (index $claimNames $c.name)))) -}}
{{- else -}}
{{- $_ := set $claimNames $c.name $key -}}
{{- end -}}
{{- end -}}
{{- toJson $errors -}}
{{- end -}}

{{- define "dynamo-cache.rules.access_modes" -}}
{{- $catalog := .dynamoCache.catalog -}}
{{- $errors := list -}}
{{- range $key := .dynamoCache.rendered -}}
{{- $c := index $.dynamoCache.caches $key -}}
{{- $path := printf "caches.%s" $key -}}
{{- with $c.driver -}}
{{- $driver := index $catalog.drivers . -}}
{{- if and (eq $c.volumeMode "Block") (not $driver.blockAllowed) -}}
{{- $errors = append $errors (include "dynamo-cache.say" (dict "root" $ "rule" "blockMode" "path" (printf "%s.volumeMode" $path) "fields" (dict "storageClass" $c.storageClass "title" $driver.title))) -}}
{{- end -}}
{{- if and (eq $c.volumeMode "Block") (eq $c.driver "disk") -}}
{{- /* a shared raw disk needs maxShares >= 2 */ -}}
{{- $shared := list -}}
{{- range $mode := list "ReadOnlyMany" "ReadWriteMany" -}}{{- if has $mode $c.accessModes -}}{{- $shared = append $shared $mode -}}{{- end -}}{{- end -}}
{{- $shares := 1 -}}
{{- with $c.chartClass -}}{{- $shares = (index $.Values.storageClasses .).parameters.maxShares | default "1" | int -}}{{- end -}}
{{- if and $shared (or (hasKey $catalog.classes $c.storageClass) (and $c.chartClass (lt $shares 2))) -}}
{{- $rule := ternary "sharedDisk" "sharedDiskOwnClass" (ne $c.chartClass "") -}}
{{- $errors = append $errors (include "dynamo-cache.say" (dict "root" $ "rule" $rule "path" (printf "%s.accessModes" $path) "fields" (dict "mode" (first $shared) "storageClass" $c.storageClass "profile" $c.chartClass))) -}}
{{- end -}}
{{- else -}}
{{- range $i, $mode := $c.accessModes -}}
{{- if not (has $mode $driver.accessModes) -}}{{- /* a driver that limits modes says why (catalog drivers.<driver>.modeLimit) */ -}}
{{- $errors = append $errors (include "dynamo-cache.say" (dict "root" $ "rule" "accessMode" "path" (printf "%s.accessModes[%d]" $path $i) "fields" (dict "storageClass" $c.storageClass "title" $driver.title "mode" $mode "why" $driver.modeLimit.why "fix" $driver.modeLimit.fix))) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- toJson $errors -}}
{{- end -}}

{{- define "dynamo-cache.rules.sizes" -}}
{{- $catalog := .dynamoCache.catalog -}}
{{- $errors := list -}}
{{- range $key := .dynamoCache.rendered -}}
{{- $c := index $.dynamoCache.caches $key -}}
{{- $path := printf "caches.%s.size" $key -}}
{{- $driver := index $catalog.drivers ($c.driver | default "none") | default dict -}}
{{- with $driver.maxSize -}}{{- /* the storage's largest size */ -}}
{{- $limit := ternary ($driver.maxSizePremiumV2 | default .) . (hasPrefix "PremiumV2" $c.sku) -}}
{{- if gt (include "dynamo-cache.bytes" $c.size | float64) (include "dynamo-cache.bytes" $limit | float64) -}}
{{- $errors = append $errors (include "dynamo-cache.say" (dict "root" $ "rule" "sizeMax" "path" $path "fields" (dict "size" $c.size "title" $driver.title "limit" $limit))) -}}
{{- end -}}
{{- end -}}
{{- if eq $c.chartClass "lustre" -}}
{{- $skuName := index $.Values.storageClasses.lustre.parameters "sku-name" -}}
{{- $sku := index $catalog.lustre.skus $skuName -}}
{{- if gt (include "dynamo-cache.bytes" $c.size | float64) (mulf (float64 $sku.maxTiB) 1099511627776.0) -}}
{{- $errors = append $errors (include "dynamo-cache.say" (dict "root" $ "rule" "lustreMax" "path" $path "fields" (dict "size" $c.size "sku" $skuName "max" $sku.maxTiB))) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- toJson $errors -}}
{{- end -}}

{{- define "dynamo-cache.rules.chart_class_setup" -}}
{{- $catalog := .dynamoCache.catalog -}}
{{- $errors := list -}}
{{- $checked := dict -}}
{{- range $key := .dynamoCache.rendered -}}
{{- $profile := (index $.dynamoCache.caches $key).chartClass -}}
{{- if and $profile (not (hasKey $checked $profile)) -}}{{- /* once per class */ -}}
{{- $_ := set $checked $profile true -}}
{{- $sc := index $.Values.storageClasses $profile -}}
{{- $path := printf "storageClasses.%s" $profile -}}
{{- if and (eq $.Values.scope "namespace") (not $sc.name) -}}
{{- $errors = append $errors (include "dynamo-cache.say" (dict "root" $ "rule" "namespaceClass" "path" (printf "%s.name" $path))) -}}
{{- else if and (not $sc.create) (not $sc.name) -}}
{{- $errors = append $errors (include "dynamo-cache.say" (dict "root" $ "rule" "noClassName" "path" (printf "%s.name" $path))) -}}
{{- end -}}
{{- range $param, $range := (index $catalog.chartClasses $profile).ranges -}}{{- /* provisioned figures the disk accepts */ -}}
{{- $value := index $sc.parameters $param -}}
{{- if and $value (or (lt (int $value) (int (first $range))) (gt (int $value) (int (last $range)))) -}}
{{- $errors = append $errors (include "dynamo-cache.say" (dict "root" $ "rule" "parameterRange" "path" (printf "%s.parameters.%s" $path $param) "fields" (dict "value" $value "low" (first $range) "high" (last $range)))) -}}
{{- end -}}
{{- end -}}
{{- range $param := (index $catalog.chartClasses $profile).premiumV2Only -}}
{{- if and (index $sc.parameters $param) (not (hasPrefix "PremiumV2_" (toString $sc.parameters.skuName))) -}}
{{- $errors = append $errors (include "dynamo-cache.say" (dict "root" $ "rule" "premiumV2Only" "path" (printf "%s.parameters.%s" $path $param) "fields" (dict "sku" $sc.parameters.skuName))) -}}
{{- end -}}
{{- end -}}
{{- if and (eq $profile "blobFuse") $sc.blockCache.diskSizeMB -}}
{{- $errors = append $errors (include "dynamo-cache.say" (dict "root" $ "rule" "blobDiskCache" "path" "storageClasses.blobFuse.blockCache.diskSizeMB")) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- toJson $errors -}}
{{- end -}}

{{- define "dynamo-cache.rules.static_setup" -}}
{{- $catalog := .dynamoCache.catalog -}}
{{- $errors := list -}}
{{- range $key := .dynamoCache.rendered -}}
{{- $c := index $.dynamoCache.caches $key -}}
{{- with $c.static -}}
{{- $volume := index $.Values.staticVolumes . -}}
{{- if eq $.Values.scope "namespace" -}}{{- /* the platform team's release holds the volume's facts */ -}}
{{- if not $volume.name -}}
{{- $errors = append $errors (include "dynamo-cache.say" (dict "root" $ "rule" "namespaceVolume" "path" (printf "staticVolumes.%s.name" .) "fields" (dict "cache" $key))) -}}
{{- end -}}
{{- else -}}
{{- range $field := (index $catalog.staticVolumes .).required -}}
{{- if not (index $volume $field) -}}
{{- $errors = append $errors (include "dynamo-cache.say" (dict "root" $ "rule" "staticRequired" "path" (printf "staticVolumes.%s.%s" $c.static $field) "fields" (dict "cache" $key "title" (index $catalog.drivers $c.driver).title))) -}}
{{- end -}}
{{- end -}}
{{- if and (eq . "blob") (ne $volume.protocol "nfs") (eq (empty $volume.secretName) (empty $volume.clientID)) -}}
{{- $errors = append $errors (include "dynamo-cache.say" (dict "root" $ "rule" "blobCredential" "path" "staticVolumes.blob.secretName")) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- toJson $errors -}}
{{- end -}}

{{- /* blobfuse2 refuses to mount when its pool cannot hold the blocks it prefetches */ -}}
{{- define "dynamo-cache.rules.block_cache_pool" -}}
{{- $errors := list -}}
{{- $fuse := false -}}
{{- range $key := .dynamoCache.rendered -}}
{{- $c := index $.dynamoCache.caches $key -}}
{{- if or (eq $c.chartClass "blobFuse") (and (eq $c.static "blob") (ne $.Values.staticVolumes.blob.protocol "nfs")) -}}{{- $fuse = true -}}{{- end -}}
{{- end -}}
{{- if $fuse -}}
{{- $bc := .Values.storageClasses.blobFuse.blockCache -}}
{{- $floor := mul (max 11 (mul 2 (int $bc.maxNodeVCPUs))) (int $bc.blockSizeMB) -}}
{{- if lt (int $bc.poolSizeMB) $floor -}}
{{- $errors = append $errors (include "dynamo-cache.say" (dict "root" $ "rule" "blockCachePool" "path" "storageClasses.blobFuse.blockCache.poolSizeMB" "fields" (dict "pool" (int $bc.poolSizeMB) "vcpus" (int $bc.maxNodeVCPUs) "block" (int $bc.blockSizeMB) "floor" $floor))) -}}
{{- end -}}
{{- end -}}
{{- toJson $errors -}}
{{- end -}}

{{- define "dynamo-cache.rules.download" -}}
{{- $errors := list -}}
{{- $d := .Values.modelDownload -}}
{{- $model := .dynamoCache.caches.model -}}
{{- if $d.enabled -}}
{{- if eq .Values.scope "cluster" -}}
{{- $errors = append $errors (include "dynamo-cache.say" (dict "root" $ "rule" "downloadInClusterScope" "path" "modelDownload.enabled")) -}}
{{- end -}}
{{- $wanted := .dynamoCache.downloads -}}
{{- if not $wanted -}}
{{- $errors = append $errors (include "dynamo-cache.say" (dict "root" $ "rule" "downloadModel" "path" "modelDownload.model")) -}}
{{- end -}}
{{- if and (not $model.enabled) (not $model.existingClaim) -}}
{{- $errors = append $errors (include "dynamo-cache.say" (dict "root" $ "rule" "downloadNoCache" "path" "modelDownload.enabled")) -}}
{{- end -}}
{{- range $m := $wanted -}}
{{- if and $d.requireCommit (not (regexMatch $.dynamoCache.catalog.commitSha $m.revision)) -}}{{- /* else a warning: NOTES */ -}}
{{- $given := ternary (printf "\"%s\"" $m.revision) "empty (main)" (ne $m.revision "") -}}
{{- $errors = append $errors (include "dynamo-cache.say" (dict "root" $ "rule" "downloadRevision" "path" (printf "%s.revision" $m.path) "fields" (dict "given" $given))) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- toJson $errors -}}
{{- end -}}

{{- define "dynamo-cache.rules.alert_thresholds" -}}
{{- $errors := list -}}
{{- range $name := list "usage" "inodes" -}}
{{- $alert := index $.Values.metrics.prometheusRule.alerts $name -}}
{{- if ge (float64 $alert.warning) (float64 $alert.critical) -}}
{{- $errors = append $errors (include "dynamo-cache.say" (dict "root" $ "rule" "alertThresholds" "path" (printf "metrics.prometheusRule.alerts.%s.warning" $name) "fields" (dict "warning" $alert.warning "critical" $alert.critical))) -}}
{{- end -}}
{{- end -}}
{{- toJson $errors -}}
{{- end -}}
