package config

import (
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"

	"github.com/spf13/viper"
)

// unknownKey starts the Reason of a KeyError for a key that is not in the schema.
const unknownKey = "unknown config key"

// checkKeys walks the config as read (before defaults and env) against the schema of
// rawConfig: every key must be known and every value of the right shape.
func checkKeys(v *viper.Viper) []*KeyError {
	tree := map[string]any{}
	for _, k := range v.AllKeys() {
		top, _, _ := strings.Cut(k, ".")
		tree[top] = v.Get(top) // the nested value as read, keys lower-cased
	}
	var errs []*KeyError
	walk(reflect.TypeFor[rawConfig](), tree, "", &errs)
	return errs
}

// walk checks value against the type t of rawConfig found at key.
func walk(t reflect.Type, value any, key string, errs *[]*KeyError) {
	if value == nil {
		return // absent: the default applies
	}
	switch t.Kind() {
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
