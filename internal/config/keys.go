package config

import (
	"fmt"
	"maps"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// unknownKey starts the Reason of a KeyError for a key that is not in the schema.
const unknownKey = "unknown config key"

// checkKeys walks the config as written (before defaults and env) against the schema
// of rawConfig: every key must be known and every value of the right shape. It reads
// the YAML itself, not viper's view of it: viper lists only keys that lead to a value,
// so an empty mapping (`vms: {}`) would vanish instead of failing as "must be a list".
func checkKeys(data []byte) ([]*KeyError, error) {
	var doc any
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	var errs []*KeyError
	doc = lowerKeys(doc)
	walk(reflect.TypeFor[rawConfig](), doc, "", &errs)
	nameRetentionKeys(doc, errs)
	return errs, nil
}

// ownRetentionRe is the key of (or below) a vms[]/paths[] entry's own retention,
// by index: vms[3].retention.keep-dayly.
var ownRetentionRe = regexp.MustCompile(`^(vms|paths|replication)\[([0-9]+)\](\.retention(?:\..*)?)$`)

// nameRetentionKeys names the entry by its name in the keys of errs inside an entry's
// own retention, as Parse names them (vms[web1].retention.keep-dayly): the same
// section is called the same in every error.
func nameRetentionKeys(doc any, errs []*KeyError) {
	top, _ := doc.(map[string]any)
	for _, e := range errs {
		m := ownRetentionRe.FindStringSubmatch(e.Key)
		if m == nil {
			continue
		}
		list, _ := top[m[1]].([]any)
		i, _ := strconv.Atoi(m[2])
		all := func(j int) string {
			item, _ := list[j].(map[string]any)
			name, _ := item["name"].(string)
			return name
		}
		if i < len(list) {
			e.Key = entryKey(m[1], i, all(i), all, len(list)) + m[3]
		}
	}
}

// lowerKeys returns the YAML value v with every mapping a map[string]any whose keys
// are lower-cased, as viper reads them (keys are case-insensitive).
func lowerKeys(v any) any {
	switch v := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(v))
		for k, sub := range v {
			m[strings.ToLower(k)] = lowerKeys(sub)
		}
		return m
	case map[any]any:
		m := make(map[string]any, len(v))
		for k, sub := range v {
			m[strings.ToLower(fmt.Sprint(k))] = lowerKeys(sub)
		}
		return m
	case []any:
		l := make([]any, len(v))
		for i, sub := range v {
			l[i] = lowerKeys(sub)
		}
		return l
	}
	return v
}

// walk checks value against the type t of rawConfig found at key.
func walk(t reflect.Type, value any, key string, errs *[]*KeyError) {
	if value == nil {
		return // absent: the default applies
	}
	switch t.Kind() {
	case reflect.Pointer: // an optional section (vms[].retention)
		walk(t.Elem(), value, key, errs)
	case reflect.Struct:
		m, ok := value.(map[string]any)
		if !ok {
			*errs = append(*errs, &KeyError{Key: key, Reason: "must be a mapping of keys to values"})
			return
		}
		fields := map[string]reflect.Type{}
		for i := range t.NumField() {
			fields[t.Field(i).Tag.Get("mapstructure")] = t.Field(i).Type
		}
		for _, k := range slices.Sorted(maps.Keys(m)) {
			sub := k
			if key != "" {
				sub = key + "." + k
			}
			ft, ok := fields[strings.ToLower(k)]
			if !ok {
				known := slices.Sorted(maps.Keys(fields))
				*errs = append(*errs, &KeyError{Key: sub,
					Reason: fmt.Sprintf("%s (known here: %s)", unknownKey, strings.Join(known, ", "))})
				continue
			}
			walk(ft, m[k], sub, errs)
		}
	case reflect.Slice:
		list, ok := value.([]any)
		if !ok {
			*errs = append(*errs, &KeyError{Key: key, Reason: "must be a list"})
			return
		}
		for i, item := range list {
			sub := fmt.Sprintf("%s[%d]", key, i)
			if item == nil {
				*errs = append(*errs, &KeyError{Key: sub, Reason: "is an empty list item"})
				continue
			}
			walk(t.Elem(), item, sub, errs)
		}
	default:
		switch value.(type) {
		case map[string]any, []any:
			*errs = append(*errs, &KeyError{Key: key, Reason: "must be a single value, not a list or mapping"})
		}
	}
}

// envKey is a key an environment variable can set: a single value, or a list of
// single values (comma-separated in the variable).
type envKey struct {
	key  string
	list bool
}

// envKeys maps each variable that overrides a key to that key, derived from the
// schema (rawConfig): every key outside the lists of mappings (vms, paths). The second
// map names those lists' variables (KVMBACKUP_VMS), which no variable can set.
func envKeys() (known map[string]envKey, lists map[string]string) {
	known, lists = map[string]envKey{}, map[string]string{}
	var fields func(t reflect.Type, prefix string)
	fields = func(t reflect.Type, prefix string) {
		for i := range t.NumField() {
			f := t.Field(i)
			key := prefix + f.Tag.Get("mapstructure")
			switch {
			case f.Type.Kind() == reflect.Struct:
				fields(f.Type, key+".")
			case f.Type.Kind() == reflect.Slice && f.Type.Elem().Kind() == reflect.Struct:
				lists[EnvName(key)] = key
			default:
				known[EnvName(key)] = envKey{key: key, list: f.Type.Kind() == reflect.Slice}
			}
		}
	}
	fields(reflect.TypeFor[rawConfig](), "")
	return known, lists
}

// labEnv are the KVMBACKUP_* variables of the project's own test lab (testenv): not
// config keys, and not mistakes.
var labEnv = []string{"KVMBACKUP_LAB", "KVMBACKUP_LAB_DIR", "KVMBACKUP_IN_APPLIANCE"}

// checkEnv reports every KVMBACKUP_* variable of env that names no key, with the
// variable nearest to it (a typo would otherwise be ignored, and its value with it).
func checkEnv(env []string) []*KeyError {
	known, lists := envKeys()
	var errs []*KeyError
	for _, kv := range env {
		name, _, _ := strings.Cut(kv, "=")
		if _, ok := known[name]; ok || !strings.HasPrefix(name, EnvPrefix) || slices.Contains(labEnv, name) {
			continue
		}
		if key, ok := lists[name]; ok {
			errs = append(errs, &KeyError{Env: name, Reason: fmt.Sprintf("cannot set %s, a list of mappings: give it in the config file", key)})
			continue
		}
		nearest := ""
		for _, v := range slices.Sorted(maps.Keys(known)) {
			if nearest == "" || editDistance(name, v) < editDistance(name, nearest) {
				nearest = v
			}
		}
		errs = append(errs, &KeyError{Env: name, Reason: fmt.Sprintf("names no config key (nearest: %s, which sets %s)", nearest, known[nearest].key)})
	}
	return errs
}

// editDistance is the Levenshtein distance between a and b.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}
